package dev.prsentinel.featurize.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import dev.prsentinel.core.testing.EmbeddedMongo;
import dev.prsentinel.core.testing.EventRecorder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
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

    private EventRecorder sink;

    @BeforeEach
    void setUp() throws Exception {
        sink = new EventRecorder();
        new PullRequestStore(mongo.database(), Clock.systemUTC()).upsertAll(
                SyntheticPullRequests.generate(8, 300, 3, 0.02, Instant.parse("2026-11-01T00:00:00Z")).pullRequests());
    }

    @AfterEach
    void tearDown() {
        sink.close();
    }

    private Map<String, String> env(boolean withStore) {
        String url = sink.url();
        return withStore ? Map.of("K_SINK", url, "MONGODB_URI", mongo.connectionString()) : Map.of("K_SINK", url);
    }

    @Test
    void postsFeaturesReadyWithAStableIdAndTheSameEventOnARerun() throws Exception {
        String[] args = {"--output", output.toString(), "--window-end", "2027-01-01T00:00:00Z", "--master", "local[2]"};
        assertThat(FeatureJobMain.run(args, env(true), Clock.systemUTC())).isZero();
        assertThat(FeatureJobMain.run(args, env(true), Clock.systemUTC())).isZero();

        assertThat(sink.events()).hasSize(2);
        assertThat(sink.events().get(0).type()).isEqualTo(EventTypes.FEATURES_READY);
        assertThat(sink.events().get(1).id()).isEqualTo(sink.events().get(0).id());
        JsonNode data = Json.mapper().readTree(sink.events().get(0).body());
        assertThat(data.get("rows").asLong()).isEqualTo(300);
        assertThat(data.get("feature_set_id").asText()).startsWith("fs-v4-");
        assertThat(data.get("features")).hasSize(FeatureSpecs.CURRENT.size());
    }

    @Test
    void aJobThatCannotRunPostsFeaturizeFailedWithTheReason() throws Exception {
        String[] args = {"--output", output.toString(), "--master", "local[1]"};
        assertThat(FeatureJobMain.run(args, env(false), Clock.systemUTC())).isEqualTo(1);
        assertThat(sink.types()).containsExactly(EventTypes.FEATURIZE_FAILED);
        assertThat(Json.mapper().readTree(sink.events().get(0).body()).get("reason").asText()).contains("MONGODB_URI");
    }

    @Test
    void aBadOptionIsAFailedJobNamingIt() throws Exception {
        String[] args = {"--output", output.toString(), "--window-end", "yesterday", "--master", "local[1]"};
        assertThat(FeatureJobMain.run(args, env(true), Clock.systemUTC())).isEqualTo(1);
        String[] partitions = {"--output", output.toString(), "--partitions", "0", "--master", "local[1]"};
        assertThat(FeatureJobMain.run(partitions, env(true), Clock.systemUTC())).isEqualTo(1);
        assertThat(sink.types()).containsExactly(EventTypes.FEATURIZE_FAILED, EventTypes.FEATURIZE_FAILED);
        assertThat(Json.mapper().readTree(sink.events().get(0).body()).get("reason").asText())
                .contains("--window-end: expected an ISO-8601 time, got \"yesterday\"");
        assertThat(Json.mapper().readTree(sink.events().get(1).body()).get("reason").asText())
                .contains("--partitions: expected a positive integer, got \"0\"");
    }
}
