package dev.prsentinel.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.http.CloudEventEndpoint;
import dev.prsentinel.core.http.EventSink;
import dev.prsentinel.core.http.HttpAnswer;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.events.PrIngested;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import dev.prsentinel.core.store.ProcessedEvents;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.testing.EmbeddedMongo;
import dev.prsentinel.core.testing.MutableClock;
import dev.prsentinel.core.testing.SharedData;
import dev.prsentinel.core.testing.TestEvents;
import dev.prsentinel.ingest.github.GitHubBackfill;
import dev.prsentinel.ingest.github.SyncStateStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The ingest function without Spring: the shared endpoint, the handlers, the embedded store. */
class IngestHandlersTest {

    @RegisterExtension
    final EmbeddedMongo mongo = new EmbeddedMongo();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-02-01T00:00:00Z"));
    private PullRequestStore store;
    private SyncJobs jobs;
    private CloudEventEndpoint endpoint;

    @BeforeEach
    void setUp() {
        store = new PullRequestStore(mongo.database(), clock).ensureIndexes();
        GitHubBackfill backfill = new GitHubBackfill(GitHubBackfill.Settings.defaults("http://127.0.0.1:9", null),
                store, new SyncStateStore(mongo.database()), clock, d -> { });
        jobs = new SyncJobs(backfill, EventSink.forUrl(null), clock);
        IngestHandlers handlers = new IngestHandlers(store, jobs, clock);
        endpoint = new CloudEventEndpoint(IngestHandlers.acceptedTypes().stream()
                .collect(Collectors.toMap(t -> t, t -> handlers::handle)),
                new ProcessedEvents(mongo.database(), "ingest", clock), 64 * 1024);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        jobs.close();
    }

    static Map<String, String> binary(String id, String type) {
        return TestEvents.binaryHeaders(id, "https://github.com/octo/repo", type);
    }

    private static String typeOf(Path file) {
        String name = file.getFileName().toString();
        return EventTypes.GITHUB_PREFIX + name.substring(0, name.indexOf('.'));
    }

