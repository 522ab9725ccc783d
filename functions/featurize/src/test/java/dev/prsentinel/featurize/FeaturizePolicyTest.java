package dev.prsentinel.featurize;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FeaturizePolicyTest {

    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private final FeaturizePolicy policy = new FeaturizePolicy(100, Duration.ofHours(24));

    private static Optional<FeaturizeState.Last> last(long prs, Duration ago) {
        return Optional.of(new FeaturizeState.Last("fs-v1-x", NOW.minus(ago), prs));
    }

    @Test
    void theFirstSetIsDueAsSoonAsThereArePrs() {
        assertThat(policy.decide(0, Optional.empty(), NOW).due()).isFalse();
        assertThat(policy.decide(1, Optional.empty(), NOW).due()).isTrue();
    }

    @Test
    void enoughNewPrsMakeASetDue() {
        assertThat(policy.decide(1099, last(1000, Duration.ofMinutes(5)), NOW).due()).isFalse();
        assertThat(policy.decide(1100, last(1000, Duration.ofMinutes(5)), NOW).due()).isTrue();
    }

    @Test
    void anOldSetIsRefreshedOnlyWhenSomethingIsNew() {
        assertThat(policy.decide(1001, last(1000, Duration.ofHours(24)), NOW).due()).isTrue();
        assertThat(policy.decide(1001, last(1000, Duration.ofHours(23)), NOW).due()).isFalse();
        assertThat(policy.decide(1000, last(1000, Duration.ofDays(30)), NOW))
                .extracting(FeaturizePolicy.Decision::due).isEqualTo(false);
    }
}
