package dev.prsentinel.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.Json;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.testing.EmbeddedMongo;
import dev.prsentinel.core.testing.EventRecorder;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The entry point's failures: each ends in train.failed with the reason, never in a registered model. */
class TrainingJobMainIT {

    @RegisterExtension
    final EmbeddedMongo mongo = new EmbeddedMongo();

    @Test
    void badInvocationsEndInTrainFailedWithTheReason() throws Exception {
        try (EventRecorder sink = new EventRecorder()) {
            assertThat(TrainingJobMain.run(new String[] {}, Map.of("K_SINK", sink.url()), Clock.systemUTC()))
                    .isEqualTo(1);
            assertThat(TrainingJobMain.run(new String[] {"--feature-set", "fs-v1-x"},
                    Map.of("K_SINK", sink.url()), Clock.systemUTC()))
                    .isEqualTo(1);
            assertThat(TrainingJobMain.run(new String[] {"--feature-set", "fs-v1-x", "--master", "local[1]"},
                    Map.of("K_SINK", sink.url(), "MLFLOW_TRACKING_URI", "http://127.0.0.1:9",
                            "MONGODB_URI", mongo.connectionString()), Clock.systemUTC())).isEqualTo(1);
            assertThat(sink.types()).containsOnly(EventTypes.TRAIN_FAILED).hasSize(3);
            assertThat(Json.mapper().readTree(sink.events().get(0).body()).get("reason").asText())
                    .contains("--feature-set is required");
            assertThat(Json.mapper().readTree(sink.events().get(1).body()).get("reason").asText())
                    .contains("MLFLOW_TRACKING_URI is not set");
            assertThat(Json.mapper().readTree(sink.events().get(2).body()).get("reason").asText())
                    .contains("fs-v1-x does not exist");
        }
    }
}
