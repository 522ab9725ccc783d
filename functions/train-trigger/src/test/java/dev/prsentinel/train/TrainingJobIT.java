package dev.prsentinel.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.events.EventSink;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.features.FeatureSpecV1;
import dev.prsentinel.core.features.RobustScaler;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import dev.prsentinel.core.testing.EmbeddedMongo;
import dev.prsentinel.core.testing.EventRecorder;
import dev.prsentinel.core.tracking.MlflowClient;
import dev.prsentinel.core.testing.MlflowServer;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.bson.Document;
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
        List<PullRequest> prs = SyntheticPullRequests.generate(31, 2000, 4, 0.0,
                Instant.parse("2026-11-01T00:00:00Z")).pullRequests();
        List<StructField> fields = new ArrayList<>(List.of(
                DataTypes.createStructField("repo", DataTypes.StringType, false),
                DataTypes.createStructField("number", DataTypes.IntegerType, false),
                DataTypes.createStructField("observed_at", DataTypes.TimestampType, false)));
        FeatureSpecV1.FEATURES.forEach(f -> fields.add(DataTypes.createStructField(f.name(), DataTypes.DoubleType,
                true)));
        StructType schema = DataTypes.createStructType(fields);
        List<Row> rows = new ArrayList<>();
        double[][] raw = new double[prs.size()][];
        for (int i = 0; i < prs.size(); i++) {
            PullRequest pr = prs.get(i);
            raw[i] = FeatureSpecV1.extract(pr);
            Object[] values = new Object[schema.size()];
            values[0] = pr.repo();
            values[1] = pr.number();
            values[2] = Timestamp.from(pr.observedAt());
            for (int j = 0; j < raw[i].length; j++) {
                values[3 + j] = raw[i][j];
            }
            rows.add(RowFactory.create(values));
        }
        String location = output.resolve(id).toString();
        spark.createDataFrame(rows, schema).write().parquet(location + "/features.parquet");
        RobustScaler scaler = RobustScaler.fit(FeatureSpecV1.VERSION, raw);
        mongo.database().getCollection("feature_sets").insertOne(new Document("_id", id).append("status", "ready")
                .append("spec_version", FeatureSpecV1.VERSION).append("location", location)
                .append("rows", (long) rows.size())
                .append("scaler", new Document("center", Arrays.stream(scaler.center()).boxed().toList())
                        .append("scale", Arrays.stream(scaler.scale()).boxed().toList())));
        return id;
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
    }
}
