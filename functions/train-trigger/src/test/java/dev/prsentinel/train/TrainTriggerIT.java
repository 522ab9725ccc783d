package dev.prsentinel.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.Json;
import dev.prsentinel.core.anomaly.ModelPackage;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import dev.prsentinel.core.testing.EmbeddedMongo;
import dev.prsentinel.core.testing.EventRecorder;
import dev.prsentinel.core.testing.TestEvents;
import dev.prsentinel.core.tracking.LocalTracking;
import dev.prsentinel.core.tracking.Tracking;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The function over HTTP, starting the real training (Spark, DJL) as a child JVM on this classpath,
 * tracked in a local directory: the fallback a machine without MLflow gets (TrainingJobIT and
 * TrainingRunIT track in a real MLflow server).
 */
class TrainTriggerIT {

    @RegisterExtension
    final EmbeddedMongo mongo = new EmbeddedMongo();

    @TempDir
    Path dir;

    private static SparkSession spark;
    private EventRecorder sink;
    private TrainTriggerApplication app;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[1]").appName("train-trigger-it")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1").getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @BeforeEach
    void setUp() throws Exception {
        sink = new EventRecorder();
        app = TrainTriggerApplication.start(Map.of("MONGODB_URI", mongo.connectionString(), "K_SINK", sink.url(),
                "MLFLOW_TRACKING_URI", dir.resolve("runs").toUri().toString(),
                "TRAIN_LOG_DIR", dir.resolve("logs").toString()), "127.0.0.1", 0);
    }

    @AfterEach
    void tearDown() {
        app.close();
        sink.close();
    }

    private HttpResponse<String> post(String id, String source, String type, String data) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/"))
                .POST(HttpRequest.BodyPublishers.ofString(data));
        TestEvents.binaryHeaders(id, source, type).forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> ready(String id, String set) throws Exception {
        return post(id, "urn:prsentinel:function:featurize", EventTypes.FEATURES_READY,
                "{\"feature_set_id\":\"" + set + "\",\"spec_version\":2,\"rows\":2000,\"rejected\":0,"
                        + "\"location\":\"x\",\"window_end\":\"2026-11-01T00:00:00Z\",\"features\":[]}");
    }

    private long logs() throws Exception {
        if (!Files.exists(dir.resolve("logs"))) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir.resolve("logs"))) {
            return files.count();
        }
    }

    @Test
    void aFeatureSetTrainsOnceInAChildJvmAndTheFirstModelBecomesChampion() throws Exception {
        String set = FeatureSetFixture.write(spark, mongo.database(), dir.resolve("features"), "fs-v1-it",
                SyntheticPullRequests.generate(5, 2000, 4, 0.0, Instant.parse("2026-11-01T00:00:00Z"))
                        .pullRequests());

        assertThat(ready("r1", set).statusCode()).isEqualTo(202);
        assertThat(ready("r1", set).statusCode()).as("redelivered").isIn(200, 202);
        assertThat(ready("r2", set).statusCode()).as("the same set again").isEqualTo(202);
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (sink.events().size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        assertThat(sink.types()).containsExactly(EventTypes.MODEL_TRAINED, EventTypes.MODEL_CANDIDATE);
        assertThat(logs()).as("one training").isEqualTo(1);

        var trained = Json.mapper().readTree(sink.events().get(0).body());
        assertThat(trained.get("alias").asText()).isEqualTo("champion");
        Tracking tracking = new LocalTracking(dir.resolve("runs"), Clock.systemUTC());
        Tracking.ModelVersion champion = tracking.versionByAlias(Tracking.MODEL_NAME, "champion").orElseThrow();
        assertThat(champion.runId()).isEqualTo(trained.get("run_id").asText());
        ModelPackage model = tracking.modelPackage(champion);
        assertThat(model.threshold()).isEqualTo(trained.get("threshold").asDouble());
        assertThat(new TrainState(mongo.database()).record(set).getString("model_version"))
                .isEqualTo(champion.version());
        assertThat(((LocalTracking) tracking).runRecord(champion.runId()).get("status").asText())
                .isEqualTo("FINISHED");

        // Its own model.trained comes back through the broker: the newest set is trained, nothing starts.
        assertThat(post(sink.events().get(0).id(), "urn:prsentinel:function:train-trigger",
                EventTypes.MODEL_TRAINED, sink.events().get(0).body()).statusCode()).isEqualTo(202);
        Thread.sleep(500);
        assertThat(logs()).isEqualTo(1);
    }

    @Test
    void aMissingSetIsAnsweredWithTrainFailedAndBadEventsWith400() throws Exception {
        HttpResponse<String> missing = ready("m1", "fs-v1-missing");
        assertThat(missing.statusCode()).isEqualTo(200);
        assertThat(missing.headers().firstValue("ce-type")).hasValue(EventTypes.TRAIN_FAILED);
        assertThat(missing.body()).contains("fs-v1-missing does not exist");

        HttpResponse<String> bad = post("b1", "urn:prsentinel:function:featurize", EventTypes.FEATURES_READY,
                "{\"feature_set_id\":\"x\",\"rows\":\"many\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("rows");
        assertThat(post("b2", "urn:x", "dev.prsentinel.other", "{}").statusCode()).isEqualTo(400);
        assertThat(logs()).isZero();
    }
}
