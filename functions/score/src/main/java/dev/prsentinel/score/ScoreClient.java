package dev.prsentinel.score;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.anomaly.Detector;
import dev.prsentinel.core.anomaly.Scorer;
import dev.prsentinel.core.github.GitHubPullRequests;
import dev.prsentinel.core.model.PullRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * A client of {@code POST /score}: PRs sent as GitHub objects in batches of the API's maximum,
 * answers read back into explained scores. For the local runtime's demo and report.
 */
public final class ScoreClient {

    private final URI score;
    private final HttpClient http = HttpClient.newHttpClient();

    /** @param base the function's root, http://host:port */
    public ScoreClient(URI base) {
        this.score = base.resolve("/score");
    }

    /**
     * Scores and the model that gave them.
     *
     * @param scores       one per PR, in order
     * @param modelName    the served model, as the answers name it (null for no PRs)
     * @param modelVersion its version
     */
    public record Scored(List<ScoredPr> scores, String modelName, String modelVersion) {
    }

    /**
     * Scores the PRs, in order.
     *
     * @throws IOException when the function refuses a batch; the message holds its reason
     */
    public Scored score(List<PullRequest> prs) throws IOException, InterruptedException {
        List<ScoredPr> out = new ArrayList<>(prs.size());
        String name = null;
        String version = null;
        for (int from = 0; from < prs.size(); from += ScoreApi.MAX_BATCH) {
            ArrayNode batch = Json.mapper().createArrayNode();
            prs.subList(from, Math.min(prs.size(), from + ScoreApi.MAX_BATCH))
                    .forEach(pr -> batch.add(GitHubPullRequests.toJson(pr)));
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(score).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(batch))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IOException("score answered " + r.statusCode() + ": " + new String(r.body(),
                        java.nio.charset.StandardCharsets.UTF_8));
            }
            for (JsonNode s : Json.mapper().readTree(r.body())) {
                out.add(new ScoredPr(PullRequest.key(s.get("repo").asText(), s.get("number").asInt()), parse(s)));
                name = s.at("/model/name").asText();
                version = s.at("/model/version").asText();
            }
        }
        return new Scored(out, name, version);
    }

    /** An explained score read back from its JSON. */
    static Scorer.Score parse(JsonNode s) {
        List<Scorer.Contribution> top = new ArrayList<>();
        for (JsonNode f : s.get("top_features")) {
            top.add(new Scorer.Contribution(f.get("feature").asText(), f.get("group").asText(),
                    f.get("value").isNull() ? Double.NaN : f.get("value").asDouble(),
                    f.get("typical_low").asDouble(), f.get("typical_high").asDouble(), Double.NaN,
                    f.get("share").asDouble()));
        }
        return new Scorer.Score(s.get("score").asDouble(), s.get("threshold").asDouble(),
                s.get("anomalous").asBoolean(), s.get("category").asText(),
                // A revision built before the tail detector answers without the field: its score is the autoencoder.
                s.hasNonNull("detector") ? s.get("detector").asText() : Detector.RECONSTRUCTION, top);
    }
}
