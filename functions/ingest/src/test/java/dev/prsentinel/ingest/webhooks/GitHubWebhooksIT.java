package dev.prsentinel.ingest.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.github.GitHubPullRequests;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.testing.SharedData;
import dev.prsentinel.ingest.IngestApplication;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GitHub's deliveries as GitHub sends them (X-GitHub-Event, X-GitHub-Delivery, X-Hub-Signature-256
 * over the raw body), to ingest running both roles over real HTTP. K_SINK points at ingest's own
 * CloudEvent route: a stand-in for the broker, which delivers the very same event there; the
 * local runtime's tests run the broker itself in between.
 */
class GitHubWebhooksIT {

    private static final String SECRET = "webhook secret for the test " + UUID.randomUUID();
    private static final MongoServer MONGO = new MongoServer(new MemoryBackend());
    private static IngestApplication app;
    private static MongoClient client;
    private static PullRequestStore store;
    private static URI receiver;

    private final HttpClient http = HttpClient.newHttpClient();
    private final WebhookSignature signature = new WebhookSignature(SECRET);

    @BeforeAll
    static void start() throws Exception {
        String mongoUri = "mongodb://127.0.0.1:" + MONGO.bind().getPort();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        app = IngestApplication.start(Map.of("MONGODB_URI", mongoUri, "GITHUB_WEBHOOK_SECRET", SECRET,
                "K_SINK", "http://127.0.0.1:" + port + "/", "GITHUB_API_URL", "http://127.0.0.1:9"), "127.0.0.1", port);
        receiver = URI.create("http://127.0.0.1:" + port + IngestApplication.WEBHOOK_PATH);
        client = MongoClients.create(mongoUri);
        store = new PullRequestStore(client.getDatabase("prsentinel"), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        app.close();
        client.close();
        MONGO.shutdownNow();
    }

    private HttpResponse<String> deliver(String event, String delivery, byte[] body, Map<String, String> override)
            throws Exception {
        Map<String, String> headers = new HashMap<>(Map.of("X-GitHub-Event", event, "X-GitHub-Delivery", delivery,
                "X-Hub-Signature-256", signature.sign(body), "Content-Type", "application/json",
                "User-Agent", "GitHub-Hookshot/test"));
        headers.putAll(override);
        HttpRequest.Builder b = HttpRequest.newBuilder(receiver).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach((k, v) -> {
            if (v != null) {
                b.header(k, v);
            }
        });
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String eventOf(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.indexOf('.'));
    }

    @Test
    void everyRecordedWebhookIsStoredWithEveryFieldTheFeaturesRead() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(SharedData.require("fixtures/webhooks"))) {
            files = s.sorted().toList();
        }
        // The fixtures are versions of one PR, which other tests here also deliver: start from none.
        client.getDatabase("prsentinel").getCollection("pull_requests").deleteMany(new org.bson.Document());
        Map<String, Instant> newest = new HashMap<>();
        for (Path file : files) {
            byte[] body = Files.readAllBytes(file);
            HttpResponse<String> r = deliver(eventOf(file), UUID.randomUUID().toString(), body, Map.of());
            assertThat(r.statusCode()).as(file.toString()).isEqualTo(202);
            assertThat(r.body()).contains("\"status\":\"accepted\"");

            JsonNode payload = Json.mapper().readTree(body);
            PullRequest raw = GitHubPullRequests.fromJson(payload.get("pull_request"),
                    payload.at("/repository/full_name").asText(), Source.WEBHOOK, "pull_request");
            Instant seen = newest.get(raw.key());
            if (seen != null && !raw.observedAt().isAfter(seen)) {
                continue;
            }
            newest.put(raw.key(), raw.observedAt());
            PullRequest stored = store.find(raw.repo(), raw.number()).orElseThrow();
            String what = file.getFileName().toString();
            JsonNode pr = payload.get("pull_request");
            assertThat(stored.authorAssociation()).as(what).isEqualTo(pr.get("author_association").asText());
            assertThat(stored.draft()).as(what).isEqualTo(pr.has("draft") ? pr.get("draft").asBoolean() : null);
            if (pr.has("requested_reviewers")) {
                assertThat(stored.requestedReviewers()).as(what + ": an empty list is 0, not unknown")
                        .isEqualTo(pr.get("requested_reviewers").size() + pr.path("requested_teams").size());
            }
            assertThat(stored.labels()).as(what).hasSize(pr.get("labels").size());
            // Every field the feature specs read, against the payload's own mapping. Where the payload
            // does not say (a review event's partial PR has no counts), the store keeps what it knew.
            Object[][] fields = {
                {"additions", raw.additions(), stored.additions()}, {"deletions", raw.deletions(), stored.deletions()},
                {"changed_lines", raw.changedLines(), stored.changedLines()},
                {"changed_files", raw.changedFiles(), stored.changedFiles()},
                {"commits", raw.commits(), stored.commits()}, {"comments", raw.comments(), stored.comments()},
                {"review_comments", raw.reviewComments(), stored.reviewComments()},
                {"title_length", raw.titleLength(), stored.titleLength()},
                {"body_length", raw.bodyLength(), stored.bodyLength()}, {"merged", raw.merged(), stored.merged()},
                {"head_fork", raw.headFork(), stored.headFork()}, {"created_at", raw.createdAt(), stored.createdAt()},
                {"merged_at", raw.mergedAt(), stored.mergedAt()}, {"closed_at", raw.closedAt(), stored.closedAt()},
                {"labels", raw.labels(), stored.labels()}, {"draft", raw.draft(), stored.draft()},
                {"requested_reviewers", raw.requestedReviewers(), stored.requestedReviewers()},
                {"author_association", raw.authorAssociation(), stored.authorAssociation()}};
            for (Object[] f : fields) {
                if (f[1] != null) {
                    assertThat(f[2]).as(what + " " + f[0]).isEqualTo(f[1]);
                }
            }
            assertThat(stored.source()).isEqualTo(Source.WEBHOOK);
        }
        assertThat(newest).isNotEmpty();
    }

    @Test
    void aRedeliveryWithTheSameDeliveryIdChangesNothing() throws Exception {
        Path file = SharedData.require("fixtures/webhooks/pull_request.opened.13.json");
        byte[] body = Files.readAllBytes(file);
        String delivery = UUID.randomUUID().toString();
        assertThat(deliver("pull_request", delivery, body, Map.of()).statusCode()).isEqualTo(202);
        JsonNode pr = Json.mapper().readTree(body).get("pull_request");
        Object first = store.findDocument(pr.at("/base/repo/full_name").asText(), pr.get("number").asInt())
                .orElseThrow().get("ingested_at");
        long records = client.getDatabase("prsentinel").getCollection("processed_events_ingest").countDocuments();
        assertThat(deliver("pull_request", delivery, body, Map.of()).statusCode()).isEqualTo(202);
        assertThat(store.findDocument(pr.at("/base/repo/full_name").asText(), pr.get("number").asInt())
                .orElseThrow().get("ingested_at")).isEqualTo(first);
        assertThat(client.getDatabase("prsentinel").getCollection("processed_events_ingest").countDocuments())
                .isEqualTo(records);
    }

    @Test
    void aMissingWrongOrForeignSignatureIs401AndStoresNothing() throws Exception {
        byte[] body = Files.readAllBytes(SharedData.require("fixtures/webhooks/pull_request.opened.14.json"));
        JsonNode pr = Json.mapper().readTree(body).get("pull_request");
        String repo = pr.at("/base/repo/full_name").asText();
        int number = pr.get("number").asInt();
        byte[] altered = body.clone();
        altered[altered.length / 2] ^= 1;
        Map<String, Map<String, String>> cases = new HashMap<>();
        cases.put("is missing", new HashMap<>(Map.of()));
        cases.get("is missing").put("X-Hub-Signature-256", null);
        cases.put("other algorithms are not accepted", Map.of("X-Hub-Signature-256", "sha1=abcdef"));
        cases.put("wrong secret", Map.of("X-Hub-Signature-256", new WebhookSignature("guess").sign(body)));
        for (Map.Entry<String, Map<String, String>> c : cases.entrySet()) {
            HttpResponse<String> r = deliver("pull_request", UUID.randomUUID().toString(), body, c.getValue());
            assertThat(r.statusCode()).as(c.getKey()).isEqualTo(401);
            assertThat(r.body()).contains(c.getKey());
        }
        HttpResponse<String> tampered = deliver("pull_request", UUID.randomUUID().toString(), altered,
                Map.of("X-Hub-Signature-256", signature.sign(body)));
        assertThat(tampered.statusCode()).isEqualTo(401);
        assertThat(tampered.body()).contains("does not match the body").doesNotContain(SECRET);
        assertThat(store.find(repo, number)).as("nothing stored").isEmpty();
    }

    @Test
    void aPingIsAnsweredAndOtherEventTypesAreAcceptedAndCounted() throws Exception {
        HttpResponse<String> ping = deliver("ping", UUID.randomUUID().toString(),
                "{\"zen\":\"Keep it logically awesome.\",\"hook_id\":1}".getBytes(StandardCharsets.UTF_8), Map.of());
        assertThat(ping.statusCode()).isEqualTo(200);
        assertThat(ping.body()).contains("pong");
        for (String event : new String[] {"push", "issues", "push"}) {
            HttpResponse<String> r = deliver(event, UUID.randomUUID().toString(),
                    "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8), Map.of());
            assertThat(r.statusCode()).isEqualTo(202);
            assertThat(r.body()).contains("\"status\":\"ignored\"");
        }
        String metrics = http.send(HttpRequest.newBuilder(receiver.resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("prsentinel_ingest_webhooks_ignored_total{event=\"push\"} 2")
                .contains("prsentinel_ingest_webhooks_ignored_total{event=\"issues\"} 1");
    }

    @Test
    void badDeliveriesGetAReasonAndNothingIsHandedOn() throws Exception {
        byte[] body = Files.readAllBytes(SharedData.require("fixtures/webhooks/pull_request.labeled.8.json"));
        HttpResponse<String> form = deliver("pull_request", UUID.randomUUID().toString(), body,
                Map.of("Content-Type", "application/x-www-form-urlencoded"));
        assertThat(form.statusCode()).isEqualTo(415);
        assertThat(form.body()).contains("set the webhook's content type to application/json");
        HttpResponse<String> noId = deliver("pull_request", "", body, Map.of("X-GitHub-Delivery", "not a guid!"));
        assertThat(noId.statusCode()).isEqualTo(400);
        assertThat(noId.body()).contains("X-GitHub-Delivery");
        byte[] hostile = new String(body, StandardCharsets.UTF_8).replace("\"full_name\": \"", "\"full_name\": \"<x>")
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> name = deliver("pull_request", UUID.randomUUID().toString(), hostile, Map.of());
        assertThat(name.statusCode()).isEqualTo(400);
        assertThat(name.body()).contains("not a GitHub owner/name").doesNotContain("Exception");
        byte[] notJson = "{\"pull_request\":".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> broken = deliver("pull_request", UUID.randomUUID().toString(), notJson, Map.of());
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(broken.body()).contains("body: not valid JSON");
    }
}
