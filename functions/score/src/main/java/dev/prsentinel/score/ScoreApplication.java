package dev.prsentinel.score;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import dev.prsentinel.core.config.MongoSettings;
import dev.prsentinel.core.events.CloudEventEndpoint;
import dev.prsentinel.core.events.FunctionServer;
import dev.prsentinel.core.store.ProcessedEvents;
import dev.prsentinel.core.store.PullRequestStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The score Knative function: {@code POST /score} for clients, {@code POST /} for CloudEvents
 * (pr.ingested), {@code GET /openapi.yaml}, {@code GET /metrics} (start-to-ready time, requests),
 * and the health probes, on the JDK's HTTP server with nothing else on the classpath but core.
 *
 * <p>The server answers at once; the model loads beside it (see {@link ModelSource}) and is
 * retried every MODEL_RETRY (PT10S) while it cannot be read. Until one is loaded, readiness fails
 * and /score answers 503; liveness stays up, so Knative waits instead of restarting.
 *
 * <p>Environment: PORT (8080), the model's (MODEL_DIR, or MLFLOW_TRACKING_URI with MODEL_NAME,
 * MODEL_VERSION or MODEL_ALIAS, MODEL_CACHE_DIR), and MONGODB_URI / MONGODB_DATABASE for events.
 */
public final class ScoreApplication implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ScoreApplication.class);
    static final int MAX_BODY_BYTES = 1024 * 1024;
    /** The CloudEvent types it takes (its Triggers route exactly these). */
    public static final java.util.Set<String> EVENT_TYPES = ScoreHandlers.TYPES;

    private final MongoClient client;
    private final FunctionServer server;
    private final ServedModel served;
    private final Thread loader;

    private ScoreApplication(MongoClient client, FunctionServer server, ServedModel served, Thread loader) {
        this.client = client;
        this.server = server;
        this.served = served;
        this.loader = loader;
    }

    public static ScoreApplication start(Map<String, String> env, String host, int port) throws IOException {
        Clock clock = Clock.systemUTC();
        Instant processStart = ProcessHandle.current().info().startInstant().orElse(clock.instant());
        MongoSettings mongo = MongoSettings.fromEnvironment(env);
        // The driver connects on first use: a scorer that only serves /score never touches the store.
        MongoClient client = MongoClients.create(mongo.connectionString());
        try {
            MongoDatabase db = client.getDatabase(mongo.database());
            ServedModel served = new ServedModel();
            ScoreHandlers handlers = new ScoreHandlers(new PullRequestStore(db, clock), new ScoreStore(db), served,
                    clock);
            CloudEventEndpoint endpoint = new CloudEventEndpoint(ScoreHandlers.TYPES.stream()
                    .collect(Collectors.toMap(t -> t, t -> handlers::handle)),
                    new ProcessedEvents(db, ScoreHandlers.FUNCTION, clock), MAX_BODY_BYTES);
            Metrics metrics = new Metrics(handlers::unscored);
            FunctionServer server = new FunctionServer(endpoint, host, port, served::ready, Map.of(
                    "/score", metrics.counting(new ScoreApi(served)),
                    "/openapi.yaml", (method, query, headers, body) -> openApi(),
                    "/metrics", (method, query, headers, body) -> metrics.render(served)));
            Duration retry = Duration.parse(env.getOrDefault("MODEL_RETRY", "PT10S"));
            Thread loader = new Thread(() -> load(env, clock, served, retry, processStart, metrics), "model-loader");
            loader.setDaemon(true);
            loader.start();
            LOG.info("score listening on {}", server.port());
            return new ScoreApplication(client, server, served, loader);
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private static void load(Map<String, String> env, Clock clock, ServedModel served, Duration retry,
            Instant processStart, Metrics metrics) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                ModelSource.Loaded loaded = ModelSource.load(env, clock);
                served.set(loaded);
                metrics.ready(Duration.between(processStart, clock.instant()));
                LOG.info("serving {} version {} (threshold {})", loaded.name(), loaded.version(),
                        loaded.model().threshold());
                return;
            } catch (RuntimeException e) {
                served.failed(e.getMessage(), e instanceof ModelSource.NoModelYet);
                LOG.warn("no model to serve: {}; trying again in {}", e.getMessage(), retry);
            }
            try {
                Thread.sleep(retry.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static CloudEventEndpoint.Response openApi() {
        try (InputStream in = ScoreApplication.class.getResourceAsStream("/openapi.yaml")) {
            return new CloudEventEndpoint.Response(200, Map.of("content-type", "application/yaml"),
                    in.readAllBytes());
        } catch (IOException | NullPointerException e) {
            return CloudEventEndpoint.jsonError(500, "openapi.yaml is missing from this build");
        }
    }

    public int port() {
        return server.port();
    }

    public boolean ready() {
        return served.ready();
    }

    @Override
    public void close() {
        loader.interrupt();
        server.close();
        client.close();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        try (ScoreApplication app = start(env, "0.0.0.0", Integer.parseInt(env.getOrDefault("PORT", "8080")))) {
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
    }

    /** What /metrics reports, in Prometheus' text format. */
    static final class Metrics {
        private final java.util.function.LongSupplier unscored;
        private volatile double readySeconds = Double.NaN;

        Metrics(java.util.function.LongSupplier unscored) {
            this.unscored = unscored;
        }
        private final java.util.concurrent.atomic.LongAdder requests = new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder rejected = new java.util.concurrent.atomic.LongAdder();

        void ready(Duration sinceStart) {
            readySeconds = sinceStart.toNanos() / 1e9;
        }

        FunctionServer.Route counting(FunctionServer.Route route) {
            return (method, query, headers, body) -> {
                CloudEventEndpoint.Response r = route.handle(method, query, headers, body);
                requests.increment();
                if (r.status() >= 400) {
                    rejected.increment();
                }
                return r;
            };
        }

        CloudEventEndpoint.Response render(ServedModel served) {
            String text = String.format(Locale.ROOT, """
                    # HELP prsentinel_score_start_to_ready_seconds From process start to a model being served.
                    # TYPE prsentinel_score_start_to_ready_seconds gauge
                    prsentinel_score_start_to_ready_seconds %s
                    # HELP prsentinel_score_requests_total Requests to /score.
                    # TYPE prsentinel_score_requests_total counter
                    prsentinel_score_requests_total %d
                    # HELP prsentinel_score_rejected_total Requests to /score answered with 4xx or 5xx.
                    # TYPE prsentinel_score_rejected_total counter
                    prsentinel_score_rejected_total %d
                    # HELP prsentinel_score_unscored_events_total pr.ingested accepted before any model existed.
                    # TYPE prsentinel_score_unscored_events_total counter
                    prsentinel_score_unscored_events_total %d
                    # HELP prsentinel_score_ready Whether a model is served.
                    # TYPE prsentinel_score_ready gauge
                    prsentinel_score_ready %d
                    """, Double.isNaN(readySeconds) ? "NaN" : String.valueOf(readySeconds), requests.sum(),
                    rejected.sum(), unscored.getAsLong(), served.ready() ? 1 : 0);
            return new CloudEventEndpoint.Response(200, Map.of("content-type", "text/plain; version=0.0.4"),
                    text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
