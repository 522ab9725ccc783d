package dev.prsentinel.score;

import com.mongodb.client.MongoDatabase;
import dev.prsentinel.core.config.MongoSettings;
import dev.prsentinel.core.config.Redact;
import dev.prsentinel.core.http.CloudEventEndpoint;
import dev.prsentinel.core.http.FunctionServer;
import dev.prsentinel.core.http.Headers;
import dev.prsentinel.core.http.HttpAnswer;
import dev.prsentinel.core.secrets.EnvironmentSecrets;
import dev.prsentinel.core.secrets.MissingSecret;
import dev.prsentinel.core.secrets.Rotating;
import dev.prsentinel.core.secrets.Secrets;
import dev.prsentinel.core.store.FunctionStore;
import dev.prsentinel.core.store.ProcessedEvents;
import dev.prsentinel.core.store.PullRequestStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * <p>Environment: PORT (8080); the model's (MODEL_DIR, or MLFLOW_TRACKING_URI with MODEL_NAME,
 * MODEL_VERSION or MODEL_ALIAS, MODEL_CACHE_DIR); MONGODB_DATABASE for events. Secrets
 * (core/secrets) from Vault when VAULT_ADDR is set, else the environment: mongodb_uri for events
 * (optional: without it /score serves and events get a 503 saying so), mlflow_tracking_uri and its
 * credentials for the registry (the address may also be MLFLOW_TRACKING_URI); SCORE_NOOP_ENDPOINT=true
 * adds the serving benchmark's reference endpoints, POST /noop and POST /floor ({@link BenchmarkRoutes}).
 */
