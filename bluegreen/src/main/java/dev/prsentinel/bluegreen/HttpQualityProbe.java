package dev.prsentinel.bluegreen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.prsentinel.bluegreen.gate.Check;
import dev.prsentinel.bluegreen.gate.GateResult;
import dev.prsentinel.bluegreen.gate.QualityGate;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.github.GitHubPullRequests;
import dev.prsentinel.core.model.PullRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The quality gate over HTTP: the same sample of recent stored PRs posted to blue's and green's own
 * addresses (their tags) as batches to POST /score, each answer checked to come from the model
 * version that revision is pinned to, then {@link QualityGate}. A revision answering with another
 * version is a failed check: it means the tag does not reach the revision the rollout thinks.
 */
public final class HttpQualityProbe implements Promoter.QualityProbe {

    /** PRs per request: stored PRs are 1-2 KB as JSON, far under score's 3 MiB body limit. */
    static final int BATCH = 100;

    private final Supplier<List<PullRequest>> sample;
    private final QualityGate.Bounds bounds;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public HttpQualityProbe(Supplier<List<PullRequest>> sample, QualityGate.Bounds bounds) {
        this.sample = sample;
        this.bounds = bounds;
    }

    @Override
    public GateResult run(URI blue, String blueModel, URI green, String greenModel)
            throws IOException, InterruptedException {
        List<PullRequest> prs = sample.get();
        List<Check> versionChecks = new ArrayList<>();
        List<QualityGate.Scored> b = score(blue, prs, blueModel, "blue", versionChecks);
        List<QualityGate.Scored> g = score(green, prs, greenModel, "green", versionChecks);
        GateResult judged = QualityGate.judge(b, g, bounds);
        List<Check> all = new ArrayList<>(versionChecks);
        all.addAll(judged.checks());
        return GateResult.of("quality", all);
    }

    private List<QualityGate.Scored> score(URI base, List<PullRequest> prs, String expectedModel, String tag,
            List<Check> checks) throws IOException, InterruptedException {
        List<QualityGate.Scored> out = new ArrayList<>();
        String served = null;
        int wrong = 0;
        for (int i = 0; i < prs.size(); i += BATCH) {
            ArrayNode batch = Json.mapper().createArrayNode();
            prs.subList(i, Math.min(prs.size(), i + BATCH)).forEach(pr -> batch.add(GitHubPullRequests.toJson(pr)));
            HttpResponse<byte[]> res = http.send(HttpRequest.newBuilder(base.resolve("/score"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(batch))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (res.statusCode() != 200) {
                throw new IOException(tag + " answered " + res.statusCode() + " to a batch of " + batch.size() + ": "
                        + new String(res.body(), java.nio.charset.StandardCharsets.UTF_8).strip());
            }
            for (JsonNode a : Json.mapper().readTree(res.body())) {
                String version = a.path("model").path("version").asText(null);
                served = version;
                if (expectedModel != null && !expectedModel.equals(version)) {
                    wrong++;
                }
                JsonNode score = a.get("score");
                double threshold = a.path("threshold").asDouble();
                double ratio = score == null || score.isNull() ? Double.POSITIVE_INFINITY : score.asDouble(
                        ) / threshold;
                out.add(new QualityGate.Scored(a.path("repo").asText() + "#" + a.path("number").asInt(), ratio,
                        a.path("anomalous").asBoolean()));
            }
        }
        if (expectedModel != null) {
            checks.add(new Check(tag + "_model_version", wrong, "==0", wrong == 0, wrong == 0
                    ? tag + " answered every PR with version " + expectedModel
                    : wrong + " answers of " + tag + " came from version " + served + ", not " + expectedModel));
        }
        return out;
    }
}
