package dev.prsentinel.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.testing.EmbeddedMongo;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TrainStateTest {

    private static final Instant NOW = Instant.parse("2026-11-27T08:00:00Z");
    private static final Duration LEASE = Duration.ofMinutes(90);

    @RegisterExtension
    final EmbeddedMongo mongo = new EmbeddedMongo();

    @Test
    void oneTrainingAtATimeAndNoSetTwice() {
        TrainState state = new TrainState(mongo.database());
        assertThat(state.claim("a", NOW, LEASE)).isEqualTo(TrainState.Claim.CLAIMED);
        assertThat(state.claim("a", NOW, LEASE)).isEqualTo(TrainState.Claim.DONE);
        assertThat(state.claim("b", NOW, LEASE)).as("a runs").isEqualTo(TrainState.Claim.BUSY);
        assertThat(state.attempted("b")).isFalse();

        state.trained("a", "run1", "1", "champion", NOW.plusSeconds(60));
        assertThat(state.record("a").getString("run_id")).isEqualTo("run1");
        assertThat(state.claim("a", NOW.plusSeconds(61), LEASE)).isEqualTo(TrainState.Claim.DONE);
        assertThat(state.claim("b", NOW.plusSeconds(61), LEASE)).isEqualTo(TrainState.Claim.CLAIMED);
    }

    @Test
    void aFailedSetMayBeRetriedAndADeadTrainingsLeaseExpires() {
        TrainState state = new TrainState(mongo.database());
        assertThat(state.claim("a", NOW, LEASE)).isEqualTo(TrainState.Claim.CLAIMED);
        state.failed("a", "feature set a has 12 rows", NOW.plusSeconds(5));
        state.failed("a", "the process failed", NOW.plusSeconds(6));
        assertThat(state.record("a").getString("reason")).as("the first reason stays")
                .isEqualTo("feature set a has 12 rows");
        assertThat(state.attempted("a")).isFalse();
        assertThat(state.claim("a", NOW.plusSeconds(6), LEASE)).isEqualTo(TrainState.Claim.CLAIMED);

        // That training dies without a word: nothing starts until its lease runs out.
        assertThat(state.claim("b", NOW.plus(LEASE), LEASE)).isEqualTo(TrainState.Claim.BUSY);
        assertThat(state.claim("b", NOW.plus(LEASE).plusSeconds(7), LEASE)).isEqualTo(TrainState.Claim.CLAIMED);
    }

    @Test
    void aLateEndOfAnOldTrainingDoesNotReleaseTheCurrentLease() {
        TrainState state = new TrainState(mongo.database());
        state.claim("a", NOW, LEASE);
        state.claim("b", NOW.plus(LEASE).plusSeconds(1), LEASE);
        state.failed("a", "late", NOW.plus(LEASE).plusSeconds(2));
        assertThat(state.claim("c", NOW.plus(LEASE).plusSeconds(3), LEASE)).isEqualTo(TrainState.Claim.BUSY);
    }
}
