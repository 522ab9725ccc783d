package dev.prsentinel.featurize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import dev.prsentinel.core.testing.EmbeddedMongo;
import dev.prsentinel.core.testing.EventRecorder;
import dev.prsentinel.core.testing.TestEvents;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The function over HTTP, starting the real job as a child JVM (Spark local mode) on this classpath. */
class FeaturizeIT {

    @RegisterExtension
    final EmbeddedMongo mongo = new EmbeddedMongo();

    @TempDir
    Path output;

    private EventRecorder sink;
    private FeaturizeApplication app;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() throws Exception {
        sink = new EventRecorder();
        new PullRequestStore(mongo.database(), Clock.systemUTC()).upsertAll(
                SyntheticPullRequests.generate(11, 400, 3, 0.02, Instant.parse("2026-11-01T00:00:00Z")).pullRequests());
        app = FeaturizeApplication.start(Map.of("MONGODB_URI", mongo.connectionString(),
                "K_SINK", sink.url(),
                "FEATURIZE_OUTPUT", output.toString(), "FEATURIZE_MIN_NEW_PRS", "100"), "127.0.0.1", 0);
    }

    @AfterEach
    void tearDown() {
        app.close();
        sink.close();
    }

    private HttpResponse<String> post(String id, String type, String data) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/"))
                .POST(HttpRequest.BodyPublishers.ofString(data));
        TestEvents.binaryHeaders(id, "urn:prsentinel:function:ingest", type).forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String ingested(int number) {
        return "{\"repo\":\"synthetic-org/repo-0\",\"numbers\":[" + number + "],\"inserted\":1,\"updated\":0,"
                + "\"unchanged\":0,\"updated_from\":\"2026-10-01T00:00:00Z\",\"updated_to\":\"2026-10-01T00:00:00Z\"}";
    }

    @Test
    void manyEventsStartOneJobWhichReportsFeaturesReady() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertThat(post("e" + i, EventTypes.PR_INGESTED, ingested(i)).statusCode()).isEqualTo(202);
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (sink.events().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        assertThat(sink.types()).containsExactly(EventTypes.FEATURES_READY);
        try (Stream<Path> logs = Files.list(output.resolve("logs"))) {
            assertThat(logs).hasSize(1);
        }
        assertThat(mongo.database().getCollection("feature_sets").countDocuments()).isEqualTo(1);
        FeaturizeState state = new FeaturizeState(mongo.database());
        assertThat(state.last()).isPresent();
        assertThat(state.last().get().prs()).isEqualTo(400);

        // Nothing new since the set: the next event starts nothing.
        assertThat(post("after", EventTypes.PR_INGESTED, ingested(99)).statusCode()).isEqualTo(202);
        assertThat(app.handlers().check()).isFalse();
    }

    @Test
    void badEventsAre400AndStartNothing() throws Exception {
        HttpResponse<String> bad = post("b1", EventTypes.PR_INGESTED, "{\"repo\":\"a/b\",\"numbers\":\"many\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("data.numbers");
        assertThat(post("b2", "dev.prsentinel.something.else", "{}").statusCode()).isEqualTo(400);
        assertThat(Files.exists(output.resolve("logs"))).isFalse();
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.port() + "/health/readiness")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
    }
}
