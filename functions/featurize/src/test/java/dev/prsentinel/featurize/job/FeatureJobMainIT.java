package dev.prsentinel.featurize.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import dev.prsentinel.core.testing.EmbeddedMongo;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The job's entry point as the function starts it: its own SparkSession, results posted to K_SINK. */
class FeatureJobMainIT {

    @RegisterExtension
    final EmbeddedMongo mongo = new EmbeddedMongo();

    @TempDir
    Path output;

    private HttpServer sink;
    private final List<Map<String, String>> received = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        sink.createContext("/", exchange -> {
            received.add(Map.of("ce-type", exchange.getRequestHeaders().getFirst("ce-type"),
                    "ce-id", exchange.getRequestHeaders().getFirst("ce-id")));
            bodies.add(new String(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        sink.start();
        new PullRequestStore(mongo.database(), Clock.systemUTC()).upsertAll(
                SyntheticPullRequests.generate(8, 300, 3, 0.02, Instant.parse("2026-11-01T00:00:00Z")).pullRequests());
    }

    @AfterEach
    void tearDown() {
        sink.stop(0);
    }

    private Map<String, String> env(boolean withStore) {
        String url = "http://127.0.0.1:" + sink.getAddress().getPort() + "/";
        return withStore ? Map.of("K_SINK", url, "MONGODB_URI", mongo.connectionString()) : Map.of("K_SINK", url);
    }

    @Test
    void postsFeaturesReadyWithAStableIdAndTheSameEventOnARerun() throws Exception {
        String[] args = {"--output", output.toString(), "--window-end", "2027-01-01T00:00:00Z", "--master", "local[2]"};
        assertThat(FeatureJobMain.run(args, env(true), Clock.systemUTC())).isZero();
        assertThat(FeatureJobMain.run(args, env(true), Clock.systemUTC())).isZero();

        assertThat(received).hasSize(2);
        assertThat(received.get(0).get("ce-type")).isEqualTo(EventTypes.FEATURES_READY);
        assertThat(received.get(1).get("ce-id")).isEqualTo(received.get(0).get("ce-id"));
        JsonNode data = Json.mapper().readTree(bodies.get(0));
        assertThat(data.get("rows").asLong()).isEqualTo(300);
        assertThat(data.get("feature_set_id").asText()).startsWith("fs-v1-");
        assertThat(data.get("features")).hasSize(31);
    }

    @Test
    void aJobThatCannotRunPostsFeaturizeFailedWithTheReason() throws Exception {
        String[] args = {"--output", output.toString(), "--master", "local[1]"};
        assertThat(FeatureJobMain.run(args, env(false), Clock.systemUTC())).isEqualTo(1);
        assertThat(received).hasSize(1);
        assertThat(received.get(0).get("ce-type")).isEqualTo(EventTypes.FEATURIZE_FAILED);
        assertThat(Json.mapper().readTree(bodies.get(0)).get("reason").asText()).contains("MONGODB_URI");
    }
}
