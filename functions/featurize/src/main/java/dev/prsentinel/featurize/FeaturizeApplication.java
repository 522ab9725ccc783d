package dev.prsentinel.featurize;

import dev.prsentinel.core.config.MongoSettings;
import dev.prsentinel.core.http.CloudEventEndpoint;
import dev.prsentinel.core.http.FunctionServer;
import dev.prsentinel.core.store.FunctionStore;
import dev.prsentinel.core.store.ProcessedEvents;
import dev.prsentinel.core.store.PullRequestStore;
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

    private final FunctionStore client;
    private final FunctionServer server;
    private final FeaturizeHandlers handlers;

    private FeaturizeApplication(FunctionStore client, FunctionServer server, FeaturizeHandlers handlers) {
        this.client = client;
        this.server = server;
        this.handlers = handlers;
    }

    /** Starts the function with the given environment; port 0 picks a free one. */
    public static FeaturizeApplication start(Map<String, String> env, String host, int port) throws IOException {
        MongoSettings mongo = MongoSettings.fromEnvironment(env);
        FunctionStore client = FunctionStore.connect(mongo, true);
        try {
            Clock clock = Clock.systemUTC();
            var db = client.client().getDatabase(mongo.database());
            String output = env.getOrDefault("FEATURIZE_OUTPUT",
                    Path.of(System.getProperty("java.io.tmpdir"), "prsentinel-features").toString());
            Map<String, String> jobEnv = new HashMap<>();
            jobEnv.put("MONGODB_URI", mongo.connectionString());
            jobEnv.put("MONGODB_DATABASE", mongo.database());
            if (env.get("K_SINK") != null) {
                jobEnv.put("K_SINK", env.get("K_SINK"));
            }
            JobLauncher launcher = "kubernetes".equals(env.get("FEATURIZE_LAUNCHER"))
                    ? KubernetesLauncher.fromEnvironment(env, output)
                    : new LocalProcessLauncher(
                            env.getOrDefault("FEATURIZE_JOB_CLASSPATH", System.getProperty("java.class.path")), output,
                            jobEnv, Path.of(env.getOrDefault("FEATURIZE_LOG_DIR", output), "logs"), "local[2]");
            FeaturizeHandlers handlers = new FeaturizeHandlers(new PullRequestStore(db, clock),
                    new FeaturizeState(db), new FeaturizePolicy(
                            Long.parseLong(env.getOrDefault("FEATURIZE_MIN_NEW_PRS", "500")),
                            Duration.parse(env.getOrDefault("FEATURIZE_MAX_AGE", "PT24H"))),
                    launcher, LEASE, clock);
            CloudEventEndpoint endpoint = new CloudEventEndpoint(FeaturizeHandlers.TYPES.stream()
                    .collect(Collectors.toMap(t -> t, t -> handlers::handle)),
                    new ProcessedEvents(db, FeaturizeHandlers.FUNCTION, clock), 1024 * 1024);
            // Events are all it takes: as many at once as the Service's containerConcurrency (10).
            FunctionServer server = new FunctionServer(FunctionServer.Limits.of(endpoint.maxBodyBytes())
                    .withEventConcurrency(10), endpoint, host, port, client::reachable);
            LOG.info("featurize listening on {}", server.port());
            return new FeaturizeApplication(client, server, handlers);
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    public int port() {
        return server.port();
    }

    public FeaturizeHandlers handlers() {
        return handlers;
    }

    @Override
    public void close() {
        server.close();
        client.close();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        try (FeaturizeApplication app = start(env, "0.0.0.0", Integer.parseInt(env.getOrDefault("PORT", "8080")))) {
            FunctionServer.awaitShutdown();
        }
    }
}
