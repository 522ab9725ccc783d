package dev.prsentinel.train;

import dev.prsentinel.core.config.JobArguments;
import dev.prsentinel.core.config.MongoSettings;
import dev.prsentinel.core.secrets.Secrets;
import dev.prsentinel.core.http.EventSink;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.events.Events;
import dev.prsentinel.core.events.TrainFailed;
import dev.prsentinel.core.tracking.Tracking;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The training's own entry point, for a Kubernetes Job (same image, this main class) or a local
 * child JVM: {@code --feature-set ID [--seed N] [--master URL]}. Reads MONGODB_URI / MONGODB_DATABASE
 * (through {@link MongoSettings}), MLFLOW_TRACKING_URI (an http(s) server, or a file: directory
 * for {@link dev.prsentinel.core.tracking.LocalTracking}), K_SINK, and GIT_COMMIT / IMAGE_DIGEST for
 * the run's tags when known. Exit code 0 when a model was trained (candidate or rejected), 1 when
 * the training could not run (train.failed was posted).
 */
public final class TrainingJobMain {

    private TrainingJobMain() {
    }

    public static void main(String[] args) {
        dev.prsentinel.core.jobs.ParentWatch.start(System.getenv());
        System.exit(run(args, System.getenv(), Clock.systemUTC()));
    }

    static int run(String[] args, Map<String, String> env, Clock clock) {
        Map<String, String> options = JobArguments.parse(args);
        EventSink sink = EventSink.forUrl(env.get("K_SINK"));
        String featureSet = options.get("feature-set");
        // From Vault as the Job's own role, or from the environment on one machine; revoked at the end.
        Secrets secrets = null;
        try {
            if (featureSet == null || featureSet.isBlank()) {
                throw new IllegalArgumentException("--feature-set is required");
            }
            secrets = Secrets.fromEnvironment(env);
            Tracking tracking = Tracking.fromSecrets(secrets, env, clock);
            MongoSettings mongo = MongoSettings.fromSecrets(secrets, env);
            Map<String, String> tags = new LinkedHashMap<>();
            if (env.get("GIT_COMMIT") != null) {
                tags.put("git_commit", env.get("GIT_COMMIT"));
            }
            if (env.get("IMAGE_DIGEST") != null) {
                tags.put("image_digest", env.get("IMAGE_DIGEST"));
            }
            SparkSession.Builder builder = SparkSession.builder().appName("prsentinel-train")
                    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2");
            builder.master(options.getOrDefault("master", "local[2]"));
            SparkSession spark = builder.getOrCreate();
            try {
                TrainingJob job = new TrainingJob(mongo.connectionString(), mongo.database(),
                        new TrainingRun(tracking, Gate.defaults(), tags), sink,
                        clock);
                return job.run(spark, featureSet, AutoencoderTrainer.Settings.defaults(
                        Long.parseLong(options.getOrDefault("seed", "42")))).isPresent() ? 0 : 1;
            } finally {
                spark.stop();
            }
        } catch (Exception e) {
            // Exception, not RuntimeException: Spark throws its checked SparkException from Scala
            // (an unreadable Parquet file, say), and that must end in train.failed as well.
            String reason = TrainingJob.reason(e);
            sink.send(Events.create(Events.derivedId(EventTypes.TRAIN_FAILED, String.valueOf(featureSet), reason),
                    EventTypes.TRAIN_FAILED, TrainFailed.VERSION, TrainingJob.FUNCTION, featureSet,
                    new TrainFailed(featureSet, reason), clock));
            return 1;
        } finally {
            if (secrets != null) {
                secrets.close();
            }
        }
    }
}
