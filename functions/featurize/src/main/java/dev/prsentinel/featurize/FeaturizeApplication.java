package dev.prsentinel.featurize;

import dev.prsentinel.core.config.MongoSettings;
import dev.prsentinel.core.http.CloudEventEndpoint;
import dev.prsentinel.core.http.FunctionServer;
import dev.prsentinel.core.secrets.JobSecrets;
import dev.prsentinel.core.secrets.Rotating;
import dev.prsentinel.core.secrets.Secrets;
import dev.prsentinel.core.store.FunctionStore;
import dev.prsentinel.core.store.ProcessedEvents;
import dev.prsentinel.core.store.PullRequestStore;
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
 * The featurize Knative function: the shared CloudEvent endpoint on the JDK's HTTP server. No web
 * framework: Spark already makes this image large, and a small server keeps cold starts short.
 *
 * <p>Environment: MONGODB_URI, MONGODB_DATABASE, PORT (8080), K_SINK, FEATURIZE_OUTPUT (where sets
 * go; a directory locally, s3a://... in a cluster), FEATURIZE_MIN_NEW_PRS (500), FEATURIZE_MAX_AGE
 * (PT24H), FEATURIZE_LAUNCHER (local: a child JVM with FEATURIZE_JOB_CLASSPATH, default this JVM's;
 * kubernetes: cluster-mode submission, see {@link KubernetesLauncher} and FEATURIZE_NAMESPACE,
 * FEATURIZE_IMAGE, FEATURIZE_APP_RESOURCE, FEATURIZE_DRIVER_SERVICE_ACCOUNT, FEATURIZE_EXECUTORS).
 */
public final class FeaturizeApplication implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FeaturizeApplication.class);
    private static final Duration LEASE = Duration.ofHours(1);
    private static final long MAX_EVENT_BYTES = 1024 * 1024;

    private final Secrets secrets;
    private final Rotating<Wiring> wiring;
    private final FunctionServer server;

    private FeaturizeApplication(Secrets secrets, Rotating<Wiring> wiring, FunctionServer server) {
        this.secrets = secrets;
        this.wiring = wiring;
        this.server = server;
    }

    /** What is built from the store's credentials, rebuilt when they rotate. */
    private record Wiring(FunctionStore client, FeaturizeHandlers handlers, CloudEventEndpoint endpoint)
            implements AutoCloseable {
        @Override
        public void close() {
            client.close();
        }
    }

    /** Starts the function with the given environment; port 0 picks a free one. */
    public static FeaturizeApplication start(Map<String, String> env, String host, int port) throws IOException {
        Clock clock = Clock.systemUTC();
        Secrets secrets = Secrets.fromEnvironment(env);
        Rotating<Wiring> wiring = null;
        try {
            String output = env.getOrDefault("FEATURIZE_OUTPUT",
                    Path.of(System.getProperty("java.io.tmpdir"), "prsentinel-features").toString());
            // The job reads its own secrets: from Vault, as its own role; locally, from these variables.
            Map<String, String> jobEnv = new HashMap<>(JobSecrets.forJob(env, "FEATURIZE_JOB_", "MONGODB_URI"));
            jobEnv.put("MONGODB_DATABASE", env.getOrDefault("MONGODB_DATABASE", "prsentinel"));
            if (env.get("K_SINK") != null) {
                jobEnv.put("K_SINK", env.get("K_SINK"));
            }
            JobLauncher launcher = "kubernetes".equals(env.get("FEATURIZE_LAUNCHER"))
                    ? KubernetesLauncher.fromEnvironment(env, output)
                    : new LocalProcessLauncher(
                            env.getOrDefault("FEATURIZE_JOB_CLASSPATH", System.getProperty("java.class.path")), output,
                            jobEnv, Path.of(env.getOrDefault("FEATURIZE_LOG_DIR", output), "logs"), "local[2]");
            FeaturizePolicy policy = new FeaturizePolicy(
                    Long.parseLong(env.getOrDefault("FEATURIZE_MIN_NEW_PRS", "500")),
                    Duration.parse(env.getOrDefault("FEATURIZE_MAX_AGE", "PT24H")));
            wiring = Rotating.of("featurize's store", secrets, List.of(Secrets.MONGODB_URI), s -> {
                MongoSettings mongo = MongoSettings.fromSecrets(s, env);
                FunctionStore client = FunctionStore.connect(mongo, true);
                try {
                    var db = client.client().getDatabase(mongo.database());
                    FeaturizeHandlers handlers = new FeaturizeHandlers(new PullRequestStore(db, clock),
                            new FeaturizeState(db), policy, launcher, LEASE, clock);
                    return new Wiring(client, handlers, new CloudEventEndpoint(FeaturizeHandlers.TYPES.stream()
                            .collect(Collectors.toMap(t -> t, t -> handlers::handle)),
                            new ProcessedEvents(db, FeaturizeHandlers.FUNCTION, clock), MAX_EVENT_BYTES));
                } catch (RuntimeException e) {
                    client.close();
                    throw e;
                }
            });
            // Events are all it takes: as many at once as the Service's containerConcurrency (10).
            FunctionServer server = FunctionServer.forEvents("featurize", FunctionServer.Limits.of(MAX_EVENT_BYTES)
                    .withEventConcurrency(10), host, port, wiring, w -> w.client().reachable(), Wiring::endpoint);
            LOG.info("featurize listening on {}; secrets from {}", server.port(), secrets.describe());
            return new FeaturizeApplication(secrets, wiring, server);
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

    /** The current handlers, or null before the store is ready. */
    public FeaturizeHandlers handlers() {
        return wiring.use(Wiring::handlers, reason -> null);
    }

    @Override
    public void close() {
        server.close();
        wiring.close();
        secrets.close();
    }

    public static void main(String[] args) throws Exception {
        // The same image runs Spark's driver and executor pods (cluster mode), started with these.
        if (SparkEntrypoint.handles(args)) {
            SparkEntrypoint.run(args);
            return;
        }
        Map<String, String> env = System.getenv();
        FunctionServer.closeOnShutdown(start(env, "0.0.0.0", Integer.parseInt(env.getOrDefault("PORT", "8080"))));
    }
}
