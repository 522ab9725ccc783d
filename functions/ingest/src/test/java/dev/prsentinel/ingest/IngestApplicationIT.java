package dev.prsentinel.ingest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.store.DeadLetterStore;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.testing.SharedData;
import dev.prsentinel.ingest.github.GitHubReplay;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The ingest app over real HTTP: embedded store, GitHub replayed by WireMock, K_SINK caught by WireMock. */
class IngestApplicationIT {

    private static final MongoServer MONGO = new MongoServer(new MemoryBackend());
    private static final WireMockServer GITHUB = new WireMockServer(wireMockConfig().dynamicPort());
    private static final WireMockServer SINK = new WireMockServer(wireMockConfig().dynamicPort());
    private static IngestApplication app;
    private static MongoClient client;
    private static PullRequestStore store;
    private static DeadLetterStore deadLetters;
    private static int port;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void servers() throws Exception {
        String mongoUri = "mongodb://127.0.0.1:" + MONGO.bind().getPort();
        GITHUB.start();
        SINK.start();
        SINK.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(202)));
        app = IngestApplication.start(Map.of("MONGODB_URI", mongoUri, "GITHUB_API_URL", GITHUB.baseUrl(),
                "K_SINK", SINK.baseUrl() + "/", "INGEST_MAX_BODY_BYTES", "200000", "INGEST_PAGE_SIZE", "10",
                "INGEST_ROUTES", "events"), "127.0.0.1", 0);
        port = app.port();
        client = MongoClients.create(mongoUri);
        store = new PullRequestStore(client.getDatabase("prsentinel"), Clock.systemUTC());
        deadLetters = new DeadLetterStore(client.getDatabase("prsentinel"), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        app.close();
        client.close();
        GITHUB.stop();
        SINK.stop();
        MONGO.shutdownNow();
    }

    private HttpResponse<String> send(Map<String, String> headers, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, String> binary(String id, String type) {
        return Map.of("ce-specversion", "1.0", "ce-id", id, "ce-source", "https://github.com/x/y", "ce-type", type,
                "content-type", "application/json");
    }

    @Test
    void aWebhookInBinaryModeIsStoredAndAnsweredWithExplicitAttributes() throws Exception {
        Path file = SharedData.require("fixtures/webhooks/pull_request.opened.12.json");
        HttpResponse<String> r = send(binary("it-1", EventTypes.GITHUB_PULL_REQUEST), Files.readAllBytes(file));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("ce-type")).hasValue(EventTypes.PR_INGESTED);
        assertThat(r.headers().firstValue("ce-source")).hasValue("urn:prsentinel:function:ingest");
        assertThat(r.headers().firstValue("ce-id")).isPresent();
        JsonNode payload = Json.mapper().readTree(file.toFile()).get("pull_request");
        assertThat(store.find(payload.at("/base/repo/full_name").asText(), payload.get("number").asInt())).isPresent();
    }

    @Test
    void aWebhookInStructuredModeIsStored() throws Exception {
        Path file = SharedData.require("fixtures/webhooks/pull_request.closed.4.json");
        String event = "{\"specversion\":\"1.0\",\"id\":\"it-2\",\"source\":\"https://github.com/x/y\",\"type\":\""
                + EventTypes.GITHUB_PULL_REQUEST + "\",\"datacontenttype\":\"application/json\",\"data\":"
                + Files.readString(file) + "}";
        HttpResponse<String> r = send(Map.of("content-type", "application/cloudevents+json"), event.getBytes());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("ce-type")).hasValue(EventTypes.PR_INGESTED);
    }

    @Test
    void badInputIs4xxWithAReasonAndNoStackTrace() throws Exception {
        HttpResponse<String> noId = send(Map.of("ce-specversion", "1.0", "ce-source", "/x", "ce-type",
                EventTypes.GITHUB_PULL_REQUEST, "content-type", "application/json"), "{}".getBytes());
        assertThat(noId.statusCode()).isEqualTo(400);
        assertThat(noId.body()).contains("not a valid CloudEvent").doesNotContain("Exception");

        HttpResponse<String> unknown = send(binary("it-3", "com.example.unknown"), "{}".getBytes());
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("unsupported event type");

        HttpResponse<String> malformed = send(binary("it-4", EventTypes.GITHUB_PULL_REQUEST), "{\"pull".getBytes());
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("not valid JSON");

        HttpResponse<String> oversized = send(binary("it-5", EventTypes.GITHUB_PULL_REQUEST), new byte[300_000]);
        assertThat(oversized.statusCode()).isEqualTo(413);

        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.body()).doesNotContain("at org.");
    }

    @Test
    void aSyncRequestIsAcceptedAndItsResultPostedToTheSink() throws Exception {
        GitHubReplay replay = new GitHubReplay(GITHUB);
        replay.stubAll(10, Instant.now());
        HttpResponse<String> r = send(binary("it-sync", EventTypes.SYNC_REQUESTED),
                ("{\"repos\":[\"" + GitHubReplay.REPO + "\"]}").getBytes());
        assertThat(r.statusCode()).isEqualTo(202);

        List<LoggedRequest> delivered = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (delivered.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            delivered = SINK.findAll(postRequestedFor(urlEqualTo("/")));
        }
        assertThat(delivered).hasSize(1);
        LoggedRequest event = delivered.get(0);
        assertThat(event.getHeader("ce-type")).isEqualTo(EventTypes.PR_INGESTED);
        assertThat(event.getHeader("ce-subject")).isEqualTo(GitHubReplay.REPO);
        JsonNode data = Json.mapper().readTree(event.getBodyAsString());
        assertThat(data.get("inserted").asInt()).isEqualTo(replay.pulls().size());
        assertThat(data.get("numbers")).hasSize(replay.pulls().size());
    }

    @Test
    void deadLettersAreKeptWithKnativesReason() throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/dead-letters"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"x\":1}"));
        Map.of("ce-specversion", "1.0", "ce-id", "dl-1", "ce-source", "/x", "ce-type", "com.example.t",
                "content-type", "application/json", "ce-knativeerrorcode", "500",
                "ce-knativeerrordata", java.util.Base64.getEncoder().encodeToString("boom".getBytes()))
                .forEach(b::header);
        assertThat(http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(202);
        assertThat(deadLetters.count()).isEqualTo(1);
    }

    @Test
    void fiftyCopiesAtOnceThenARedeliveryStoreOnePrAndAllEndWithTheSameReply() throws Exception {
        // The fixtures are versions of one PR that other tests here store too: this one gets a repository of its own.
        String original = Files.readString(SharedData.require("fixtures/webhooks/pull_request.reopened.18.json"));
        JsonNode fixture = Json.mapper().readTree(original).get("pull_request");
        byte[] body = original.replace(fixture.at("/base/repo/full_name").asText(), "concurrency/copies")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String key = "concurrency/copies#" + fixture.get("number").asInt();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(50);
        try {
            List<java.util.concurrent.Future<HttpResponse<String>>> answers = new java.util.ArrayList<>();
            // More than the 20 events a pod takes at once: the rest are answered 503 and retried, as a
            // broker does; every copy ends with the same reply.
            for (int i = 0; i < 50; i++) {
                answers.add(pool.submit(() -> {
                    HttpResponse<String> r = send(binary("concurrent-1", EventTypes.GITHUB_PULL_REQUEST), body);
                    for (int retry = 0; r.statusCode() == 503 && retry < 50; retry++) {
                        assertThat(r.body()).contains("retry later");
                        Thread.sleep(20);
                        r = send(binary("concurrent-1", EventTypes.GITHUB_PULL_REQUEST), body);
                    }
                    return r;
                }));
            }
            java.util.Set<String> replies = new java.util.HashSet<>();
            for (java.util.concurrent.Future<HttpResponse<String>> a : answers) {
                HttpResponse<String> r = a.get();
                assertThat(r.statusCode()).isEqualTo(200);
                replies.add(r.headers().firstValue("ce-id").orElseThrow() + " " + r.body());
            }
            assertThat(replies).hasSize(1);
            HttpResponse<String> later = send(binary("concurrent-1", EventTypes.GITHUB_PULL_REQUEST), body);
            assertThat(later.statusCode()).isEqualTo(200);
            assertThat(later.headers().firstValue("ce-id").orElseThrow() + " " + later.body())
                    .isEqualTo(replies.iterator().next());
            assertThat(client.getDatabase("prsentinel").getCollection("pull_requests")
                    .countDocuments(new org.bson.Document("_id", key))).isEqualTo(1);
            assertThat(client.getDatabase("prsentinel").getCollection("pull_requests")
                    .countDocuments(new org.bson.Document("repo", "concurrency/copies"))).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anOversizedBodyIsReadToItsEndSoAClientThatWritesFirstGetsThe413() throws Exception {
        // More than loopback's socket buffers hold, so the client blocks writing if nobody reads: with
        // 2 MB the write completed into the buffers and the test passed with the drain switched off.
        byte[] body = new byte[32 * 1024 * 1024];
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "ce-specversion: 1.0\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            assertThat(new String(socket.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII))
                    .isEqualTo("HTTP/1.1 413");
        }
    }

    @Test
    void theEventsRoleHasNoWebhookRoute() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + IngestApplication.WEBHOOK_PATH)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
    }

    @Test
    void probesAnswer() throws Exception {
        for (String probe : List.of("/health/liveness", "/health/readiness")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + probe))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(probe).isEqualTo(200);
        }
    }
}