public final class ScoreApplication implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ScoreApplication.class);
    /**
     * /score's bound: a batch of 100 REST PR objects (15-19 KB each as GitHub returns them) fits with
     * room for long descriptions; openapi.yaml says so. The heap holds the body and its reading:
     * containerConcurrency 20 of them at the bound is 60 MiB of the 96 MiB heap.
     */
    static final int MAX_BODY_BYTES = 3 * 1024 * 1024;
    /** pr.ingested events name PR numbers, never PR objects. */
    static final int MAX_EVENT_BYTES = 1024 * 1024;
    /** The CloudEvent types it takes (its Triggers route exactly these). */
    public static final java.util.Set<String> EVENT_TYPES = ScoreHandlers.TYPES;

    private final Secrets secrets;
    private final Events events;
    private final FunctionServer server;
    private final ServedModel served;
    private final Thread loader;

    private ScoreApplication(Secrets secrets, Events events, FunctionServer server, ServedModel served,
            Thread loader) {
        this.secrets = secrets;
        this.events = events;
        this.server = server;
        this.served = served;
        this.loader = loader;
    }

    /**
     * The CloudEvent side, built on the first event: the MongoDB driver (its classes and its monitor
     * threads) costs a cold start that clients of /score alone should not pay. Built from the
     * secrets' mongodb_uri and rebuilt when it rotates.
     */
    private static final class Events {
        private final Secrets secrets;
        private final Map<String, String> env;
        private final ServedModel served;
        private final Clock clock;
        private Rotating<Wiring> wiring;

        private record Wiring(FunctionStore client, ScoreHandlers handlers, CloudEventEndpoint endpoint)
                implements AutoCloseable {
            @Override
            public void close() {
                client.close();
            }
        }

        Events(Secrets secrets, Map<String, String> env, ServedModel served, Clock clock) {
            this.secrets = secrets;
            this.env = env;
            this.served = served;
            this.clock = clock;
        }

        HttpAnswer handle(Headers headers, byte[] body) {
            Rotating<Wiring> w;
            try {
                w = wiring();
            } catch (MissingSecret e) {
                // From the environment the variable's name helps; from Vault, the path is the operator's.
                return HttpAnswer.error(503, "no store configured (" + (secrets instanceof EnvironmentSecrets
                        ? e.getMessage() : "mongodb_uri is not in score's secret") + "): score serves /score, but "
                        + "cannot take events");
            } catch (RuntimeException e) {
                LOG.warn("events refused: the store cannot be reached yet: {}", Redact.text(e.getMessage()));
                return HttpAnswer.error(503, "the store's credentials are unavailable; retry later");
            }
            return w.use(x -> x.endpoint().handle(headers, body),
                    reason -> HttpAnswer.error(503, "the store is unavailable; retry later"));
        }

        synchronized Rotating<Wiring> wiring() {
            if (wiring == null) {
                wiring = Rotating.now("score's store", secrets, List.of(Secrets.MONGODB_URI), s -> {
                    MongoSettings mongo = MongoSettings.fromSecrets(s, env);
                    FunctionStore client = FunctionStore.connect(mongo, false);
                    try {
                        MongoDatabase db = client.client().getDatabase(mongo.database());
                        ScoreHandlers handlers = new ScoreHandlers(new PullRequestStore(db, clock), new ScoreStore(db),
                                served, clock);
                        return new Wiring(client, handlers, new CloudEventEndpoint(ScoreHandlers.TYPES.stream()
                                .collect(Collectors.toMap(t -> t, t -> handlers::handle)),
                                new ProcessedEvents(db, ScoreHandlers.FUNCTION, clock), MAX_EVENT_BYTES));
                    } catch (RuntimeException e) {
                        client.close();
                        throw e;
                    }
                });
            }
            return wiring;
        }

        synchronized long unscored() {
            return wiring == null ? 0 : wiring.use(x -> x.handlers().unscored(), reason -> 0L);
        }

        synchronized void close() {
            if (wiring != null) {
                wiring.close();
            }
        }
    }

    public static ScoreApplication start(Map<String, String> env, String host, int port) throws IOException {
        Clock clock = Clock.systemUTC();
        Instant processStart = ProcessHandle.current().info().startInstant().orElse(clock.instant());
        ServedModel served = new ServedModel();
        Secrets secrets = Secrets.fromEnvironment(env);
        Events events = new Events(secrets, env, served, clock);
        Metrics metrics = new Metrics(events::unscored);
        ScoreApi score = new ScoreApi(served);
        Map<String, FunctionServer.Route> routes = new java.util.HashMap<>(Map.of(
                "/", FunctionServer.events(events::handle),
                "/score", metrics.counting(score),
                "/openapi.yaml", (method, query, headers, body) -> openApi(),
                "/metrics", (method, query, headers, body) -> metrics.render(served)));
        if ("true".equals(env.get("SCORE_NOOP_ENDPOINT"))) {
            BenchmarkRoutes.of(score, served).forEach((path, route) -> routes.put(path, metrics.counting(route)));
        }
        FunctionServer server = new FunctionServer(MAX_BODY_BYTES, host, port, served::ready, routes);
        Duration retry = Duration.parse(env.getOrDefault("MODEL_RETRY", "PT10S"));
        Thread loader = new Thread(() -> load(env, secrets, clock, served, retry, processStart, metrics),
                "model-loader");
        loader.setDaemon(true);
        loader.start();
        LOG.info("score listening on {}", server.port());
        return new ScoreApplication(secrets, events, server, served, loader);
    }

    private static void load(Map<String, String> env, Secrets secrets, Clock clock, ServedModel served,
            Duration retry, Instant processStart, Metrics metrics) {
        long secretsPause = 500;
        while (!Thread.currentThread().isInterrupted()) {
            if (!(secrets instanceof EnvironmentSecrets)) {
                // Not ready before the secrets have been read once: a pod that cannot log in says so,
                // with the reason, and is retried with backoff; this login and read are part of the
                // cold start run-score.sh measures.
                try {
                    secrets.find(Secrets.MONGODB_URI);
                } catch (RuntimeException e) {
                    String reason = Redact.text(e.getMessage());
                    LOG.warn("not ready: {}; retrying in {} ms", reason, secretsPause);
                    served.failed(reason, false);
                    try {
                        Thread.sleep(secretsPause);
                    } catch (InterruptedException stop) {
                        return;
                    }
                    secretsPause = Math.min(retry.toMillis(), secretsPause * 2);
                    continue;
                }
            }
            try {
                ModelSource.Loaded loaded = ModelSource.load(env, secrets, clock);
                served.set(loaded);
                metrics.ready(Duration.between(processStart, clock.instant()));
                LOG.info("serving {} version {} (threshold {})", loaded.name(), loaded.version(),
                        loaded.model().threshold());
                return;
            } catch (RuntimeException e) {
                boolean none = e instanceof ModelSource.NoModelYet;
                // Before the first training there is simply no model: said once, not every retry.
                String reason = Redact.text(e.getMessage());
                if (!none) {
                    LOG.warn("no model to serve: {}; trying again in {}", reason, retry);
                } else if (!served.noneRegistered()) {
                    LOG.info("no model to serve yet: {}; checking every {}", reason, retry);
                }
                served.failed(reason, none);
            }
            try {
                Thread.sleep(retry.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static HttpAnswer openApi() {
        try (InputStream in = ScoreApplication.class.getResourceAsStream("/openapi.yaml")) {
            return new HttpAnswer(200, Map.of("content-type", "application/yaml"),
                    in.readAllBytes());
        } catch (IOException | NullPointerException e) {
            return HttpAnswer.error(500, "openapi.yaml is missing from this build");
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
        events.close();
        secrets.close();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        FunctionServer.closeOnShutdown(start(env, "0.0.0.0", Integer.parseInt(env.getOrDefault("PORT", "8080"))));
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
                HttpAnswer r = route.handle(method, query, headers, body);
                requests.increment();
                if (r.status() >= 400) {
                    rejected.increment();
                }
                return r;
            };
        }

        HttpAnswer render(ServedModel served) {
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
            return new HttpAnswer(200, Map.of("content-type", "text/plain; version=0.0.4"),
                    text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
