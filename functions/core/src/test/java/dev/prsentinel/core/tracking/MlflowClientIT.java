package dev.prsentinel.core.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prsentinel.core.testing.MlflowServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The REST client against a real MLflow tracking server. */
class MlflowClientIT {

    @RegisterExtension
    static final MlflowServer MLFLOW = new MlflowServer();

    @Test
    void runsParamsMetricsArtifactsAndTheRegistryWithAliases() {
        MlflowClient mlflow = new MlflowClient(MLFLOW.uri(), Clock.systemUTC());
        String experiment = mlflow.experimentId("prsentinel-it");
        assertThat(mlflow.experimentId("prsentinel-it")).isEqualTo(experiment);

        Tracking.Run run = mlflow.createRun(experiment, "it-run", Map.of("git_commit", "abc123"));
        mlflow.logParams(run.id(), Map.of("seed", "42", "layers", "31-16-8-16-31"));
        mlflow.logMetrics(run.id(), Map.of("train_loss", 0.5, "validation_loss", 0.6), 0);
        mlflow.logMetrics(run.id(), Map.of("train_loss", 0.4, "validation_loss", 0.45), 1);
        byte[] model = "{\"format\":\"prsentinel-autoencoder/1\"}".getBytes(StandardCharsets.UTF_8);
        mlflow.uploadArtifact(run, "model/model.json", model);
        assertThat(mlflow.downloadArtifact(run, "model/model.json")).isEqualTo(model);
        assertThat(mlflow.runningRuns(experiment, java.time.Instant.now().plusSeconds(5))).containsExactly(run);
        assertThat(mlflow.runningRuns(experiment, java.time.Instant.now().minusSeconds(60))).isEmpty();
        mlflow.endRun(run.id(), "FINISHED");
        assertThat(mlflow.runningRuns(experiment, java.time.Instant.now().plusSeconds(5))).isEmpty();

        JsonNode stored = mlflow.getRun(run.id());
        assertThat(stored.at("/info/status").asText()).isEqualTo("FINISHED");
        assertThat(stored.at("/data/params").toString()).contains("31-16-8-16-31");
        assertThat(stored.at("/data/metrics").toString()).contains("validation_loss").contains("0.45");
        assertThat(stored.at("/data/tags").toString()).contains("abc123");

        mlflow.ensureRegisteredModel("prsentinel-it-model");
        mlflow.ensureRegisteredModel("prsentinel-it-model");
        assertThat(mlflow.versionByAlias("prsentinel-it-model", "champion")).isEmpty();
        assertThat(mlflow.versions("prsentinel-it-model")).isEmpty();
        String version = mlflow.createModelVersion("prsentinel-it-model", run, "model",
                Map.of("registered_by", "it"));
        String unaliased = mlflow.createModelVersion("prsentinel-it-model", run, "model");
        mlflow.setAlias("prsentinel-it-model", "champion", version);
        assertThat(mlflow.versions("prsentinel-it-model")).containsExactly(
                new Tracking.RegisteredVersion(version, run.id(), java.util.Set.of("champion"),
                        Map.of("registered_by", "it")),
                new Tracking.RegisteredVersion(unaliased, run.id(), java.util.Set.of(), Map.of()));
        assertThat(mlflow.versions("no-such-model")).isEmpty();
        mlflow.setVersionTag("prsentinel-it-model", unaliased, "prsentinel.passed.staging", "staging-v2-1");
        assertThat(mlflow.versions("prsentinel-it-model").get(1).tags())
                .containsEntry("prsentinel.passed.staging", "staging-v2-1");
        Tracking.ModelVersion champion = mlflow.versionByAlias("prsentinel-it-model", "champion").orElseThrow();
        assertThat(champion).isEqualTo(new Tracking.ModelVersion("prsentinel-it-model", version, run.id()));
        assertThat(mlflow.version("prsentinel-it-model", version)).contains(champion);
        assertThat(mlflow.version("prsentinel-it-model", "99")).isEmpty();
        assertThat(mlflow.run(run.id())).isEqualTo(run);
        assertThat(mlflow.link(run)).startsWith(MLFLOW.uri().toString()).endsWith("/runs/" + run.id());
    }

    @Test
    void anUnreachableServerIsAClearError() {
        MlflowClient mlflow = new MlflowClient(URI.create("http://127.0.0.1:9"), Clock.systemUTC());
        assertThatThrownBy(() -> mlflow.experimentId("x")).isInstanceOf(MlflowClient.MlflowException.class)
                .hasMessageContaining("unreachable");
    }
}
