package dev.prsentinel.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prsentinel.core.anomaly.ModelPackage;
import dev.prsentinel.core.testing.MlflowServer;
import dev.prsentinel.core.testing.TestModels;
import dev.prsentinel.core.tracking.MlflowClient;
import dev.prsentinel.core.tracking.Tracking;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The served model from a real MLflow registry: by alias, pinned, and from the cache when MLflow is away. */
class ModelSourceIT {

    @RegisterExtension
    static final MlflowServer MLFLOW = new MlflowServer();

    @TempDir
    Path cache;

    private static String register(MlflowClient mlflow, String name, ModelPackage model, String alias) {
        Tracking.Run run = mlflow.createRun(mlflow.experimentId("score-it"), "r", Map.of());
        mlflow.uploadArtifact(run, Tracking.MODEL_DIR + "/" + ModelPackage.FILE, model.toJson());
        mlflow.endRun(run.id(), "FINISHED");
        mlflow.ensureRegisteredModel(name);
        String version = mlflow.createModelVersion(name, run, Tracking.MODEL_DIR);
        if (alias != null) {
            mlflow.setAlias(name, alias, version);
        }
        return version;
    }

    @Test
    void theChampionByAliasAPinnedVersionAndTheCacheWhenTheRegistryIsAway() {
        MlflowClient mlflow = new MlflowClient(MLFLOW.uri(), Clock.systemUTC());
        ModelPackage first = TestModels.calibrated(1);
        ModelPackage second = TestModels.calibrated(2);
        register(mlflow, "score-it-model", first, "champion");
        String v2 = register(mlflow, "score-it-model", second, "challenger");
        Map<String, String> env = Map.of("MLFLOW_TRACKING_URI", MLFLOW.uri().toString(), "MODEL_NAME",
                "score-it-model", "MODEL_CACHE_DIR", cache.toString());

        ModelSource.Loaded champion = ModelSource.load(env, Clock.systemUTC());
        assertThat(champion.version()).isEqualTo("1");
        assertThat(champion.model().threshold()).isEqualTo(first.threshold());

        Map<String, String> pinned = new java.util.HashMap<>(env);
        pinned.put("MODEL_VERSION", v2);
        assertThat(ModelSource.load(pinned, Clock.systemUTC()).model().threshold()).isEqualTo(second.threshold());
        pinned.put("MLFLOW_TRACKING_URI", "http://127.0.0.1:9");
        assertThat(ModelSource.load(pinned, Clock.systemUTC()).model().threshold())
                .as("served from the cache").isEqualTo(second.threshold());

        Map<String, String> missing = new java.util.HashMap<>(env);
        missing.put("MODEL_VERSION", "42");
        assertThatThrownBy(() -> ModelSource.load(missing, Clock.systemUTC()))
                .hasMessageContaining("has no version 42");
        assertThatThrownBy(() -> ModelSource.load(Map.of(), Clock.systemUTC()))
                .hasMessageContaining("no model configured");
    }
}
