package dev.prsentinel.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.http.EventSink;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.store.TrainingReference;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import dev.prsentinel.core.testing.EmbeddedMongo;
import dev.prsentinel.core.testing.EventRecorder;
import dev.prsentinel.core.tracking.MlflowClient;
import dev.prsentinel.core.testing.MlflowServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training on a feature set as featurize writes it (Parquet with key, version time and the spec's
 * columns; a feature_sets record with the scaler), with real Spark, DJL and MLflow.
 */
class TrainingJobIT {

    @RegisterExtension
    static final MlflowServer MLFLOW = new MlflowServer();

    @RegisterExtension
    final EmbeddedMongo mongo = new EmbeddedMongo();

    @TempDir
    Path output;

    private static SparkSession spark;
    private static EventRecorder sink;

    @BeforeAll
    static void start() throws Exception {
        spark = SparkSession.builder().master("local[2]").appName("training-job-it")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
        sink = new EventRecorder();
    }

    @AfterAll
    static void stop() {
        spark.stop();
        sink.close();
    }

    private String writeFeatureSet(String id) {
        return FeatureSetFixture.write(spark, mongo.database(), output, id, SyntheticPullRequests.generate(31, 2000,
                4, 0.0, Instant.parse("2026-11-01T00:00:00Z")).pullRequests());
    }

    @Test
    void trainsOnAFeatureSetRegistersTheFirstModelAsChampionAndAnnouncesIt() {
        String id = writeFeatureSet("fs-v1-job");
        MlflowClient mlflow = new MlflowClient(MLFLOW.uri(), Clock.systemUTC());
        TrainingJob job = new TrainingJob(mongo.connectionString(), "prsentinel",
                new TrainingRun(mlflow, Gate.defaults(), Map.of()),
                EventSink.forUrl(sink.url()), Clock.systemUTC());

        TrainingRun.Outcome outcome = job.run(spark, id, new AutoencoderTrainer.Settings(1e-3f, 128, 6, 2, 3, 99))
                .orElseThrow();

        assertThat(outcome.alias()).hasValue("champion");
        assertThat(sink.types()).containsExactly(EventTypes.MODEL_TRAINED, EventTypes.MODEL_CANDIDATE);

        assertThat(job.run(spark, "fs-v1-missing", AutoencoderTrainer.Settings.defaults(3))).isEmpty();
        assertThat(sink.types()).containsExactly(EventTypes.MODEL_TRAINED, EventTypes.MODEL_CANDIDATE,
                EventTypes.TRAIN_FAILED);
        assertThat(mlflow.versionByAlias(TrainingRun.MODEL_NAME, "champion").orElseThrow().version())
                .isEqualTo(outcome.version().orElseThrow());
        // The trained set is the drift reference now, with its histograms; the missing one may be retried.
        TrainingReference reference = TrainingReference.read(mongo.database()).orElseThrow();
        assertThat(reference.featureSetId()).isEqualTo(id);
        assertThat(reference.rows()).isEqualTo(2000);
        assertThat(reference.binCounts()).hasSize(FeatureSpecs.CURRENT.size());
        TrainState state = new TrainState(mongo.database());
        assertThat(state.attempted(id)).isTrue();
        assertThat(state.record(id).getString("run_id")).isEqualTo(outcome.runId());
        assertThat(state.attempted("fs-v1-missing")).isFalse();
        assertThat(state.record("fs-v1-missing").getString("reason")).contains("does not exist");
    }

    @Test
    void aCorruptFeatureSetEndsInTrainFailedAndRegistersNothing() throws Exception {
        java.nio.file.Path location = output.resolve("fs-v1-corrupt");
        java.nio.file.Files.createDirectories(location.resolve("features.parquet"));
        java.nio.file.Files.writeString(location.resolve("features.parquet").resolve("part-0.parquet"),
                "not parquet at all");
        mongo.database().getCollection("feature_sets").insertOne(new org.bson.Document("_id", "fs-v1-corrupt")
                .append("status", "ready").append("spec_version", FeatureSpecs.CURRENT.version())
                .append("location", location.toString()).append("rows", 2000L)
                .append("scaler", new org.bson.Document("center",
                        java.util.Collections.nCopies(FeatureSpecs.CURRENT.size(), 0.0))
                        .append("scale", java.util.Collections.nCopies(FeatureSpecs.CURRENT.size(), 1.0))));
        MlflowClient mlflow = new MlflowClient(MLFLOW.uri(), Clock.systemUTC());
        String model = "corrupt-set-model";
        try (EventRecorder own = new EventRecorder()) {
            TrainingJob job = new TrainingJob(mongo.connectionString(), "prsentinel",
                    new TrainingRun(mlflow, Gate.defaults(), Map.of(), model), EventSink.forUrl(own.url()),
                    Clock.systemUTC());

            assertThat(job.run(spark, "fs-v1-corrupt", AutoencoderTrainer.Settings.defaults(3))).isEmpty();

            assertThat(own.types()).containsExactly(EventTypes.TRAIN_FAILED);
            assertThat(own.events().get(0).body()).contains("fs-v1-corrupt").doesNotContain("\\n\\tat ");
        }
        assertThat(mlflow.versions(model)).isEmpty();
        assertThat(new TrainState(mongo.database()).record("fs-v1-corrupt").getString("status"))
                .isEqualTo("failed");
    }
}
