package dev.prsentinel.local.demo;

import dev.prsentinel.core.anomaly.Scorer;
import dev.prsentinel.core.cli.Console;
import dev.prsentinel.core.features.FeatureUnits;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.store.PullRequestDocuments;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import dev.prsentinel.local.LocalStack;
import dev.prsentinel.score.Report;
import dev.prsentinel.score.ScoreClient;
import dev.prsentinel.score.ScoredPr;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.bson.Document;

/**
 * The last step: every stored PR scored by the score function over HTTP, as a client would, the
 * top anomalies printed with their explanations, the injected ones counted, and the report written.
 */
public final class Scoring {

    /**
     * What scoring found.
     *
     * @param model      "name version N" of the served model, or null when none was served in time
     * @param scored     every PR's score
     * @param seconds    time spent scoring over HTTP
     * @param caught     injected anomalies flagged, by kind
     * @param injected   injected anomalies stored, by kind
     * @param report     the page written, or null
     */
    public record Result(String model, List<ScoredPr> scored, double seconds,
            Map<SyntheticPullRequests.Kind, Integer> caught, Map<SyntheticPullRequests.Kind, Integer> injected,
            Path report) {
    }

    private Scoring() {
    }

    public static Result run(LocalStack stack, Map<String, SyntheticPullRequests.Kind> kinds, Path reportFile,
            Duration wait) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!stack.scoreReady() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        Map<SyntheticPullRequests.Kind, Integer> injected = new EnumMap<>(SyntheticPullRequests.Kind.class);
        Map<SyntheticPullRequests.Kind, Integer> caught = new EnumMap<>(SyntheticPullRequests.Kind.class);
        if (!stack.scoreReady()) {
            return new Result(null, List.of(), 0, caught, injected, null);
        }
        List<PullRequest> prs = new ArrayList<>();
        for (Document d : stack.store().client().getDatabase(stack.store().settings().database())
                .getCollection(PullRequestDocuments.COLLECTION).find().batchSize(2000)) {
            prs.add(PullRequestDocuments.fromDocument(d));
        }
        long t = System.nanoTime();
        ScoreClient.Scored answer = new ScoreClient(stack.scoreUrl()).score(prs);
        List<ScoredPr> scored = answer.scores();
        double seconds = (System.nanoTime() - t) / 1e9;
        for (ScoredPr s : scored) {
            SyntheticPullRequests.Kind kind = kinds.get(s.key());
            if (kind != null) {
                injected.merge(kind, 1, Integer::sum);
                if (s.result().anomalous()) {
                    caught.merge(kind, 1, Integer::sum);
                }
            }
        }
        Map<String, String> marks = new HashMap<>();
        kinds.forEach((k, v) -> marks.put(k, "injected: " + v.name().toLowerCase(Locale.ROOT)));
        Map<String, Instant> created = new HashMap<>();
        boolean synthetic = false;
        for (PullRequest pr : prs) {
            if (pr.createdAt() != null) {
                created.put(pr.key(), pr.createdAt());
            }
            synthetic |= pr.repo().startsWith(SyntheticPullRequests.ORG + "/");
        }
        // The demo's PRs exist nowhere on GitHub: no links to pages that are not there.
        Report.write(reportFile, scored, created, modelInfo(stack, answer,
                scored.isEmpty() ? Double.NaN : scored.get(0).result().threshold()), marks, !synthetic, Instant.now());
        return new Result(answer.modelName() + " version " + answer.modelVersion(), scored, seconds, caught,
                injected, reportFile);
    }

    /** The served version's run (its link) and its feature set, from the registry and the store. */
    private static Report.ModelInfo modelInfo(LocalStack stack, ScoreClient.Scored answer, double threshold) {
        String link = null;
        String trainingData = null;
        try {
            var tracking = stack.tracking();
            var version = tracking.version(answer.modelName(), answer.modelVersion());
            if (version.isPresent()) {
                var run = tracking.run(version.get().runId());
                link = tracking.link(run);
                var model = dev.prsentinel.core.anomaly.ModelPackage.parse(tracking.downloadArtifact(run,
                        dev.prsentinel.core.tracking.Tracking.MODEL_DIR + "/"
                                + dev.prsentinel.core.anomaly.ModelPackage.FILE), "run " + run.id());
                Object setId = model.training().get("feature_set_id");
                Document set = setId == null ? null : stack.store().client().getDatabase(
                        stack.store().settings().database()).getCollection("feature_sets")
                        .find(com.mongodb.client.model.Filters.eq("_id", setId)).first();
                trainingData = set == null ? (setId == null ? null : "feature set " + setId)
                        : String.format(Locale.ROOT, "feature set %s: %,d PRs of the store, built %s", setId,
                                ((Number) set.get("rows")).longValue(), set.getDate("created_at").toInstant());
            }
        } catch (RuntimeException e) {
            // The page is still worth writing without them; it says less about the model.
            org.slf4j.LoggerFactory.getLogger(Scoring.class).warn("the report names no training run: {}",
                    e.getMessage());
        }
        return new Report.ModelInfo(answer.modelName(), answer.modelVersion(), threshold, link, trainingData);
    }

    public static void print(Result r, Map<String, SyntheticPullRequests.Kind> kinds, Console console) {
        if (r.model() == null) {
            console.line("score: no model served in time (the champion is registered by the first training)");
            return;
        }
        long anomalous = r.scored().stream().filter(s -> s.result().anomalous()).count();
        console.line("score: %s served; %d PRs scored over HTTP in %.1f s, %d anomalous", r.model(), r.scored().size(),
                r.seconds(), anomalous);
        Map<String, Long> byCategory = new TreeMap<>();
        r.scored().forEach(s -> byCategory.merge(s.result().category(), 1L, Long::sum));
        console.line("  by category: %s", byCategory);
        console.line("  top anomalies:");
        r.scored().stream().filter(s -> s.result().anomalous())
                .sorted(Comparator.comparingDouble((ScoredPr s) -> s.result().score()).reversed()).limit(5)
                .forEach(s -> {
                    SyntheticPullRequests.Kind kind = kinds.get(s.key());
                    console.line("    %-30s score %8.3f  %-8s by %-14s%s", s.key(), s.result().score(),
                            s.result().category(), s.result().detector(),
                            kind == null ? "" : "  [injected: " + kind.name().toLowerCase(Locale.ROOT) + "]");
                    for (Scorer.Contribution c : s.result().top()) {
                        console.line("        %2.0f%%  %s", 100 * c.share(), FeatureUnits.describe(c.feature(),
                                c.value(), c.typicalLow(), c.typicalHigh()));
                    }
                });
        int caught = r.caught().values().stream().mapToInt(Integer::intValue).sum();
        int injected = r.injected().values().stream().mapToInt(Integer::intValue).sum();
        if (injected > 0) {
            console.line("  injected anomalies caught by the served model: %d of %d, by kind %s of %s", caught,
                    injected, r.caught(), r.injected());
        }
        console.line("report: %s", r.report().toAbsolutePath());
    }
}
