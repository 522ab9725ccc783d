package dev.prsentinel.core.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The directory tracking behaves as the server does for what train-trigger and score use. */
class LocalTrackingTest {

    @TempDir
    Path dir;

    @Test
    void runsArtifactsAndTheRegistryWithAliases() throws Exception {
        Tracking tracking = Tracking.forUri(dir.toUri().toString(), Clock.systemUTC());
        assertThat(tracking).isInstanceOf(LocalTracking.class);
        String experiment = tracking.experimentId("prsentinel");
        Tracking.Run run = tracking.createRun(experiment, "train-x", Map.of("git_commit", "abc123"));
        tracking.logParams(run.id(), Map.of("seed", "42"));
        tracking.logMetrics(run.id(), Map.of("validation_loss", 0.45), 1);
        byte[] model = "{\"format\":\"prsentinel-autoencoder/1\"}".getBytes(StandardCharsets.UTF_8);
        tracking.uploadArtifact(run, "model/model.json", model);
        assertThat(tracking.runningRuns(experiment, java.time.Instant.now().plusSeconds(1))).containsExactly(run);
        assertThat(tracking.runningRuns(experiment, java.time.Instant.now().minusSeconds(60))).isEmpty();
        tracking.endRun(run.id(), "FINISHED");
        assertThat(tracking.runningRuns(experiment, java.time.Instant.now().plusSeconds(1))).isEmpty();

        assertThat(tracking.run(run.id())).isEqualTo(run);
        assertThat(tracking.downloadArtifact(run, "model/model.json")).isEqualTo(model);
        JsonNode record = ((LocalTracking) tracking).runRecord(run.id());
        assertThat(record.get("status").asText()).isEqualTo("FINISHED");
        assertThat(record.at("/params/seed").asText()).isEqualTo("42");
        assertThat(record.at("/tags/git_commit").asText()).isEqualTo("abc123");
        assertThat(Files.readString(Path.of(tracking.link(run)).resolve("metrics.csv")))
                .startsWith("validation_loss,1,0.45,");

        assertThat(tracking.versionByAlias("m", "champion")).isEmpty();
        tracking.ensureRegisteredModel("m");
        tracking.ensureRegisteredModel("m");
        String v1 = tracking.createModelVersion("m", run, "model");
        String v2 = tracking.createModelVersion("m", run, "model", Map.of("registered_by", "test"));
        assertThat(v1).isEqualTo("1");
        assertThat(v2).isEqualTo("2");
        tracking.setAlias("m", "champion", v1);
        tracking.setAlias("m", "challenger", v2);
        assertThat(tracking.versionByAlias("m", "champion")).contains(new Tracking.ModelVersion("m", "1", run.id()));
        assertThat(tracking.versions("m")).containsExactly(
                new Tracking.RegisteredVersion("1", run.id(), java.util.Set.of("champion"), Map.of()),
                new Tracking.RegisteredVersion("2", run.id(), java.util.Set.of("challenger"),
                        Map.of("registered_by", "test")));
        assertThat(tracking.versions("nothing-here")).isEmpty();
        tracking.deleteModelVersion("m", v2);
        assertThat(tracking.versionByAlias("m", "challenger")).isEmpty();
        assertThat(tracking.version("m", "2")).isEmpty();
        assertThat(tracking.createModelVersion("m", run, "model")).isEqualTo("2");
        tracking.setVersionTag("m", "2", "prsentinel.passed.staging", "staging-v2-1");
        assertThat(tracking.versions("m").get(1).tags()).containsEntry("prsentinel.passed.staging", "staging-v2-1");
        assertThatThrownBy(() -> tracking.setVersionTag("m", "9", "k", "v")).hasMessageContaining("no version 9");
    }

    @Test
    void pathsThatLeaveTheRunOrNameNoVersionAreRefused() {
        Tracking tracking = new LocalTracking(dir, Clock.systemUTC());
        Tracking.Run run = tracking.createRun(tracking.experimentId("e"), "r", Map.of());
        assertThatThrownBy(() -> tracking.uploadArtifact(run, "../../escape", new byte[1]))
                .hasMessageContaining("leaves the run's folder");
        tracking.ensureRegisteredModel("m");
        assertThatThrownBy(() -> tracking.setAlias("m", "champion", "7")).hasMessageContaining("no version 7");
        assertThatThrownBy(() -> tracking.experimentId("../x")).hasMessageContaining("folder names");
        assertThatThrownBy(() -> Tracking.forUri(" ", Clock.systemUTC())).hasMessageContaining("not set");
    }
}
