package dev.prsentinel.score;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.anomaly.ModelPackage;
import dev.prsentinel.core.anomaly.Scorer;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.features.FeatureSpec;
import dev.prsentinel.core.features.FeatureSpecV1;
import dev.prsentinel.core.features.FeatureSpecV2;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.github.GitHubPullRequests;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.testing.EmbeddedMongo;
import dev.prsentinel.core.testing.TestEvents;
import dev.prsentinel.core.testing.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The app over HTTP, as Knative and clients use it, with a model from a directory. */
class ScoreApplicationIT {

    @RegisterExtension
    final EmbeddedMongo mongo = new EmbeddedMongo();

    @TempDir
    Path dir;

    private ScoreApplication app;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    private void start(Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("MONGODB_URI", mongo.connectionString(),
                "MODEL_RETRY", "PT0.2S"));
        env.putAll(extra);
        app = ScoreApplication.start(env, "127.0.0.1", 0);
    }

    private Path modelDir() throws Exception {
        Path model = dir.resolve("model");
        TestModels.calibrated(5).write(model);
        return model;
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!app.ready() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(app.ready()).isTrue();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> score(String body) throws Exception {
        return post("/score", body);
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String webhook(PullRequest pr) {
        return "{\"action\":\"opened\",\"repository\":{\"full_name\":\"" + pr.repo() + "\"},\"pull_request\":"
                + GitHubPullRequests.toJson(pr) + "}";
    }

    @Test
    void scoresEachShapeAndABatchWithExplanations() throws Exception {
        start(Map.of("MODEL_DIR", modelDir().toString()));
        awaitReady();
        PullRequest pr = TestModels.PRS.get(7);

        HttpResponse<String> api = score(GitHubPullRequests.toJson(pr).toString());
        assertThat(api.statusCode()).as(api.body()).isEqualTo(200);
        JsonNode s = Json.mapper().readTree(api.body());
        assertThat(s.get("repo").asText()).isEqualTo(pr.repo());
        assertThat(s.get("number").asInt()).isEqualTo(pr.number());
        assertThat(s.get("score").asDouble()).isPositive();
        assertThat(s.get("threshold").asDouble()).isEqualTo(TestModels.calibrated(5).threshold());
        assertThat(s.get("anomalous").asBoolean()).isEqualTo(s.get("score").asDouble() > s.get("threshold").asDouble());
        assertThat(s.get("category").asText()).isIn("normal", "size", "churn", "review", "timing", "author",
                "metadata");
        assertThat(s.get("top_features")).hasSize(3);
        // Every number as the scorer computed it (the answer renders the model's constants once).
        Scorer.Score expected = new Scorer(TestModels.calibrated(5)).explain(pr, ScoreApi.TOP_FEATURES);
        assertThat(s.get("score").asDouble()).isEqualTo(expected.score());
        assertThat(s.get("detector").asText()).isEqualTo(expected.detector()).isIn("reconstruction", "tail");
        for (int i = 0; i < ScoreApi.TOP_FEATURES; i++) {
            JsonNode f = s.get("top_features").get(i);
            Scorer.Contribution c = expected.top().get(i);
            assertThat(f.get("feature").asText()).isEqualTo(c.feature());
            assertThat(f.get("group").asText()).isEqualTo(c.group());
            assertThat(f.get("typical_low").asDouble()).isEqualTo(c.typicalLow());
            assertThat(f.get("typical_high").asDouble()).isEqualTo(c.typicalHigh());
            assertThat(f.get("share").asDouble()).isEqualTo(c.share());
        }
        assertThat(s.at("/model/name").asText()).isEqualTo("local");
        assertThat(s.at("/model/version").asText()).as("the package's hash, not where the server keeps it")
                .matches("sha256:[0-9a-f]{24}").doesNotContain(dir.toString());
        assertThat(s.get("spec_version").asInt()).isEqualTo(FeatureSpecs.CURRENT.version());

        JsonNode fromWebhook = Json.mapper().readTree(score(webhook(pr)).body());
        assertThat(fromWebhook.get("score").asDouble()).isEqualTo(s.get("score").asDouble());
        String stored = "{\"repo\":\"o/r\",\"number\":3,\"additions\":10,\"deletions\":2,\"changed_files\":1,"
                + "\"commits\":1,\"state\":\"open\",\"created_at\":\"2026-10-01T10:00:00Z\"}";
        assertThat(score(stored).statusCode()).isEqualTo(200);

        String batch = "[" + TestModels.PRS.subList(0, 3).stream().map(p -> GitHubPullRequests.toJson(p).toString())
                .collect(Collectors.joining(",")) + "," + stored + "]";
        JsonNode scores = Json.mapper().readTree(score(batch).body());
        assertThat(scores).hasSize(4);
        assertThat(scores.get(3).get("repo").asText()).isEqualTo("o/r");

        assertThat(get("/openapi.yaml").body()).contains("/score:").contains("top_features");
        assertThat(get("/metrics").body()).containsPattern("prsentinel_score_start_to_ready_seconds \\d")
                .contains("prsentinel_score_ready 1");
    }

    @Test
    void badInputIsA400NamingTheField() throws Exception {
        start(Map.of("MODEL_DIR", modelDir().toString()));
        awaitReady();
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{not json", "body: not JSON");
        cases.put("{\"additions\":1}", "body: not a pull request");
        cases.put("{\"repo\":\"o/r\"}", "pr.number");
        cases.put("{\"repo\":\"o/r\",\"number\":1,\"additions\":\"many\"}", "pr.additions");
        cases.put("{\"repo\":\"o/r\",\"number\":1,\"commits\":-3}", "pr.commits");
        cases.put("{\"repo\":\"o/r\",\"number\":1,\"comments\":NaN}", "body: not JSON");
        cases.put("{\"repo\":\"o/r\",\"number\":1,\"created_at\":\"yesterday\"}", "pr.created_at");
        cases.put("[{\"repo\":\"o/r\",\"number\":1},{\"pull_request\":{\"number\":2,\"additions\":-1},"
                + "\"repository\":{\"full_name\":\"o/r\"}}]", "[1].pull_request.additions");
        cases.put("[]", "a batch holds 1 to 100");
        cases.put("[" + "{\"repo\":\"o/r\",\"number\":1},".repeat(100) + "{\"repo\":\"o/r\",\"number\":1}]",
                "this one 101");
        cases.put("[" + "{\"repo\":\"o/r\",\"number\":-1},".repeat(101) + "{}]", "this one 102");
        cases.put("42", "expected a pull request object");
        cases.put("[{\"repo\":\"o/r\",\"number\":1},null]", "[1]: expected a pull request object");
        cases.put("{\"pull_request\":[1]}", "pull_request: expected a pull request object");
        cases.put("{\"repo\":\"o/r\",\"number\":1}{\"repo\":\"o/r\",\"number\":2}", "more than one JSON value");
        cases.put("[{\"repo\":\"o/r\",\"number\":1}", "body: not JSON");
        cases.put("", "body: empty");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> r = score(c.getKey());
            assertThat(r.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(Json.mapper().readTree(r.body()).get("reason").asText()).as(c.getKey())
                    .contains(c.getValue());
        }
        HttpResponse<String> huge = score("[" + "x".repeat(ScoreApplication.MAX_BODY_BYTES) + "]");
        assertThat(huge.statusCode()).isEqualTo(413);
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/score")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
    }

    @Test
    void theBenchmarksFloorAnswersWhatScoreAnswersAndTheirRoutesExistOnlyWhenAskedFor() throws Exception {
        start(Map.of("MODEL_DIR", modelDir().toString(), "SCORE_NOOP_ENDPOINT", "true"));
        awaitReady();
        for (String body : List.of(GitHubPullRequests.toJson(TestModels.PRS.get(7)).toString(),
                GitHubPullRequests.toJson(TestModels.PRS.get(7)).toString(),
                webhook(TestModels.PRS.get(2)),
                "[" + GitHubPullRequests.toJson(TestModels.PRS.get(1)) + "]",
                "{\"repo\":\"o/r\",\"number\":1,\"commits\":-3}",
                GitHubPullRequests.toJson(TestModels.PRS.get(7)).toString())) {
            HttpResponse<String> floor = post("/floor", body);
            HttpResponse<String> score = score(body);
            assertThat(floor.statusCode()).as(body).isEqualTo(score.statusCode());
            assertThat(floor.body()).as(body).isEqualTo(score.body());
        }
        assertThat(post("/noop", "{}").body()).isEqualTo("{\"ok\":true}");
        app.close();

        start(Map.of("MODEL_DIR", modelDir().toString()));
        awaitReady();
        assertThat(post("/floor", "{}").statusCode()).isEqualTo(404);
        assertThat(post("/noop", "{}").statusCode()).isEqualTo(404);
    }

    @Test
    void withoutAUsableModelItIsAliveButNotReadyAndScoresNothing() throws Exception {
        Path corrupt = dir.resolve("corrupt");
        Files.createDirectories(corrupt);
        Files.writeString(corrupt.resolve(ModelPackage.FILE), "{\"format\":\"prsentinel-autoencoder/1\"}");
        start(Map.of("MODEL_DIR", corrupt.toString()));
        Thread.sleep(500);
        assertThat(get("/health/liveness").statusCode()).isEqualTo(200);
        assertThat(get("/health/readiness").statusCode()).isEqualTo(503);
        HttpResponse<String> r = score(GitHubPullRequests.toJson(TestModels.PRS.get(0)).toString());
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("no model loaded").contains("spec_version is missing or not of type int")
                .doesNotContain("DeserializationFeature");
        assertThat(get("/metrics").body()).contains("prsentinel_score_ready 0");

        // The model arrives: the loader picks it up and the app becomes ready without a restart.
        TestModels.calibrated(5).write(corrupt);
        awaitReady();
        assertThat(get("/health/readiness").statusCode()).isEqualTo(200);
    }

    /**
     * A model keeps being served on the spec it was trained on after an upgrade adds a newer one, and
     * a package naming a spec this build does not know is refused: not ready, the reason in the answer.
     */
    @Test
    void servesAModelOfEverySpecItKnowsAndRefusesOneItDoesNot() throws Exception {
        PullRequest pr = TestModels.PRS.get(7);
        for (FeatureSpec spec : FeatureSpecs.KNOWN) {
            ModelPackage model = TestModels.calibrated(spec, 5, 0.99);
            Path modelDir = dir.resolve("v" + spec.version());
            model.write(modelDir);
            start(Map.of("MODEL_DIR", modelDir.toString()));
            awaitReady();
            JsonNode s = Json.mapper().readTree(score(GitHubPullRequests.toJson(pr).toString()).body());
            assertThat(s.get("spec_version").asInt()).isEqualTo(spec.version());
            assertThat(s.get("score").asDouble()).isEqualTo(new Scorer(model).explain(pr, 3).score());
            // Only a package with a tail detector beside its autoencoder (v4 on) can answer "tail".
            assertThat(model.detectors() != null).isEqualTo(spec.version() >= 4);
            assertThat(s.get("detector").asText()).isEqualTo(new Scorer(model).explain(pr, 3).detector());
            app.close();
        }
        assertThat(new Scorer(TestModels.calibrated(FeatureSpecV1.SPEC, 5, 0.99)).explain(pr, 3).score())
                .as("the two specs give different scores, so the answers above tell them apart")
                .isNotEqualTo(new Scorer(TestModels.calibrated(FeatureSpecV2.SPEC, 5, 0.99)).explain(pr, 3).score());

        Path future = dir.resolve("future");
        TestModels.calibrated(5).write(future);
        Files.writeString(future.resolve(ModelPackage.FILE), Files.readString(future.resolve(ModelPackage.FILE))
                .replace("\"spec_version\" : " + FeatureSpecs.CURRENT.version(), "\"spec_version\" : 99"));
        start(Map.of("MODEL_DIR", future.toString()));
        Thread.sleep(500);
        assertThat(get("/health/readiness").statusCode()).isEqualTo(503);
        HttpResponse<String> refused = score(GitHubPullRequests.toJson(pr).toString());
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).contains("trained on feature spec v99, which this build does not know");
    }

    private HttpResponse<String> ingested(String id, String data) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/"))
                .POST(HttpRequest.BodyPublishers.ofString(data));
        TestEvents.binaryHeaders(id, "urn:prsentinel:function:ingest", EventTypes.PR_INGESTED).forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void beforeAnyModelExistsEventsAreAcceptedUnscoredWhileALoadingModelMakesThemRetry() throws Exception {
        String data = "{\"repo\":\"o/r\",\"numbers\":[1],\"inserted\":1,\"updated\":0,\"unchanged\":0}";
        // An empty registry (a local directory): there is no champion yet.
        start(Map.of("MLFLOW_TRACKING_URI", dir.resolve("registry").toUri().toString()));
        Thread.sleep(500);
        assertThat(ingested("n1", data).statusCode()).isEqualTo(202);
        assertThat(get("/metrics").body()).contains("prsentinel_score_unscored_events_total 1");
        assertThat(score("{\"repo\":\"o/r\",\"number\":1}").statusCode()).isEqualTo(503);
        app.close();

        Path corrupt = dir.resolve("corrupt");
        Files.createDirectories(corrupt);
        Files.writeString(corrupt.resolve(ModelPackage.FILE), "{}");
        start(Map.of("MODEL_DIR", corrupt.toString()));
        Thread.sleep(300);
        assertThat(ingested("n2", data).statusCode()).as("retried by the broker").isEqualTo(503);
    }

    @Test
    void prIngestedIsScoredStoredOnceAndAnsweredWithPrScored() throws Exception {
        start(Map.of("MODEL_DIR", modelDir().toString()));
        awaitReady();
        List<PullRequest> prs = TestModels.PRS.stream().filter(p -> p.repo().equals("synthetic-org/repo-0"))
                .limit(5).toList();
        new PullRequestStore(mongo.database(), Clock.systemUTC()).upsertAll(prs);
        String data = "{\"repo\":\"synthetic-org/repo-0\",\"numbers\":" + prs.stream().map(p -> "" + p.number())
                .collect(Collectors.joining(",", "[", "]")) + ",\"inserted\":5,\"updated\":0,\"unchanged\":0,"
                + "\"updated_from\":\"2026-10-01T00:00:00Z\",\"updated_to\":\"2026-10-01T00:00:00Z\"}";

        HttpRequest.Builder binary = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/"))
                .POST(HttpRequest.BodyPublishers.ofString(data));
        TestEvents.binaryHeaders("i1", "urn:prsentinel:function:ingest", EventTypes.PR_INGESTED)
                .forEach(binary::header);
        HttpResponse<String> first = http.send(binary.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(first.headers().firstValue("ce-type")).hasValue(EventTypes.PR_SCORED);
        JsonNode scored = Json.mapper().readTree(first.body());
        assertThat(scored.get("scores")).hasSize(5);
        assertThat(scored.get("model_version").asText()).isNotBlank();
        assertThat(mongo.database().getCollection(ScoreStore.COLLECTION).countDocuments()).isEqualTo(5);

        HttpResponse<String> again = http.send(binary.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(again.headers().firstValue("ce-id")).isEqualTo(first.headers().firstValue("ce-id"));

        String structured = "{\"specversion\":\"1.0\",\"id\":\"i2\",\"source\":\"urn:prsentinel:function:ingest\","
                + "\"type\":\"" + EventTypes.PR_INGESTED + "\",\"datacontenttype\":\"application/json\",\"data\":"
                + data + "}";
        HttpResponse<String> s = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/"))
                .header("content-type", "application/cloudevents+json")
                .POST(HttpRequest.BodyPublishers.ofString(structured, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(s.statusCode()).as(s.body()).isEqualTo(200);
        assertThat(mongo.database().getCollection(ScoreStore.COLLECTION).countDocuments())
                .as("the same PRs with the same model: replaced, not added").isEqualTo(5);

        HttpRequest.Builder bad = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/"))
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"numbers\":[1],\"inserted\":1,\"updated\":0,\"unchanged\":0}"));
        TestEvents.binaryHeaders("i3", "urn:prsentinel:function:ingest", EventTypes.PR_INGESTED).forEach(bad::header);
        HttpResponse<String> badReply = http.send(bad.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(badReply.statusCode()).isEqualTo(400);
        assertThat(badReply.body()).contains("repo");
    }

    @Test
    void aBatchOfOneHundredRealRestObjectsFits() throws Exception {
        start(Map.of("MODEL_DIR", modelDir().toString()));
        awaitReady();
        List<String> objects = Files.readAllLines(dev.prsentinel.core.testing.SharedData.require(
                "fixtures/github/pulls.jsonl"));
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < ScoreApi.MAX_BATCH; i++) {
            batch.append(i == 0 ? "" : ",").append(objects.get(i % objects.size()));
        }
        String body = batch.append(']').toString();
        assertThat(body.length()).as("100 recorded objects").isGreaterThan(1024 * 1024);
        HttpResponse<String> r = score(body);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(r.body())).hasSize(ScoreApi.MAX_BATCH);
    }

    @Test
    void aClientThatWritesItsWholeOversizedBodyBeforeReadingGetsThe413() throws Exception {
        start(Map.of("MODEL_DIR", modelDir().toString()));
        // More than loopback's socket buffers hold, so the client blocks writing if nobody reads: with
        // 2 MB the write completed into the buffers and the test passed with the drain switched off.
        byte[] body = new byte[32 * 1024 * 1024];
        java.util.Arrays.fill(body, (byte) ' ');
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", app.port())) {
            socket.setSoTimeout(30_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST /score HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            // As Python's http.client does: the whole body first, the answer after.
            out.write(body);
            out.flush();
            String answer = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(answer).isEqualTo("HTTP/1.1 413");
        }
    }

    @Test
    void nothingInternalReachesAClientOrTheLogNoCredentialsNoPathsNoClassNames() throws Exception {
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream logged = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(logged, true, StandardCharsets.UTF_8));
        HttpResponse<String> r;
        try {
            start(Map.of("MLFLOW_TRACKING_URI", "http://prsentinel:s3cret-pass@127.0.0.1:9/", "MODEL_RETRY",
                    "PT0.1S"));
            Thread.sleep(600);
            r = score(GitHubPullRequests.toJson(TestModels.PRS.get(0)).toString());
        } finally {
            System.setErr(err);
        }
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("unreachable").doesNotContain("s3cret").doesNotContain("Exception")
                .doesNotContain("java.");
        assertThat(logged.toString(StandardCharsets.UTF_8)).contains("unreachable").doesNotContain("s3cret-pass");

        app.close();
        Path corrupt = dir.resolve("nonfinite");
        Files.createDirectories(corrupt);
        TestModels.calibrated(5).write(corrupt);
        Files.writeString(corrupt.resolve(ModelPackage.FILE), Files.readString(corrupt.resolve(ModelPackage.FILE))
                .replaceFirst("\"scale\" : \\[ [^,]+", "\"scale\" : [ \"NaN\""));
        start(Map.of("MODEL_DIR", corrupt.toString()));
        Thread.sleep(500);
        assertThat(get("/health/readiness").statusCode()).as("a non-finite model is never served").isEqualTo(503);
        HttpResponse<String> refused = score(GitHubPullRequests.toJson(TestModels.PRS.get(0)).toString());
        assertThat(refused.body()).contains("scaler scale [0] is NaN").doesNotContain(corrupt.toString());
    }

    @Test
    void withoutAStoreItServesScoresAndAnswersEventsWithTheReason() throws Exception {
        app = ScoreApplication.start(Map.of("MODEL_DIR", modelDir().toString()), "127.0.0.1", 0);
        awaitReady();
        assertThat(score(GitHubPullRequests.toJson(TestModels.PRS.get(1)).toString()).statusCode()).isEqualTo(200);
        HttpResponse<String> event = ingested("nostore-1", "{\"repo\":\"o/r\",\"numbers\":[1]}");
        assertThat(event.statusCode()).isEqualTo(503);
        assertThat(event.body()).contains("MONGODB_URI is not set");
    }
}
