package dev.prsentinel.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.events.EventLedger;
import dev.prsentinel.core.events.Events;
import dev.prsentinel.core.events.RetryLater;
import dev.prsentinel.core.events.SyncRequested;
import dev.prsentinel.core.model.InvalidPayloadException;
import dev.prsentinel.core.store.ProcessedEvents;
import dev.prsentinel.core.testing.EmbeddedMongo;
import dev.prsentinel.core.testing.MutableClock;
import dev.prsentinel.core.testing.TestEvents;
import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CloudEventEndpointTest {

    @RegisterExtension
    final EmbeddedMongo mongo = new EmbeddedMongo();

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-05-01T10:00:00Z"), ZoneOffset.UTC);
    private final AtomicInteger calls = new AtomicInteger();
    private CloudEventEndpoint endpoint;

    @BeforeEach
    void setUp() {
        CloudEventEndpoint.Handler echo = event -> {
            calls.incrementAndGet();
            SyncRequested request = Events.data(event, SyncRequested.class);
            return Optional.of(Events.caused(event, "test.replied", 1, "test", null, request, CLOCK));
        };
        CloudEventEndpoint.Handler broken = event -> {
            throw new IllegalStateException("database is down");
        };
        CloudEventEndpoint.Handler silent = event -> Optional.empty();
        CloudEventEndpoint.Handler loading = event -> {
            throw new RetryLater("no model loaded: the model is loading");
        };
        endpoint = new CloudEventEndpoint(Map.of(EventTypes.SYNC_REQUESTED, echo, "test.broken", broken,
                EventTypes.PING, silent, "test.loading", loading), new ProcessedEvents(mongo.database(), "test", CLOCK),
                1024);
    }

    private static Map<String, String> binary(String id, String type) {
        return TestEvents.binaryHeaders(id, "/test", type);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void binaryModeIsHandledAndTheReplySetsItsAttributesExplicitly() {
        HttpAnswer r = endpoint.handle(binary("1", EventTypes.SYNC_REQUESTED),
                bytes("{\"repos\":[\"octo/repo\"]}"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers()).containsEntry("ce-type", "test.replied")
                .containsEntry("ce-source", "urn:prsentinel:function:test")
                .containsEntry("ce-dataschema", "urn:prsentinel:schema:test.replied:v1")
                .containsKey("ce-id");
        assertThat(r.bodyText()).isEqualTo("{\"repos\":[\"octo/repo\"]}");
    }

    @Test
    void structuredModeIsHandled() {
        String event = "{\"specversion\":\"1.0\",\"id\":\"2\",\"source\":\"/test\",\"type\":\""
                + EventTypes.SYNC_REQUESTED + "\",\"datacontenttype\":\"application/json\","
                + "\"data\":{\"repos\":[\"a/b\"]}}";
        HttpAnswer r = endpoint.handle(Map.of("content-type", "application/cloudevents+json"),
                bytes(event));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers()).containsEntry("ce-type", "test.replied");
    }

    @Test
    void theSameIdTwiceIsHandledOnceAndAnsweredTheSame() {
        byte[] body = bytes("{\"repos\":[\"octo/repo\"]}");
        HttpAnswer first = endpoint.handle(binary("same", EventTypes.SYNC_REQUESTED), body);
        HttpAnswer second = endpoint.handle(binary("same", EventTypes.SYNC_REQUESTED), body);
        assertThat(calls).hasValue(1);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.headers().get("ce-id")).isEqualTo(first.headers().get("ce-id"));
        assertThat(second.body()).isEqualTo(first.body());
    }

    @Test
    void missingRequiredAttributesAre400() {
        for (String attribute : new String[] {"ce-id", "ce-source", "ce-type", "ce-specversion"}) {
            Map<String, String> h = binary("3", EventTypes.SYNC_REQUESTED);
            h.remove(attribute);
            HttpAnswer r = endpoint.handle(h, bytes("{\"repos\":[\"a/b\"]}"));
            assertThat(r.status()).as(attribute).isEqualTo(400);
            assertThat(r.bodyText()).as(attribute).contains("not a valid CloudEvent").doesNotContain("at dev.");
        }
        assertThat(calls).hasValue(0);
    }

    @Test
    void unknownTypeIs400NamingTheAcceptedOnes() {
        HttpAnswer r = endpoint.handle(binary("4", "com.example.other"), bytes("{}"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.bodyText()).contains("unsupported event type com.example.other")
                .contains(EventTypes.SYNC_REQUESTED);
    }

    @Test
    void badDataIs400NamingTheField() {
        assertThat(endpoint.handle(binary("5", EventTypes.SYNC_REQUESTED), bytes("{\"repos\":")).bodyText())
                .contains("not valid JSON");
        assertThat(endpoint.handle(binary("6", EventTypes.SYNC_REQUESTED), bytes("{\"repos\":[]}")).bodyText())
                .contains("repos: missing or empty");
        assertThat(endpoint.handle(binary("7", EventTypes.SYNC_REQUESTED), bytes("{\"repos\":[\"x\"]}")).bodyText())
                .contains("repos[0]: not a GitHub owner/name");
        assertThat(endpoint.handle(binary("8", EventTypes.SYNC_REQUESTED), bytes("{\"repo\":[\"a/b\"]}")).bodyText())
                .contains("data.repo: unknown field");
        HttpAnswer r = endpoint.handle(binary("9", EventTypes.SYNC_REQUESTED),
                bytes("{\"repos\":[\"a/b\"],\"since\":\"soon\"}"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.bodyText()).contains("data.since");
    }

    @Test
    void aRejectedEventIsNotRememberedSoACorrectedRedeliveryWorks() {
        assertThat(endpoint.handle(binary("10", EventTypes.SYNC_REQUESTED), bytes("{}")).status()).isEqualTo(400);
        assertThat(endpoint.handle(binary("10", EventTypes.SYNC_REQUESTED), bytes("{\"repos\":[\"a/b\"]}")).status())
                .isEqualTo(200);
    }

    @Test
    void oversizedBodyIs413() {
        HttpAnswer r = endpoint.handle(binary("11", EventTypes.SYNC_REQUESTED), new byte[2048]);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.bodyText()).contains("exceeds the limit of 1024");
    }

    @Test
    void aFailingDependencyIs503WithoutStackTraceAndIsRetriable() {
        HttpAnswer r = endpoint.handle(binary("12", "test.broken"), bytes("{}"));
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.bodyText()).contains("retry later").doesNotContain("database is down").doesNotContain("at ");
        assertThat(endpoint.handle(binary("12", "test.broken"), bytes("{}")).status()).isEqualTo(503);
    }

    @Test
    void anExpectedDelayIs503WithItsReasonAndOneLogLine() {
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream logged = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(logged, true, StandardCharsets.UTF_8));
        HttpAnswer r;
        try {
            r = endpoint.handle(binary("14", "test.loading"), bytes("{}"));
        } finally {
            System.setErr(err);
        }
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.bodyText()).contains("no model loaded: the model is loading; retry later");
        assertThat(logged.toString(StandardCharsets.UTF_8)).contains("answered 503 for a retry")
                .doesNotContain("\tat ").hasLineCount(1);
        assertThat(endpoint.handle(binary("14", "test.loading"), bytes("{}")).status()).isEqualTo(503);
    }

    @Test
    void noReplyIs202AndIsRemembered() {
        assertThat(endpoint.handle(binary("13", EventTypes.PING), bytes("{}")).status()).isEqualTo(202);
        assertThat(endpoint.handle(binary("13", EventTypes.PING), bytes("{}")).status()).isEqualTo(202);
    }

    @Test
    void invalidPayloadFromAHandlerIs400() {
        CloudEventEndpoint e = new CloudEventEndpoint(Map.of("t", event -> {
            throw new InvalidPayloadException("pull_request.number", "missing");
        }), new ProcessedEvents(mongo.database(), "t", CLOCK), 1024);
        HttpAnswer r = e.handle(binary("14", "t"), bytes("{}"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.bodyText()).contains("pull_request.number: missing");
    }

    @Test
    void repliesAreDerivedFromTheirCause() {
        CloudEvent a = CloudEventBinding.read(Headers.of(binary("x", "t")), bytes("{}"));
        CloudEvent b = CloudEventBinding.read(Headers.of(binary("x", "t")), bytes("{}"));
        assertThat(Events.caused(a, "r", 1, "f", "s", Map.of(), CLOCK).getId())
                .isEqualTo(Events.caused(b, "r", 1, "f", "s", Map.of(), CLOCK).getId())
                .isNotEqualTo(Events.caused(a, "r", 1, "f", "other", Map.of(), CLOCK).getId());
    }

    @Test
    void jsonNullOrAnArrayAsDataIs400NamingData() {
        for (String data : new String[] {"null", "[]", "\"text\"", "7"}) {
            HttpAnswer r = endpoint.handle(binary("null-" + data.length(), EventTypes.SYNC_REQUESTED), bytes(data));
            assertThat(r.status()).as(data).isEqualTo(400);
            assertThat(r.bodyText()).as(data).contains("data: expected a JSON object, got");
            assertThat(new ProcessedEvents(mongo.database(), "test", CLOCK).find("/test", "null-" + data.length())
                    .state()).as("nothing recorded").isEqualTo(EventLedger.State.ABSENT);
        }
    }

    @Test
    void dataThatIsNotJsonIs415() {
        Map<String, String> text = binary("415-1", EventTypes.SYNC_REQUESTED);
        text.put("content-type", "text/plain");
        assertThat(endpoint.handle(text, bytes("{\"repos\":[\"a/b\"]}")).status()).isEqualTo(415);
        Map<String, String> none = binary("415-2", EventTypes.SYNC_REQUESTED);
        none.remove("content-type");
        HttpAnswer r = endpoint.handle(none, bytes("{\"repos\":[\"a/b\"]}"));
        assertThat(r.status()).isEqualTo(415);
        assertThat(r.bodyText()).contains("datacontenttype is missing");
        Map<String, String> xml = binary("415-3", EventTypes.SYNC_REQUESTED);
        xml.put("content-type", "application/xml");
        assertThat(endpoint.handle(xml, bytes("<repos/>")).status()).isEqualTo(415);
        assertThat(calls).hasValue(0);
    }

    @Test
    void fiftyConcurrentCopiesAreHandledOnceAndAllGetTheSameReply() throws Exception {
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        CloudEventEndpoint.Handler slow = event -> {
            calls.incrementAndGet();
            inside.countDown();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.of(Events.caused(event, "test.replied", 1, "test", null, Map.of("n", 1), CLOCK));
        };
        CloudEventEndpoint e = new CloudEventEndpoint(Map.of("t", slow),
                new ProcessedEvents(mongo.database(), "concurrent", CLOCK), 1024);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(50);
        try {
            java.util.List<java.util.concurrent.Future<HttpAnswer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                answers.add(pool.submit(() -> e.handle(binary("c-1", "t"), bytes("{}"))));
            }
            java.util.Set<String> replies = new java.util.HashSet<>();
            for (java.util.concurrent.Future<HttpAnswer> a : answers) {
                HttpAnswer r = a.get();
                assertThat(r.status()).isEqualTo(200);
                replies.add(r.headers().get("ce-id") + " " + r.bodyText());
            }
            assertThat(replies).hasSize(1);
            assertThat(calls).hasValue(1);
            HttpAnswer later = e.handle(binary("c-1", "t"), bytes("{}"));
            assertThat(later.status()).isEqualTo(200);
            assertThat(later.headers().get("ce-id") + " " + later.bodyText()).isEqualTo(replies.iterator().next());
            assertThat(mongo.database().getCollection("processed_events_concurrent").countDocuments()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCopyArrivingWhileTheFirstIsHandledWaitsForItsReply() throws Exception {
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        CloudEventEndpoint e = new CloudEventEndpoint(Map.of("t", event -> {
            calls.incrementAndGet();
            inside.countDown();
            try {
                release.await();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            return Optional.empty();
        }), new ProcessedEvents(mongo.database(), "copies", CLOCK), 1024, java.time.Duration.ofMillis(300));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<HttpAnswer> first = pool.submit(() -> e.handle(binary("w", "t"), bytes("{}")));
            inside.await();
            HttpAnswer impatient = e.handle(binary("w", "t"), bytes("{}"));
            assertThat(impatient.status()).isEqualTo(503);
            assertThat(impatient.bodyText()).contains("is being handled; retry later");
            release.countDown();
            assertThat(first.get().status()).isEqualTo(202);
            assertThat(e.handle(binary("w", "t"), bytes("{}")).status()).isEqualTo(202);
            assertThat(calls).hasValue(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anAbandonedClaimIsTakenOverAfterItsLease() {
        MutableClock clock = new MutableClock(Instant.parse("2024-05-01T10:00:00Z"));
        ProcessedEvents ledger = new ProcessedEvents(mongo.database(), "lease", clock,
                java.time.Duration.ofSeconds(30));
        assertThat(ledger.claim("/s", "1", "t").state()).isEqualTo(EventLedger.State.CLAIMED);
        assertThat(ledger.claim("/s", "1", "t").state()).isEqualTo(EventLedger.State.IN_PROGRESS);
        clock.advance(java.time.Duration.ofSeconds(31));
        assertThat(ledger.claim("/s", "1", "t").state()).isEqualTo(EventLedger.State.CLAIMED);
        ledger.complete("/s", "1", "{\"x\":1}");
        assertThat(ledger.claim("/s", "1", "t")).isEqualTo(new EventLedger.Claim(EventLedger.State.DONE, "{\"x\":1}"));
        ledger.release("/s", "1");
        assertThat(ledger.find("/s", "1").state()).as("a completed record is never given back")
                .isEqualTo(EventLedger.State.DONE);
    }

    @Test
    void aReplyThatCannotBeSentLeavesTheEventUnhandled() {
        String huge = "x".repeat(10_000);
        CloudEventEndpoint e = new CloudEventEndpoint(Map.of("t", event -> Optional.of(Events.caused(event, "r", 1,
                "test", huge, Map.of(), CLOCK))), new ProcessedEvents(mongo.database(), "unsendable", CLOCK), 1024);
        HttpAnswer r = e.handle(binary("u", "t"), bytes("{}"));
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.bodyText()).doesNotContain("Exception");
        assertThat(new ProcessedEvents(mongo.database(), "unsendable", CLOCK).find("/test", "u").state())
                .isEqualTo(EventLedger.State.ABSENT);
    }
}
