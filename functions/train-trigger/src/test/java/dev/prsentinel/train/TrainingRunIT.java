package dev.prsentinel.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.features.RepositoryNorms;
import dev.prsentinel.core.features.RobustScaler;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import dev.prsentinel.core.tracking.MlflowClient;
import dev.prsentinel.core.testing.MlflowServer;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Real DJL training tracked and registered in a real MLflow server. */
class TrainingRunIT {

    @RegisterExtension
    static final MlflowServer MLFLOW = new MlflowServer();

    @Test
    void theFirstModelBecomesChampionAGoodOneChallengerAndAMiscalibratedOneIsRejected() {
        List<PullRequest> prs = SyntheticPullRequests.generate(23, 4000, 4, 0.0,
                Instant.parse("2026-11-01T00:00:00Z")).pullRequests();
        RepositoryNorms norms = FeatureSpecs.CURRENT.fitNorms(prs.subList(0, 3000));
        double[][] raw = prs.stream().map(pr -> FeatureSpecs.CURRENT.extract(pr, norms)).toArray(double[][]::new);
        RobustScaler scaler = RobustScaler.fit(FeatureSpecs.CURRENT, Arrays.copyOfRange(raw, 0, 3000));
        float[][] scaled = Arrays.stream(raw).map(scaler::transformToFloat).toArray(float[][]::new);
        float[][] train = Arrays.copyOfRange(scaled, 0, 2700);
        float[][] validation = Arrays.copyOfRange(scaled, 2700, 3000);
        float[][] heldOut = Arrays.copyOfRange(scaled, 3000, 4000);

        MlflowClient mlflow = new MlflowClient(MLFLOW.uri(), Clock.systemUTC());
        TrainingRun training = new TrainingRun(mlflow, Gate.defaults(), Map.of("git_commit", "test"));
        AutoencoderTrainer.Settings settings = new AutoencoderTrainer.Settings(1e-3f, 128, 8, 2, 7, 99);

        TrainingRun.Outcome first = training.execute("fs-v1-a", train, validation, heldOut, scaler, norms, settings);
        assertThat(first.verdict().reasons()).isEmpty();
        assertThat(first.alias()).hasValue("champion");
        assertThat(first.version()).hasValue("1");
        assertThat(training.champion().orElseThrow().threshold()).isEqualTo(first.training().model().threshold());

        TrainingRun.Outcome second = training.execute("fs-v1-b", train, validation, heldOut, scaler, norms, settings);
        assertThat(second.alias()).hasValue("challenger");
        assertThat(second.version()).hasValue("2");
        assertThat(mlflow.versionByAlias(TrainingRun.MODEL_NAME, "champion").orElseThrow().version())
                .isEqualTo("1");

        AutoencoderTrainer.Settings loose = new AutoencoderTrainer.Settings(1e-3f, 128, 8, 2, 7, 50);
        TrainingRun.Outcome third = training.execute("fs-v1-c", train, validation, heldOut, scaler, norms, loose);
        assertThat(third.version()).isEmpty();
        assertThat(third.verdict().reasons()).anyMatch(r -> r.contains("outside"));
        JsonNode run = mlflow.getRun(third.runId());
        assertThat(run.at("/info/status").asText()).isEqualTo("FINISHED");
        assertThat(run.at("/data/tags").toString()).contains("rejected").contains("gate_reasons");
        assertThat(run.at("/data/metrics").toString()).contains("validation_loss").contains("heldout_loss")
                .contains("champion_heldout_loss");
        assertThat(mlflow.versionByAlias(TrainingRun.MODEL_NAME, "challenger").orElseThrow().version())
                .isEqualTo("2");
    }

    /** Without MLflow no training starts: there would be nowhere to record or register it. */
    @Test
    void anUnreachableMlflowStopsTheTrainingBeforeItStarts() {
        MlflowClient down = new MlflowClient(URI.create("http://127.0.0.1:9"), Clock.systemUTC());
        TrainingRun training = new TrainingRun(down, Gate.defaults(), Map.of());
        assertThatThrownBy(() -> training.execute("fs-v1-x", new float[1][31],
                new float[1][31], new float[1][31], new RobustScaler(1, new double[31], ones()),
                AutoencoderTrainer.Settings.defaults(1))).isInstanceOf(MlflowClient.MlflowException.class);
    }

    private static double[] ones() {
        double[] o = new double[31];
        Arrays.fill(o, 1);
        return o;
    }
}
