package dev.prsentinel.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.testing.TestEvents;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/**
 * The store goes away under ingest and comes back: readiness follows it, an event gets a 503 the
 * broker can retry well inside Knative's request timeout (not after the driver's 30 s), liveness
 * stays up, and once the store is back the same event is handled without a restart. A fault test,
 * bounded in time.
 */
class StoreOutageIT {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> sync(int port, String id) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .timeout(Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofString("{\"repos\":[\"octo/repo\"]}"));
        TestEvents.binaryHeaders(id, "urn:test", EventTypes.SYNC_REQUESTED).forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void await(int port, String path, IntPredicate status, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            last = get(port, path).statusCode();
            if (status.test(last)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(path + " still answered " + last + " after " + timeout);
    }

    @Test
    void readinessFollowsTheStoreAndEventsAreRetriableDuringTheOutage() throws Exception {
        int mongoPort;
        try (ServerSocket s = new ServerSocket(0)) {
            mongoPort = s.getLocalPort();
        }
        MongoServer mongo = new MongoServer(new MemoryBackend());
        mongo.bind("127.0.0.1", mongoPort);
        try (IngestApplication app = IngestApplication.start(Map.of("MONGODB_URI", "mongodb://127.0.0.1:" + mongoPort,
                "INGEST_ROUTES", "events", "GITHUB_API_URL", "http://127.0.0.1:9"), "127.0.0.1", 0)) {
            int port = app.port();
            await(port, "/health/readiness", s -> s == 200, Duration.ofSeconds(10));
            assertThat(sync(port, "before").statusCode()).isEqualTo(202);

            mongo.shutdownNow();
            await(port, "/health/readiness", s -> s == 503, Duration.ofSeconds(10));
            assertThat(get(port, "/health/liveness").statusCode()).isEqualTo(200);
            long t0 = System.nanoTime();
            HttpResponse<String> during = sync(port, "during");
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(during.statusCode()).isEqualTo(503);
            assertThat(during.body()).contains("retry later").doesNotContain("Exception");
            assertThat(took).as("well inside Knative's 10 s").isLessThan(Duration.ofSeconds(8));

            mongo = new MongoServer(new MemoryBackend());
            mongo.bind("127.0.0.1", mongoPort);
            await(port, "/health/readiness", s -> s == 200, Duration.ofSeconds(15));
            assertThat(sync(port, "during").statusCode()).as("the retried event is handled now").isEqualTo(202);
        } finally {
            mongo.shutdownNow();
        }
    }
}
