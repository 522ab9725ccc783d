package dev.prsentinel.bluegreen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the promoter's Job reads: the event JobSink mounts, and its settings. */
class PromoterMainTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theCandidateComesFromTheModelCandidateEvent() throws Exception {
        // A structured-mode CloudEvent, as JobSink writes it to /etc/jobsink-event/event.
        String event = """
                {"specversion": "1.0", "id": "e1", "source": "urn:prsentinel:function:train-trigger",
                 "type": "dev.prsentinel.model.candidate", "datacontenttype": "application/json",
                 "data": {"feature_set_id": "fs-1", "run_id": "r", "model_version": "7", "alias": "challenger",
                          "validation_loss": 0.1, "held_out_loss": 0.1, "champion_held_out_loss": 0.2,
                          "threshold": 1.0, "flagged_fraction": 0.01, "reasons": []}}
                """;
        assertThat(PromoterMain.candidateFromEvent(JSON.readTree(event))).contains("7");
        assertThat(PromoterMain.candidateFromEvent(JSON.readTree(
                "{\"type\": \"dev.prsentinel.rollout.requested\", \"data\": {\"reason\": \"sync\"}}"))).isEmpty();
    }

    @Test
    void anotherEventOrNoVersionIsRefusedNamingTheField() throws Exception {
        assertThatThrownBy(() -> PromoterMain.candidateFromEvent(JSON.readTree(
                "{\"type\": \"dev.prsentinel.model.rejected\", \"data\": {\"model_version\": \"7\"}}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("type:");
        assertThatThrownBy(() -> PromoterMain.candidateFromEvent(JSON.readTree(
                "{\"type\": \"dev.prsentinel.model.candidate\", \"data\": {\"model_version\": null}}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("data.model_version:");
    }

    @Test
    void noneMeansNoEnvironmentToHavePassedFirst() {
        assertThat(PromoterMain.settings(Map.of("REQUIRE_PASSED", "none")).requirePassed()).isNull();
        assertThat(PromoterMain.settings(Map.of("REQUIRE_PASSED", "staging", "ENVIRONMENT", "production")))
                .satisfies(s -> {
                    assertThat(s.requirePassed()).isEqualTo("staging");
                    assertThat(s.environment()).isEqualTo("production");
                });
    }

    @Test
    void aReconcileRequestGoesToTheBrokerAsAnEventAndFailsLoudlyWhenItCannot() throws Exception {
        try (dev.prsentinel.core.testing.EventRecorder broker = new dev.prsentinel.core.testing.EventRecorder()) {
            Map<String, String> env = Map.of("K_SINK", broker.url(), "HOSTNAME", "bluegreen-reconcile-x1");
            assertThat(PromoterMain.requestReconcile(env, "Argo CD PostSync", Clock.systemUTC())).isZero();
            assertThat(broker.events()).singleElement().satisfies(e -> {
                assertThat(e.type()).isEqualTo("dev.prsentinel.rollout.requested");
                assertThat(e.body()).contains("Argo CD PostSync");
            });
        }
        assertThat(PromoterMain.requestReconcile(Map.of(), "x", Clock.systemUTC())).isEqualTo(2);
    }

    @Test
    void aCommandLineWithoutACommandIsAUsageError() {
        assertThat(PromoterMain.run(new String[0], Map.of(), Clock.systemUTC())).isEqualTo(2);
    }
}
