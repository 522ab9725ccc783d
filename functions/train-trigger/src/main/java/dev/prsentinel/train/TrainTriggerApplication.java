package dev.prsentinel.train;

import com.mongodb.client.MongoDatabase;
import dev.prsentinel.core.config.MongoSettings;
import dev.prsentinel.core.http.CloudEventEndpoint;
import dev.prsentinel.core.http.FunctionServer;
import dev.prsentinel.core.secrets.JobSecrets;
import dev.prsentinel.core.secrets.Rotating;
import dev.prsentinel.core.secrets.Secrets;
import dev.prsentinel.core.store.FunctionStore;
import dev.prsentinel.core.store.ProcessedEvents;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The train-trigger Knative function: the shared CloudEvent endpoint on the JDK's HTTP server, like
 * featurize. Training never runs in this process: a Kubernetes Job in the cluster, a child JVM
 * locally.
 *
 * <p>Environment: MONGODB_URI, MONGODB_DATABASE, PORT (8080), K_SINK, MLFLOW_TRACKING_URI (passed to
 * the training), TRAIN_MIN_NEW_ROWS (10000), TRAIN_MAX_PSI (0.25), TRAIN_MAX_AGE (P7D),
 * TRAIN_LAUNCHER (local: a child JVM on TRAIN_JOB_CLASSPATH, default this JVM's, logs in
 * TRAIN_LOG_DIR; kubernetes: a Job from TRAIN_JOB_TEMPLATE, see {@link KubernetesJobLauncher}).
 */
public final class TrainTriggerApplication implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainTriggerApplication.class);
    /** Longer than the Job's activeDeadlineSeconds (1 h): a training that died gives the lease back. */
    private static final Duration LEASE = Duration.ofMinutes(90);
    private static final long MAX_EVENT_BYTES = 1024 * 1024;

    private final Secrets secrets;
    private final Rotating<Wiring> wiring;
    private final FunctionServer server;

    private TrainTriggerApplication(Secrets secrets, Rotating<Wiring> wiring, FunctionServer server) {
        this.secrets = secrets;
        this.wiring = wiring;
        this.server = server;
    }

    /** What is built from the store's credentials, rebuilt when they rotate. */
    private record Wiring(FunctionStore client, CloudEventEndpoint endpoint) implements AutoCloseable {
        @Override
        public void close() {
            client.close();
        }
    }

    /** Starts the function with the given environment; port 0 picks a free one. */
    public static TrainTriggerApplication start(Map<String, String> env, String host, int port) throws IOException {
        Clock clock = Clock.systemUTC();
        Secrets secrets = Secrets.fromEnvironment(env);
        Rotating<Wiring> wiring = null;
        try {
            TrainLauncher launcher;
            if ("kubernetes".equals(env.get("TRAIN_LAUNCHER"))) {
                launcher = KubernetesJobLauncher.fromEnvironment(env);
            } else {
                // The job reads its own secrets: from Vault, as its own role; locally, from these variables.
                Map<String, String> jobEnv = new HashMap<>(JobSecrets.forJob(env, "TRAIN_JOB_", "MONGODB_URI",
                        "MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD",
                        "MLFLOW_TRACKING_TOKEN"));
                jobEnv.put("MONGODB_DATABASE", env.getOrDefault("MONGODB_DATABASE", "prsentinel"));
                for (String name : new String[] {"K_SINK", "MLFLOW_TRACKING_URI", "GIT_COMMIT"}) {
                    if (env.get(name) != null) {
                        jobEnv.put(name, env.get(name));
                    }
                }
                launcher = new LocalTrainLauncher(
                        env.getOrDefault("TRAIN_JOB_CLASSPATH", System.getProperty("java.class.path")), jobEnv,
                        Path.of(env.getOrDefault("TRAIN_LOG_DIR",
                                Path.of(System.getProperty("java.io.tmpdir"), "prsentinel-train").toString())));
            }
            TrainPolicy policy = new TrainPolicy(
                    Long.parseLong(env.getOrDefault("TRAIN_MIN_NEW_ROWS", "10000")),
                    Double.parseDouble(env.getOrDefault("TRAIN_MAX_PSI", "0.25")),
                    Duration.parse(env.getOrDefault("TRAIN_MAX_AGE", "P7D")));
            TrainLauncher jobs = launcher;
            wiring = Rotating.of("train-trigger's store", secrets, List.of(Secrets.MONGODB_URI), s -> {
                MongoSettings mongo = MongoSettings.fromSecrets(s, env);
                FunctionStore client = FunctionStore.connect(mongo, true);
                try {
                    MongoDatabase db = client.client().getDatabase(mongo.database());
                    TrainTriggerHandlers handlers = new TrainTriggerHandlers(db, policy, jobs, LEASE, clock);
                    return new Wiring(client, new CloudEventEndpoint(TrainTriggerHandlers.TYPES.stream()
                            .collect(Collectors.toMap(t -> t, t -> handlers::handle)),
                            new ProcessedEvents(db, TrainTriggerHandlers.FUNCTION, clock), MAX_EVENT_BYTES));
                } catch (RuntimeException e) {
                    client.close();
                    throw e;
                }
            });
            // Events are all it takes: as many at once as the Service's containerConcurrency (10).
            FunctionServer server = FunctionServer.forEvents("train-trigger", FunctionServer.Limits.of(MAX_EVENT_BYTES)
                    .withEventConcurrency(10), host, port, wiring, w -> w.client().reachable(), Wiring::endpoint);
            LOG.info("train-trigger listening on {}; secrets from {}", server.port(), secrets.describe());
            return new TrainTriggerApplication(secrets, wiring, server);
        } catch (IOException | RuntimeException e) {
            if (wiring != null) {
                wiring.close();
            }
            secrets.close();
            throw e;
        }
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
        wiring.close();
        secrets.close();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        FunctionServer.closeOnShutdown(start(env, "0.0.0.0", Integer.parseInt(env.getOrDefault("PORT", "8080"))));
    }
}