    @Test
    void everyRecordedWebhookIsStoredAndAnswered() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(SharedData.require("fixtures/webhooks"))) {
            files = s.sorted().toList();
        }
        int i = 0;
        for (Path file : files) {
            JsonNode payload = Json.mapper().readTree(file.toFile());
            JsonNode raw = payload.get("pull_request");
            String repo = raw.at("/base/repo/full_name").asText();
            int number = raw.get("number").asInt();
            PullRequest before = store.find(repo, number).orElse(null);

            HttpAnswer r = endpoint.handle(binary("delivery-" + i++, typeOf(file)),
                    Files.readAllBytes(file));

            assertThat(r.status()).as(file.toString()).isIn(200, 202);
            PullRequest stored = store.find(repo, number).orElseThrow();
            Instant updated = Instant.parse(raw.get("updated_at").asText());
            if (before != null && before.updatedAt().equals(updated)) {
                // The same second: the content hash orders the two versions, whichever came first.
                assertThat(r.status()).as(file.toString()).isIn(200, 202);
            } else if (before == null || before.updatedAt().isBefore(updated)) {
                assertThat(r.status()).as(file.toString()).isEqualTo(200);
                assertThat(r.headers()).containsEntry("ce-type", EventTypes.PR_INGESTED)
                        .containsEntry("ce-source", "urn:prsentinel:function:ingest")
                        .containsEntry("ce-subject", repo);
                PrIngested data = Json.mapper().readValue(r.body(), PrIngested.class);
                assertThat(data.numbers()).containsExactly(number);
                assertThat(stored.updatedAt()).isEqualTo(updated);
                assertThat(stored.authorAssociation()).isEqualTo(raw.get("author_association").asText());
                assertThat(stored.source()).isEqualTo(Source.WEBHOOK);
            } else {
                // The examples reuse one PR at many times: an older one must not win.
                assertThat(r.status()).as(file.toString()).isEqualTo(202);
                assertThat(stored.updatedAt()).isEqualTo(before.updatedAt());
            }
        }
        assertThat(store.count()).isPositive();
    }

    private byte[] webhook(int number, String updatedAt, String state) {
        ObjectNode payload = Json.mapper().createObjectNode().put("action", "edited");
        ObjectNode pr = payload.putObject("pull_request");
        pr.put("number", number).put("state", state).put("updated_at", updatedAt)
                .put("created_at", "2026-01-01T00:00:00Z")
                .put("additions", 3).put("deletions", 1).put("changed_files", 1).put("commits", 1).put("comments", 0)
                .put("review_comments", 0).put("author_association", "NONE").put("title", "t");
        pr.putObject("base").put("ref", "main").putObject("repo").put("full_name", "octo/repo");
        payload.putObject("repository").put("full_name", "octo/repo");
        return payload.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theSameDeliveryTwiceChangesNothingAndGetsTheSameReply() {
        byte[] body = webhook(1, "2026-01-02T00:00:00Z", "open");
        HttpAnswer first = endpoint.handle(binary("d1", EventTypes.GITHUB_PULL_REQUEST), body);
        Object ingestedAt = store.findDocument("octo/repo", 1).orElseThrow().get("ingested_at");
        clock.advance(Duration.ofMinutes(5));
        HttpAnswer second = endpoint.handle(binary("d1", EventTypes.GITHUB_PULL_REQUEST), body);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.headers().get("ce-id")).isEqualTo(first.headers().get("ce-id"));
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(store.findDocument("octo/repo", 1).orElseThrow().get("ingested_at")).isEqualTo(ingestedAt);
    }

    @Test
    void outOfOrderDeliveriesKeepTheNewestVersion() {
        endpoint.handle(binary("new", EventTypes.GITHUB_PULL_REQUEST), webhook(2, "2026-01-03T00:00:00Z", "closed"));
        HttpAnswer late = endpoint.handle(binary("old", EventTypes.GITHUB_PULL_REQUEST),
                webhook(2, "2026-01-02T00:00:00Z", "open"));
        assertThat(late.status()).isEqualTo(202);
        assertThat(store.find("octo/repo", 2).orElseThrow().state()).isEqualTo("closed");
    }

    @Test
    void twoVersionsOfTheSameSecondEndTheSameWhicheverArrivesFirst() {
        byte[] open = webhook(3, "2026-01-02T00:00:00Z", "open");
        byte[] closed = webhook(3, "2026-01-02T00:00:00Z", "closed");
        endpoint.handle(binary("a1", EventTypes.GITHUB_PULL_REQUEST), open);
        endpoint.handle(binary("a2", EventTypes.GITHUB_PULL_REQUEST), closed);
        String firstOrder = store.find("octo/repo", 3).orElseThrow().state();
        endpoint.handle(binary("b1", EventTypes.GITHUB_PULL_REQUEST), webhook(4, "2026-01-02T00:00:00Z", "closed"));
        endpoint.handle(binary("b2", EventTypes.GITHUB_PULL_REQUEST), webhook(4, "2026-01-02T00:00:00Z", "open"));
        String otherOrder = store.find("octo/repo", 4).orElseThrow().state();
        assertThat(otherOrder).isEqualTo(firstOrder);
    }

    @Test
    void aTimeOutsideGitHubsLifetimeIsRefusedAndCannotLockThePr() {
        endpoint.handle(binary("t0", EventTypes.GITHUB_PULL_REQUEST), webhook(5, "2026-01-02T00:00:00Z", "open"));
        for (String time : new String[] {"+99999-01-01T00:00:00Z", "2099-01-01T00:00:00Z", "1999-01-01T00:00:00Z"}) {
            HttpAnswer r = endpoint.handle(binary("t-" + time, EventTypes.GITHUB_PULL_REQUEST),
                    webhook(5, time, "closed"));
            assertThat(r.status()).as(time).isEqualTo(400);
            assertThat(r.bodyText()).as(time).contains("pull_request.updated_at");
        }
        HttpAnswer real = endpoint.handle(binary("t1", EventTypes.GITHUB_PULL_REQUEST),
                webhook(5, "2026-01-03T00:00:00Z", "closed"));
        assertThat(real.status()).isEqualTo(200);
        assertThat(store.find("octo/repo", 5).orElseThrow().state()).isEqualTo("closed");
    }

    @Test
    void hostileRepositoryNamesAreRefusedAndNothingIsStoredOrRecorded() {
        String[] names = {"a/b\\u0000c", "a/\ud83d\ude00", "a/<script>", "$where/x", "a/" + "n".repeat(5_000),
            "a/..", "-a/b", "a/b/c", "a"};
        int i = 0;
        for (String name : names) {
            String body = new String(webhook(6, "2026-01-02T00:00:00Z", "open"), StandardCharsets.UTF_8)
                    .replace("octo/repo", name);
            HttpAnswer r = endpoint.handle(binary("h" + i, EventTypes.GITHUB_PULL_REQUEST),
                    body.getBytes(StandardCharsets.UTF_8));
            assertThat(r.status()).as(name.length() > 50 ? "long name" : name).isEqualTo(400);
            assertThat(r.bodyText()).contains("not a GitHub owner/name");
            assertThat(r.body().length).isLessThan(2_000);
            assertThat(new ProcessedEvents(mongo.database(), "ingest", clock).find("https://github.com/octo/repo",
                    "h" + i++).state()).isEqualTo(dev.prsentinel.core.events.EventLedger.State.ABSENT);
        }
        assertThat(store.count()).isZero();
    }

    @Test
    void badInputIs400WithAReasonAndStoresNothing() {
        Map<String, String> cases = Map.of(
                "{\"action\":\"opened\"", "not valid JSON",
                "{\"action\":\"opened\"}", "pull_request: missing",
                "{\"pull_request\":{\"state\":\"open\",\"base\":{\"repo\":{\"full_name\":\"a/b\"}}}}",
                "pull_request.number: missing",
                "{\"pull_request\":{\"number\":\"7\",\"base\":{\"repo\":{\"full_name\":\"a/b\"}}}}",
                "pull_request.number: expected a positive integer",
                "{\"pull_request\":{\"number\":7,\"additions\":-4,\"updated_at\":\"2026-01-01T00:00:00Z\","
                        + "\"base\":{\"repo\":{\"full_name\":\"a/b\"}}}}", "pull_request.additions",
                "{\"pull_request\":{\"number\":7,\"base\":{\"repo\":{\"full_name\":\"a/b\"}}}}",
                "a/b#7.updated_at: missing");
        int i = 0;
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpAnswer r = endpoint.handle(binary("bad-" + i++, EventTypes.GITHUB_PULL_REQUEST),
                    c.getKey().getBytes(StandardCharsets.UTF_8));
            assertThat(r.status()).as(c.getKey()).isEqualTo(400);
            assertThat(r.bodyText()).as(c.getKey()).contains(c.getValue());
        }
        HttpAnswer unknown = endpoint.handle(binary("bad-type", "com.github.push"),
                webhook(1, "2026-01-02T00:00:00Z", "open"));
        assertThat(unknown.status()).isEqualTo(400);
        HttpAnswer oversized = endpoint.handle(binary("big", EventTypes.GITHUB_PULL_REQUEST),
                new byte[64 * 1024 + 1]);
        assertThat(oversized.status()).isEqualTo(413);
        assertThat(store.count()).isZero();
    }

    @Test
    void aSyncRequestIsAcceptedAtOnceAndItsPayloadValidated() {
        HttpAnswer ok = endpoint.handle(binary("sync-1", EventTypes.SYNC_REQUESTED),
                "{\"repos\":[\"octo/repo\"],\"since\":\"2026-01-01T00:00:00Z\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(ok.status()).isEqualTo(202);
        HttpAnswer bad = endpoint.handle(binary("sync-2", EventTypes.SYNC_REQUESTED),
                "{\"repos\":[\"not a repo\"]}".getBytes(StandardCharsets.UTF_8));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.bodyText()).contains("repos[0]: not a GitHub owner/name");
    }
}
