package dev.prsentinel.ingest;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
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
import dev.prsentinel.core.secrets.OpenBaoDevServer;
import dev.prsentinel.core.secrets.Secrets;
import dev.prsentinel.core.testing.LogCapture;
import dev.prsentinel.core.testing.Need;
import dev.prsentinel.core.testing.Needs;
import dev.prsentinel.core.testing.OpenBao;
import dev.prsentinel.core.testing.ServiceAccountIssuer;
import dev.prsentinel.core.testing.SharedData;
import dev.prsentinel.ingest.github.GitHubReplay;
import dev.prsentinel.ingest.webhooks.WebhookSignature;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ingest with its secrets from a real OpenBao only: the three VAULT_* variables and a
 * service-account token file, nothing secret in its environment. Kubernetes auth checks that
 * token through core's TokenReview stand-in (it says why). GitHub is replayed from recordings
 * behind a check that accepts only the rotated token. Everything the JVM logged is grepped for
 * the secret values at the end.
 */
@Needs(Need.OPENBAO)
class IngestVaultIT {

    private static final String OLD_TOKEN = "ghp_oldTokenValue00000000000000000001";
    private static final String NEW_TOKEN = "ghp_newTokenValue00000000000000000002";
    private static final String OLD_HOOK = "hook-secret-old-5b1f";
    private static final String NEW_HOOK = "hook-secret-new-77aa";

