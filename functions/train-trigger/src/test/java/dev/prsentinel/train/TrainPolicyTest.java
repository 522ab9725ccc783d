package dev.prsentinel.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.store.TrainingReference;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TrainPolicyTest {

    private static final Instant NOW = Instant.parse("2026-06-10T00:00:00Z");
    private final TrainPolicy policy = new TrainPolicy(1000, 0.25, Duration.ofDays(7));

    private static Optional<TrainingReference> last(String id, long rows, Duration ago) {
        return Optional.of(new TrainingReference(id, rows, NOW.minus(ago), Map.of("x", List.of(0.0, 1.0, 2.0)),
                Map.of("x", List.of(500L, 500L))));
    }

    @Test
    void theFirstSetTrainsAndNoSetTrainsTwice() {
        assertThat(policy.decide("a", 10, Map.of(), Optional.empty(), NOW).train()).isTrue();
        assertThat(policy.decide("a", 5000, Map.of(), last("a", 10, Duration.ofDays(30)), NOW).train()).isFalse();
    }

    @Test
    void enoughNewRowsDriftOrAgeMakeItDue() {
        Map<String, List<Long>> same = Map.of("x", List.of(510L, 490L));
        Map<String, List<Long>> drifted = Map.of("x", List.of(100L, 900L));
        assertThat(policy.decide("b", 1999, same, last("a", 1000, Duration.ofDays(1)), NOW).train()).isFalse();
        assertThat(policy.decide("b", 2000, same, last("a", 1000, Duration.ofDays(1)), NOW).train()).isTrue();
        TrainPolicy.Decision drift = policy.decide("b", 1100, drifted, last("a", 1000, Duration.ofDays(1)), NOW);
        assertThat(drift.train()).isTrue();
        assertThat(drift.reason()).startsWith("x drifted: PSI");
        assertThat(policy.decide("b", 1100, same, last("a", 1000, Duration.ofDays(7)), NOW).reason())
                .contains("days old");
        assertThat(policy.decide("b", 1100, Map.of(), last("a", 1000, Duration.ofDays(1)), NOW).train())
                .as("no counts in the reference's bins: drift is not judged").isFalse();
    }
}
