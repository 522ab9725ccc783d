package dev.prsentinel.featurize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.testing.EmbeddedMongo;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FeaturizeStateTest {

    @RegisterExtension
    final EmbeddedMongo mongo = new EmbeddedMongo();

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");

    @Test
    void oneJobAtATimeUntilItFinishesOrItsLeaseExpires() {
        FeaturizeState state = new FeaturizeState(mongo.database());
        assertThat(state.claim(T0, Duration.ofHours(1))).isTrue();
        assertThat(state.claim(T0.plusSeconds(60), Duration.ofHours(1))).isFalse();
        state.finish("fs-v1-a", T0.plusSeconds(120), 42);
        assertThat(state.last()).hasValueSatisfying(l -> {
            assertThat(l.featureSetId()).isEqualTo("fs-v1-a");
            assertThat(l.prs()).isEqualTo(42);
        });
        assertThat(state.claim(T0.plusSeconds(180), Duration.ofHours(1))).isTrue();
        assertThat(state.claim(T0.plus(Duration.ofHours(2)), Duration.ofHours(1))).isTrue();
        state.release();
        assertThat(state.claim(T0.plus(Duration.ofHours(2)), Duration.ofHours(1))).isTrue();
        assertThat(state.last().orElseThrow().featureSetId()).isEqualTo("fs-v1-a");
    }
}
