package dev.prsentinel.train;

import com.mongodb.client.MongoDatabase;
import dev.prsentinel.core.config.MongoSettings;
import dev.prsentinel.core.http.CloudEventEndpoint;
import dev.prsentinel.core.http.FunctionServer;
import dev.prsentinel.core.store.FunctionStore;
import dev.prsentinel.core.store.ProcessedEvents;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
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

    private final FunctionStore client;
    private final FunctionServer server;

    private TrainTriggerApplication(FunctionStore client, FunctionServer server) {
        this.client = client;
        this.server = server;
    }

    /** Starts the function with the given environment; port 0 picks a free one. */
    public static TrainTriggerApplication start(Map<String, String> env, String host, int port) throws IOException {
        MongoSettings mongo = MongoSettings.fromEnvironment(env);
        FunctionStore client = FunctionStore.connect(mongo, true);
        try {
            Clock clock = Clock.systemUTC();
            MongoDatabase db = client.client().getDatabase(mongo.database());
            TrainLauncher launcher;
            if ("kubernetes".equals(env.get("TRAIN_LAUNCHER"))) {
                launcher = KubernetesJobLauncher.fromEnvironment(env);
            } else {
                Map<String, String> jobEnv = new HashMap<>();
                jobEnv.put("MONGODB_URI", mongo.connectionString());
                jobEnv.put("MONGODB_DATABASE", mongo.database());
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
            TrainTriggerHandlers handlers = new TrainTriggerHandlers(db, new TrainPolicy(
                    Long.parseLong(env.getOrDefault("TRAIN_MIN_NEW_ROWS", "10000")),
                    Double.parseDouble(env.getOrDefault("TRAIN_MAX_PSI", "0.25")),
                    Duration.parse(env.getOrDefault("TRAIN_MAX_AGE", "P7D"))), launcher, LEASE, clock);
            CloudEventEndpoint endpoint = new CloudEventEndpoint(TrainTriggerHandlers.TYPES.stream()
                    .collect(Collectors.toMap(t -> t, t -> handlers::handle)),
                    new ProcessedEvents(db, TrainTriggerHandlers.FUNCTION, clock), 1024 * 1024);
            // Events are all it takes: as many at once as the Service's containerConcurrency (10).
            FunctionServer server = new FunctionServer(FunctionServer.Limits.of(endpoint.maxBodyBytes())
                    .withEventConcurrency(10), endpoint, host, port, client::reachable);
            LOG.info("train-trigger listening on {}", server.port());
            return new TrainTriggerApplication(client, server);
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
        client.close();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        try (TrainTriggerApplication app = start(env, "0.0.0.0", Integer.parseInt(env.getOrDefault("PORT", "8080")))) {
            FunctionServer.awaitShutdown();
        }
    }
}
