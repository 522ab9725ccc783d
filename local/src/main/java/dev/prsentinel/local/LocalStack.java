package dev.prsentinel.local;

import dev.prsentinel.core.events.CloudEventEndpoint;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.ingest.IngestApplication;
import dev.prsentinel.local.broker.KnativeManifests;
import dev.prsentinel.local.broker.LocalBroker;
import dev.prsentinel.local.broker.Trigger;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Everything on one machine: the embedded store, the local broker routed by knative/, and each
 * function as its own Spring application in this JVM on a loopback port, registered under its
 * Knative Service name.
 */
public final class LocalStack implements AutoCloseable {

    /** The Broker of knative/ that the functions use. */
    public static final String BROKER = "prsentinel";

    /**
     * How to start.
     *
     * @param dataDir        the store file and dead letters live here
     * @param manifests      knative/ on disk, or null for the copy built into the jar
     * @param githubEndpoint GitHub's API root for backfills
     * @param githubToken    a token, or null
     */
    public record Options(Path dataDir, Path manifests, String githubEndpoint, String githubToken) {
    }

    private final EmbeddedStore store;
    private final LocalBroker broker;
    private final Map<String, ConfigurableApplicationContext> functions = new LinkedHashMap<>();

    private LocalStack(EmbeddedStore store, LocalBroker broker) {
        this.store = store;
        this.broker = broker;
    }

    public static LocalStack start(Options options) throws IOException {
        EmbeddedStore store = new EmbeddedStore(options.dataDir());
        LocalStack stack = null;
        try {
            KnativeManifests manifests = options.manifests() == null ? KnativeManifests.fromClasspath()
                    : KnativeManifests.fromDirectory(options.manifests());
            LocalBroker broker = new LocalBroker(manifests, BROKER, options.dataDir().resolve("dead-letters")).start();
            stack = new LocalStack(store, broker);
            Map<String, Object> ingest = new LinkedHashMap<>();
            ingest.put("server.port", 0);
            ingest.put("prsentinel.mongodb-uri", store.settings().connectionString());
            ingest.put("prsentinel.mongodb-database", store.settings().database());
            ingest.put("prsentinel.sink", broker.url().toString());
            ingest.put("prsentinel.github-endpoint", options.githubEndpoint());
            ingest.put("prsentinel.github-token", options.githubToken() == null ? "" : options.githubToken());
            stack.startFunction("ingest", IngestApplication.class, ingest);
            return stack;
        } catch (RuntimeException | IOException e) {
            if (stack != null) {
                stack.close();
            } else {
                store.close();
            }
            throw e;
        }
    }

    private void startFunction(String service, Class<?> application, Map<String, Object> properties) {
        // As command-line arguments: they outrank the app's application.yaml, as the cluster's environment does.
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(application).logStartupInfo(false)
                .run(args);
        functions.put(service, context);
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        broker.registerService(service, "http://127.0.0.1:" + port);
    }

    public LocalBroker broker() {
        return broker;
    }

    public EmbeddedStore store() {
        return store;
    }

    public PullRequestStore pullRequests() {
        return new PullRequestStore(store.client().getDatabase(store.settings().database()), Clock.systemUTC());
    }

    /** What a function's CloudEvent endpoint has counted. */
    public CloudEventEndpoint.Stats endpointStats(String service) {
        return functions.get(service).getBean(CloudEventEndpoint.class).stats();
    }

    /** Services some Trigger subscribes that are not running here (functions of later stages). */
    public TreeSet<String> missingServices() {
        TreeSet<String> missing = new TreeSet<>();
        for (Trigger t : broker.triggers()) {
            if (!functions.containsKey(t.subscriber())) {
                missing.add(t.subscriber());
            }
        }
        return missing;
    }

    @Override
    public void close() {
        broker.close();
        functions.values().forEach(ConfigurableApplicationContext::close);
        store.close();
    }
}