    private static final WireMockServer GITHUB = new WireMockServer(wireMockConfig().dynamicPort());
    private static final WireMockServer SINK = new WireMockServer(wireMockConfig().dynamicPort());
    private static final MongoServer FIRST = new MongoServer(new MemoryBackend());
    private static final MongoServer SECOND = new MongoServer(new MemoryBackend());
    private static LogCapture logs;
    private static ServiceAccountIssuer issuer;
    private static OpenBaoDevServer bao;
    private static Path dir;
    private static String firstUri;
    private static String secondUri;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void servers() throws Exception {
        logs = new LogCapture();
        dir = OpenBao.tempDir();
        issuer = new ServiceAccountIssuer();
        bao = OpenBao.start(0);
        OpenBao.bootstrap(bao, issuer, dir);
        firstUri = "mongodb://127.0.0.1:" + FIRST.bind().getPort();
        secondUri = "mongodb://127.0.0.1:" + SECOND.bind().getPort();
        GITHUB.start();
        SINK.start();
        SINK.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(202)));
    }

    @AfterAll
    static void stop() {
        GITHUB.stop();
        SINK.stop();
        FIRST.shutdownNow();
        SECOND.shutdownNow();
        if (bao != null) {
            bao.close();
        }
        if (issuer != null) {
            issuer.close();
        }
        if (logs != null) {
            logs.close();
            logs.assertHoldsNone(List.of(OLD_TOKEN, NEW_TOKEN, OLD_HOOK, NEW_HOOK, bao.rootToken()),
                    "logged in to Vault at");
        }
    }

    private static Map<String, String> env(String workload, String routes) throws Exception {
        Map<String, String> env = OpenBao.workloadEnv(bao, issuer, dir, workload);
        env.putAll(Map.of("INGEST_ROUTES", routes, "GITHUB_API_URL", GITHUB.baseUrl(), "K_SINK",
                SINK.baseUrl() + "/", "INGEST_PAGE_SIZE", "10"));
        return env;
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }

    private int status(int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return 0;
        }
    }

    private HttpResponse<String> event(int port, String id, String type, String data) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .header("ce-specversion", "1.0").header("ce-id", id).header("ce-source", "/it/vault")
                .header("ce-type", type).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(data)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aMissingKeyKeepsItNotReadyNamingTheKeyAndPathUntilItIsWritten() throws Exception {
        bao.putSecret("prsentinel/staging/ingest", Map.of(Secrets.GITHUB_TOKEN, OLD_TOKEN));
        try (IngestApplication app = IngestApplication.start(env("ingest", "events"), "127.0.0.1", 0)) {
            Thread.sleep(1500);
            assertThat(status(app.port(), "/health/readiness")).isEqualTo(503);
            assertThat(status(app.port(), "/health/liveness")).isEqualTo(200);
            HttpResponse<String> refused = event(app.port(), "missing-1", EventTypes.SYNC_REQUESTED,
                    "{\"repos\":[\"a/b\"]}");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).contains("not ready").doesNotContain(OLD_TOKEN).doesNotContain("127.0.0.1");
            assertThat(logs.text()).contains("key mongodb_uri is missing from secret/prsentinel/staging/ingest");

            bao.putSecret("prsentinel/staging/ingest", Map.of(Secrets.GITHUB_TOKEN, OLD_TOKEN,
                    Secrets.MONGODB_URI, firstUri));
            await(() -> status(app.port(), "/health/readiness") == 200, Duration.ofSeconds(40), "ready");
        }
    }

    @Test
    void aRotatedGitHubTokenIsReReadOnTheFirst401AndTheBackfillRetriedOnce() throws Exception {
        bao.putSecret("prsentinel/staging/ingest", Map.of(Secrets.GITHUB_TOKEN, OLD_TOKEN,
                Secrets.MONGODB_URI, firstUri));
        GitHubReplay replay = new GitHubReplay(GITHUB);
        replay.stubAll(10, Instant.now());
        // GitHub revoked the old token: anything not carrying the new one gets GitHub's own 401.
        String unauthorized = "{\"message\":\"Bad credentials\",\"documentation_url\":\"https://docs.github.com/rest\","
                + "\"status\":\"401\"}";
        GITHUB.stubFor(get(anyUrl()).atPriority(1).withHeader("Authorization", notContaining(NEW_TOKEN))
                .willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                        .withBody(unauthorized)));
        GITHUB.stubFor(get(anyUrl()).atPriority(1).withHeader("Authorization", absent())
                .willReturn(aResponse().withStatus(401).withBody(unauthorized)));
        Map<String, String> env = env("ingest", "events");
        // No scheduled check during the test: only the 401 can bring the new token in.
        env.put("VAULT_REFRESH", "PT1H");
        try (IngestApplication app = IngestApplication.start(env, "127.0.0.1", 0)) {
            await(() -> status(app.port(), "/health/readiness") == 200, Duration.ofSeconds(30), "ready");
            bao.putSecret("prsentinel/staging/ingest", Map.of(Secrets.GITHUB_TOKEN, NEW_TOKEN,
                    Secrets.MONGODB_URI, firstUri));
            SINK.resetRequests();
            assertThat(event(app.port(), "sync-rotated", EventTypes.SYNC_REQUESTED,
                    "{\"repos\":[\"" + GitHubReplay.REPO + "\"]}").statusCode()).isEqualTo(202);
            await(() -> !SINK.findAll(postRequestedFor(urlEqualTo("/"))).isEmpty(), Duration.ofSeconds(60),
                    "pr.ingested posted");
            JsonNode data = Json.mapper().readTree(SINK.findAll(postRequestedFor(urlEqualTo("/"))).get(0)
                    .getBodyAsString());
            assertThat(data.get("inserted").asInt()).isEqualTo(replay.pulls().size());
            // The first run stopped at the repository's 401, then ran again once, with the new token.
            assertThat(GITHUB.findAll(getRequestedFor(anyUrl()).withHeader("Authorization", containing(OLD_TOKEN))))
                    .extracting(LoggedRequest::getUrl).contains("/repos/" + GitHubReplay.REPO);
            assertThat(logs.text().split("retrying the backfill of " + GitHubReplay.REPO + " once", -1)).hasSize(2);
            assertThat(GITHUB.findAll(getRequestedFor(anyUrl()).withHeader("Authorization", containing(NEW_TOKEN))))
                    .isNotEmpty();
        }
    }

    @Test
    void theReceiverChecksWithARotatedSecretAtOnceAndNeverSeesTheStore() throws Exception {
        bao.putSecret("prsentinel/staging/ingest-webhooks", Map.of(Secrets.GITHUB_WEBHOOK_SECRET, OLD_HOOK));
        Map<String, String> env = env("ingest-webhooks", "webhooks");
        env.put("VAULT_REFRESH", "PT1H");
        try (IngestApplication app = IngestApplication.start(env, "127.0.0.1", 0)) {
            await(() -> status(app.port(), "/health/readiness") == 200, Duration.ofSeconds(30), "ready");
            byte[] body = Files.readAllBytes(SharedData.require("fixtures/webhooks/pull_request.opened.12.json"));
            assertThat(deliver(app.port(), "d-old", body, new WebhookSignature(OLD_HOOK)).statusCode()).isEqualTo(202);
            // GitHub's settings now sign with the new secret, written to OpenBao first.
            bao.putSecret("prsentinel/staging/ingest-webhooks", Map.of(Secrets.GITHUB_WEBHOOK_SECRET, NEW_HOOK));
            HttpResponse<String> rotated = deliver(app.port(), "d-new", body, new WebhookSignature(NEW_HOOK));
            assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(202);
            Thread.sleep(600);
            HttpResponse<String> stale = deliver(app.port(), "d-stale", body, new WebhookSignature(OLD_HOOK));
            assertThat(stale.statusCode()).isEqualTo(401);
            assertThat(stale.body()).doesNotContain(OLD_HOOK).doesNotContain(NEW_HOOK);
        }
    }

    private HttpResponse<String> deliver(int port, String delivery, byte[] body, WebhookSignature signature)
            throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + IngestApplication.WEBHOOK_PATH))
                .header("X-GitHub-Event", "pull_request").header("X-GitHub-Delivery", delivery)
                .header("X-Hub-Signature-256", signature.sign(body)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRotatedStoreUriMovesEventsToTheNewClientAndLosesNoneInFlight() throws Exception {
        bao.putSecret("prsentinel/staging/ingest", Map.of(Secrets.MONGODB_URI, firstUri));
        Map<String, String> env = env("ingest", "events");
        env.put("VAULT_REFRESH", "PT0.5S");
        String body = Files.readString(SharedData.require("fixtures/webhooks/pull_request.opened.12.json"));
        try (IngestApplication app = IngestApplication.start(env, "127.0.0.1", 0);
                MongoClient first = MongoClients.create(firstUri);
                MongoClient second = MongoClients.create(secondUri)) {
            await(() -> status(app.port(), "/health/readiness") == 200, Duration.ofSeconds(30), "ready");
            List<String> acknowledged = new ArrayList<>();
            AtomicBoolean rotated = new AtomicBoolean();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            int i = 0;
            while (System.nanoTime() < deadline) {
                String id = "rotation-" + i++;
                HttpResponse<String> r = event(app.port(), id, EventTypes.GITHUB_PULL_REQUEST, body);
                if (r.statusCode() / 100 == 2) {
                    acknowledged.add(id);
                }
                if (i == 20 && rotated.compareAndSet(false, true)) {
                    bao.putSecret("prsentinel/staging/ingest", Map.of(Secrets.MONGODB_URI, secondUri));
                }
                if (rotated.get() && second.getDatabase("prsentinel").getCollection("processed_events_ingest")
                        .countDocuments() >= 20) {
                    break;
                }
            }
            long inFirst = first.getDatabase("prsentinel").getCollection("processed_events_ingest")
                    .countDocuments(new Document("state", "done"));
            long inSecond = second.getDatabase("prsentinel").getCollection("processed_events_ingest")
                    .countDocuments(new Document("state", "done"));
            assertThat(inSecond).as("events after the rotation reach the new store").isGreaterThanOrEqualTo(20);
            assertThat(inFirst + inSecond).as("every acknowledged event was recorded").isEqualTo(acknowledged.size());
            assertThat(acknowledged).hasSize(i);
        }
    }
}
