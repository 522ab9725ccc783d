package dev.prsentinel.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import dev.prsentinel.core.testing.EmbeddedMongo;
import dev.prsentinel.core.testing.EventRecorder;
import dev.prsentinel.core.testing.MlflowServer;
import dev.prsentinel.core.testing.OciImage;
import dev.prsentinel.core.tracking.MlflowClient;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training Job as the cluster runs it: train-trigger's image as built (OciImage), started with
 * the command, arguments and environment of knative/train-trigger/train-job.yaml, trains on a real
 * feature set with Spark and DJL's PyTorch on the image's own runtime (its C libraries included),
 * registers the model in a real MLflow and announces it. Read-only root, /tmp writable, as there.
 */
class TrainingImageIT {

    @RegisterExtension
    static final MlflowServer MLFLOW = new MlflowServer();

    @RegisterExtension
    final EmbeddedMongo mongo = new EmbeddedMongo();

    @TempDir
    Path dir;

    @Test
    void theImageTrainsWithTheJobTemplatesCommand() throws Exception {
        Path tar = OciImage.builtImage();
        OciImage.assumeRunnable();
        OciImage image = OciImage.unpack(tar, dir.resolve("root"));

        Job template;
        try (InputStream in = Files.newInputStream(Path.of("../../knative/train-trigger/train-job.yaml"))) {
            template = Serialization.unmarshal(in, Job.class);
        }
        Container container = template.getSpec().getTemplate().getSpec().getContainers().get(0);

        // A feature set as featurize writes it, where the container sees it at the same path.
        Path sets = dir.resolve("sets");
        SparkSession spark = SparkSession.builder().master("local[1]").appName("training-image-it")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1").getOrCreate();
        try {
            FeatureSetFixture.write(spark, mongo.database(), sets, "fs-v1-image", SyntheticPullRequests.generate(41,
                    1500, 4, 0.0, Instant.parse("2026-11-01T00:00:00Z")).pullRequests());
        } finally {
            spark.stop();
        }

        try (EventRecorder sink = new EventRecorder()) {
            // What KubernetesJobLauncher passes on, besides the template's own environment.
            Map<String, String> env = new HashMap<>();
            for (EnvVar e : container.getEnv()) {
                env.put(e.getName(), e.getValue());
            }
            env.putAll(Map.of("MONGODB_URI", mongo.connectionString(), "MONGODB_DATABASE", "prsentinel",
                    "MLFLOW_TRACKING_URI", MLFLOW.uri().toString(), "K_SINK", sink.url()));
            List<String> args = new java.util.ArrayList<>(container.getArgs());
            args.addAll(List.of("--feature-set", "fs-v1-image"));
            Path log = dir.resolve("train.log");

            Process train = image.run(container.getCommand(), env, Map.of(sets.toString(), sets), args, log);

            assertThat(train.waitFor(8, TimeUnit.MINUTES)).as("the training ends").isTrue();
            String out = Files.readString(log);
            String tail = out.substring(Math.max(0, out.length() - 4000));
            assertThat(train.exitValue()).as("%s\nevents: %s", tail, sink.events()).isZero();
            assertThat(sink.types()).as(out).contains(EventTypes.MODEL_TRAINED);
            assertThat(out).doesNotContain("Read-only file system");
        }
        MlflowClient mlflow = new MlflowClient(MLFLOW.uri(), Clock.systemUTC());
        assertThat(mlflow.versionByAlias(TrainingRun.MODEL_NAME, "champion")).isPresent();
    }
}
