package dev.prsentinel.featurize.job;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.prsentinel.core.config.JobArguments;
import dev.prsentinel.core.config.MongoSettings;
import dev.prsentinel.core.config.Redact;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.events.Events;
import dev.prsentinel.core.events.FeaturesReady;
import dev.prsentinel.core.events.FeaturizeFailed;
import dev.prsentinel.core.http.EventSink;
import dev.prsentinel.core.secrets.Secrets;
import dev.prsentinel.featurize.FeaturizeState;
import io.cloudevents.CloudEvent;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job's own entry point: the Spark driver program, started by the featurize function as a
 * child JVM locally or by spark-submit in cluster mode on Kubernetes (same image, this main class).
 * When it ends it posts {@value EventTypes#FEATURES_READY} or {@value EventTypes#FEATURIZE_FAILED}
 * to K_SINK; their ids derive from the feature set or the window, so a rerun repeats them.
 *
 * <p>Arguments: {@code --output DIR-OR-S3A-URI --window-end ISO-TIME [--partitions N] [--master URL]};
 * FEATURIZE_S3_ENDPOINT points s3a:// at an S3-compatible store. The
 * store comes from {@link MongoSettings} (MONGODB_URI today, Vault later), never from arguments,
 * which show in process lists and pod specs.
 */
public final class FeatureJobMain {

    private static final Logger LOG = LoggerFactory.getLogger(FeatureJobMain.class);
    static final String FUNCTION = "featurize";

    private FeatureJobMain() {
    }

    public static void main(String[] args) {
        dev.prsentinel.core.jobs.ParentWatch.start(System.getenv());
        System.exit(run(args, System.getenv(), Clock.systemUTC()));
    }

    static int run(String[] args, Map<String, String> env, Clock clock) {
        Map<String, String> options = JobArguments.parse(args);
        EventSink sink = EventSink.forUrl(env.get("K_SINK"));
        String windowOption = options.getOrDefault("window-end", clock.instant().toString());
        Instant windowEnd = null;
        String failedSet = null;
        MongoSettings mongo = null;
        // From Vault as the job's own role, or from the environment on one machine; revoked at the end.
        Secrets secrets = null;
        try {
            secrets = Secrets.fromEnvironment(env);
            mongo = MongoSettings.of(MongoSettings.fromSecrets(secrets, env).connectionString(),
                    env.getOrDefault("MONGODB_DATABASE", "prsentinel"));
            // The options are checked before Spark starts: a bad one is a failed job with its name, not a
            // stack trace that leaves the stage's lease held until it expires.
            windowEnd = windowEnd(windowOption);
            String output = require(options, "output");
            int partitions = partitions(options.getOrDefault("partitions", "2"));
            SparkSession.Builder builder = SparkSession.builder().appName("prsentinel-featurize")
                    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2");
            if (options.containsKey("master")) {
                builder.master(options.get("master"));
            }
            String s3 = env.get("FEATURIZE_S3_ENDPOINT");
            if (s3 != null && !s3.isBlank()) {
                // An S3-compatible store (MinIO, Ceph...), with the keys from the secrets, else the pod's
                // identity through the default provider chain; never from the environment. Spark
                // redacts both keys wherever it prints its configuration.
                builder.config("spark.hadoop.fs.s3a.endpoint", s3)
                        .config("spark.hadoop.fs.s3a.path.style.access", "true");
                var access = secrets.find(Secrets.S3_ACCESS_KEY);
                var secret = secrets.find(Secrets.S3_SECRET_KEY);
                if (access.isPresent() && secret.isPresent()) {
                    builder.config("spark.hadoop.fs.s3a.access.key", access.get())
                            .config("spark.hadoop.fs.s3a.secret.key", secret.get());
                }
            }
            SparkSession spark = builder.getOrCreate();
            try {
                FeatureSetResult result = FeatureJob.run(spark, new FeatureJob.Options(mongo.connectionString(),
                        mongo.database(), output, windowEnd, partitions), clock);
                failedSet = result.id();
                long covered = result.rows() + result.rejected();
                withState(mongo, state -> state.finish(result.id(), clock.instant(), covered));
                sink.send(ready(result, clock));
                LOG.info("feature set {}: {} rows, {} rejected, at {}{}", result.id(), result.rows(), result.rejected(),
                        result.location(), result.reused() ? " (already there)" : "");
                return 0;
            } finally {
                spark.stop();
            }
        } catch (RuntimeException e) {
            String reason = Redact.cause(e);
            LOG.error("feature job failed: {}", reason);
            if (mongo != null) {
                withState(mongo, FeaturizeState::release);
            }
            sink.send(Events.create(Events.derivedId("featurize.failed", windowOption, reason),
                    EventTypes.FEATURIZE_FAILED, FeaturizeFailed.VERSION, FUNCTION, null,
                    new FeaturizeFailed(failedSet, windowEnd, reason), clock));
            return 1;
        } finally {
            if (secrets != null) {
                secrets.close();
            }
        }
    }

    /** The stage's lease and last set live in the store; the job settles them when it ends. */
    private static void withState(MongoSettings mongo, java.util.function.Consumer<FeaturizeState> action) {
        try (MongoClient client = MongoClients.create(mongo.connectionString())) {
            action.accept(new FeaturizeState(client.getDatabase(mongo.database())));
        } catch (RuntimeException e) {
            LOG.warn("could not update featurize_state: {}", e.toString());
        }
    }

    static CloudEvent ready(FeatureSetResult result, Clock clock) {
        FeaturesReady data = new FeaturesReady(result.id(), FeatureRows.SPEC.version(),
                result.rows(), result.rejected(), result.location(), result.windowEnd(), result.statistics().stream()
                .map(s -> new FeaturesReady.FeatureSummary(s.name(), s.missing(), s.mean(), s.std())).toList());
        return Events.create(Events.derivedId("features.ready", result.id()), EventTypes.FEATURES_READY,
                FeaturesReady.VERSION, FUNCTION, result.id(), data, clock);
    }

    private static Instant windowEnd(String value) {
        try {
            return Instant.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("--window-end: expected an ISO-8601 time, got \"" + value + "\"");
        }
    }

    private static int partitions(String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // Not a number: answered as any other value that is not a positive count.
        }
        throw new IllegalArgumentException("--partitions: expected a positive integer, got \"" + value + "\"");
    }

    private static String require(Map<String, String> options, String name) {
        String v = options.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }
}
