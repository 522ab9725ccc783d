package dev.prsentinel.ingest;

import com.mongodb.client.MongoDatabase;
import dev.prsentinel.core.config.MongoSettings;
import dev.prsentinel.core.secrets.Rotating;
import dev.prsentinel.core.secrets.Secrets;
import dev.prsentinel.core.store.UpsertResult;
import dev.prsentinel.ingest.github.BackfillResult;
import dev.prsentinel.core.http.CloudEventBinding;
import dev.prsentinel.core.http.CloudEventEndpoint;
import dev.prsentinel.core.http.EventSink;
import dev.prsentinel.core.http.FunctionServer;
import dev.prsentinel.core.http.HttpAnswer;
import dev.prsentinel.core.http.InvalidEvent;
import dev.prsentinel.core.store.DeadLetterStore;
import dev.prsentinel.core.store.FunctionStore;
import dev.prsentinel.core.store.ProcessedEvents;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.ingest.github.GitHubBackfill;
import dev.prsentinel.ingest.github.Sleeper;
import dev.prsentinel.ingest.github.SyncStateStore;
import dev.prsentinel.ingest.webhooks.GitHubWebhooks;
import dev.prsentinel.ingest.webhooks.WebhookSecret;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest Knative function on core's {@link FunctionServer}, like the other functions. It left
 * Spring Boot: GitHub waits 10 s for a webhook's answer and a Boot start took most of that on 2
 * cores (benchmarks/RESULTS.md). Its logic is still the plain {@code Function<CloudEvent,
 * CloudEvent>} {@link IngestHandlers}, which runs unchanged under Spring Cloud Function
 * (IngestFunctionCatalogTest).
 *
 * <p>One image, two roles (INGEST_ROUTES): {@code webhooks} is the public receiver of GitHub's
 * deliveries ({@code POST /webhooks/github}, needs only the webhook secret and K_SINK);
 * {@code events} is the cluster-local function the broker calls ({@code POST /} for CloudEvents,
 * {@code POST /dead-letters}); {@code all} (the default, for one machine) serves both.
 *
 * <p>Secrets (core/secrets): from Vault when VAULT_ADDR, VAULT_ROLE and VAULT_SECRET_PATH are set
 * (keys mongodb_uri and github_token for events, github_webhook_secret for the receiver), else
 * from MONGODB_URI, GITHUB_TOKEN and GITHUB_WEBHOOK_SECRET (or GITHUB_WEBHOOK_SECRET_FILE). A
 * rotated value is used without a restart: the store client is rebuilt, the next backfill takes
 * the new token, the next delivery is checked with the new secret.
 *
 * <p>Environment besides: INGEST_ROUTES, PORT (8080), MONGODB_DATABASE, GITHUB_API_URL, K_SINK,
 * INGEST_MAX_BODY_BYTES (5 MiB), INGEST_PAGE_SIZE (100), INGEST_RATE_LIMIT_MAX_WAIT (PT2M).
 */
public final class IngestApplication implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IngestApplication.class);
    /** GitHub caps webhook payloads at 25 MB; a PR event is far smaller, so 5 MiB is generous. */
    private static final long MAX_BODY_BYTES = 5L * 1024 * 1024;
    public static final String WEBHOOK_PATH = "/webhooks/github";

    private final FunctionServer server;
    private final Secrets secrets;
    private final Rotating<Wiring> store;
    private final SyncJobs syncJobs;
    private final GitHubWebhooks webhooks;

    private IngestApplication(FunctionServer server, Secrets secrets, Rotating<Wiring> store, SyncJobs syncJobs,
            GitHubWebhooks webhooks) {
        this.server = server;
        this.secrets = secrets;
        this.store = store;
        this.syncJobs = syncJobs;
        this.webhooks = webhooks;
    }

    /**
     * Everything the events role builds from the store's credentials; rebuilt when they rotate
     * (core/secrets' {@link Rotating}), the old one closed after its last call.
     */
    private record Wiring(FunctionStore client, CloudEventEndpoint endpoint, DeadLetterStore letters,
            GitHubBackfill backfill) implements AutoCloseable {

        static Wiring build(Secrets secrets, Map<String, String> env, SyncJobs jobs, long maxBody, Clock clock) {
            MongoSettings mongo = MongoSettings.fromSecrets(secrets, env);
            FunctionStore client = FunctionStore.connect(mongo, true, () -> refreshQuietly(secrets));
            try {
                MongoDatabase db = client.client().getDatabase(mongo.database());
                PullRequestStore store = new PullRequestStore(db, clock).ensureIndexes();
                GitHubBackfill.Settings defaults = GitHubBackfill.Settings.defaults(
                        env.getOrDefault("GITHUB_API_URL", "https://api.github.com"), null);
                GitHubBackfill backfill = new GitHubBackfill(new GitHubBackfill.Settings(defaults.endpoint(), null,
                        Integer.parseInt(env.getOrDefault("INGEST_PAGE_SIZE", "100")),
                        Duration.parse(env.getOrDefault("INGEST_RATE_LIMIT_MAX_WAIT", "PT2M")),
                        defaults.maxAttempts(), defaults.firstBackoff(), defaults.batchSize()),
                        new SecretToken(secrets), store, new SyncStateStore(db), clock, Sleeper.REAL);
                IngestHandlers function = new IngestHandlers(store, jobs, clock);
                CloudEventEndpoint endpoint = new CloudEventEndpoint(IngestHandlers.acceptedTypes().stream()
                        .collect(Collectors.toMap(t -> t, t -> function::handle)),
                        new ProcessedEvents(db, IngestHandlers.FUNCTION, clock), maxBody);
                return new Wiring(client, endpoint, new DeadLetterStore(db, clock).ensureIndexes(), backfill);
            } catch (RuntimeException e) {
                client.close();
                throw e;
            }
        }

        @Override
        public void close() {
            client.close();
        }
    }

    /** The GitHub token from the secrets (optional: without one the backfill calls anonymously). */
    private record SecretToken(Secrets secrets) implements GitHubBackfill.Tokens {
        @Override
        public String current() {
            return secrets.find(Secrets.GITHUB_TOKEN).orElse(null);
        }

        @Override
        public boolean refresh() {
            return secrets.refreshNow();
        }
    }

    private static void refreshQuietly(Secrets secrets) {
        try {
            secrets.refreshNow();
        } catch (RuntimeException e) {
            LOG.warn("the store refused the credentials, and they cannot be re-read: {}", e.getMessage());
        }
    }

    /** Starts ingest with the given environment; port 0 picks a free one. */
    public static IngestApplication start(Map<String, String> env, String host, int port) throws IOException {
        String routes = env.getOrDefault("INGEST_ROUTES", "all").toLowerCase(Locale.ROOT);
        if (!routes.equals("all") && !routes.equals("events") && !routes.equals("webhooks")) {
            throw new IllegalStateException("INGEST_ROUTES must be all, events or webhooks, not " + routes);
        }
        long maxBody = Long.parseLong(env.getOrDefault("INGEST_MAX_BODY_BYTES", String.valueOf(MAX_BODY_BYTES)));
        Clock clock = Clock.systemUTC();
        Secrets secrets = Secrets.fromEnvironment(env);
        Map<String, FunctionServer.Route> paths = new HashMap<>();
        GitHubWebhooks webhooks = null;
        WebhookSecret webhookSecret = null;
        Rotating<Wiring> store = null;
        SyncJobs jobs = null;
        try {
            if (!routes.equals("events")) {
                webhookSecret = WebhookSecret.from(env, secrets);
                webhooks = webhooks(env, webhookSecret, maxBody, clock);
                GitHubWebhooks receiver = webhooks;
                WebhookSecret secret = webhookSecret;
                paths.put(WEBHOOK_PATH, (method, query, headers, body) -> secret.available()
                        ? receiver.handle(method, headers, body)
                        : HttpAnswer.error(503, "the webhook secret is unavailable; redeliver later"));
            }
            if (!routes.equals("webhooks")) {
                AtomicReference<Rotating<Wiring>> holder = new AtomicReference<>();
                jobs = new SyncJobs((repo, since, progress) -> holder.get().use(
                        w -> w.backfill().run(repo, since, progress),
                        reason -> new BackfillResult(repo, "failed", "the store is not ready: " + reason,
                                UpsertResult.EMPTY, 0, 0, 0, null)), EventSink.forUrl(env.get("K_SINK")), clock);
                SyncJobs syncJobs = jobs;
                store = Rotating.of("ingest's store", secrets, List.of(Secrets.MONGODB_URI),
                        s -> Wiring.build(s, env, syncJobs, maxBody, clock));
                holder.set(store);
                Rotating<Wiring> events = store;
                paths.put("/", FunctionServer.events((headers, body) -> events.use(
                        w -> w.endpoint().handle(headers, body), IngestApplication::notReady)));
                paths.put("/dead-letters", (method, query, headers, body) -> !"POST".equals(method)
                        ? HttpAnswer.error(405, "POST dead letters here")
                        : events.use(w -> deadLetter(w.letters(), headers, body, maxBody),
                                IngestApplication::notReady));
            }
            GitHubWebhooks receiver = webhooks;
            Rotating<Wiring> events = store;
            paths.put("/metrics", (method, query, headers, body) -> metrics(receiver, events));
            // Events are ingest's main work: as many at once as the Service's containerConcurrency.
            // Ready while the store answers, and the receiver while it can read its secret.
            WebhookSecret secret = webhookSecret;
            FunctionServer server = new FunctionServer(FunctionServer.Limits.of(maxBody).withEventConcurrency(20),
                    host, port, () -> (secret == null || secret.available())
                            && (events == null || events.use(w -> w.client().reachable(), reason -> false)), paths);
            LOG.info("ingest ({} routes) listening on {}; secrets from {}", routes, server.port(), secrets.describe());
            return new IngestApplication(server, secrets, store, jobs, webhooks);
        } catch (IOException | RuntimeException e) {
            if (store != null) {
                store.close();
            }
            secrets.close();
            throw e;
        }
    }

    private static HttpAnswer notReady(String reason) {
        LOG.warn("event refused: not ready ({})", reason);
        return HttpAnswer.error(503, "ingest is not ready yet (its store or secrets are unavailable); retry later");
    }

    private static GitHubWebhooks webhooks(Map<String, String> env, WebhookSecret secret, long maxBody, Clock clock) {
        String sink = env.get("K_SINK");
        if (sink == null || sink.isBlank()) {
            throw new IllegalStateException("K_SINK is not set: the webhook receiver has no broker to hand "
                    + "deliveries to");
        }
        // Handed on while GitHub waits: two tries of at most 2 s to connect and 4 s to answer, no pause,
        // so GitHub has its answer inside its 10 s.
        EventSink.Http broker = new EventSink.Http(URI.create(sink), 2, Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ZERO);
        return new GitHubWebhooks(secret, secret::refresh, broker::deliver, maxBody, clock);
    }

    /** The Triggers' deadLetterSink: any event, kept with Knative's reason. */
    private static HttpAnswer deadLetter(DeadLetterStore store, dev.prsentinel.core.http.Headers headers,
            byte[] body, long maxBody) {
        if (body.length > maxBody) {
            return HttpAnswer.error(413, "body exceeds the limit of " + maxBody + " bytes");
        }
        CloudEvent event;
        try {
            event = CloudEventBinding.read(headers, body);
        } catch (InvalidEvent e) {
            return HttpAnswer.error(e.status(), "not a valid CloudEvent: " + e.getMessage());
        }
        LOG.warn("dead letter {} ({}) from {}: error code {}", event.getId(), event.getType(), event.getSource(),
                event.getExtension("knativeerrorcode"));
        store.record(event);
        return HttpAnswer.empty(202);
    }

    private static HttpAnswer metrics(GitHubWebhooks webhooks, Rotating<Wiring> store) {
        CloudEventEndpoint endpoint = store == null ? null : store.use(Wiring::endpoint, reason -> null);
        DeadLetterStore letters = store == null ? null : store.use(Wiring::letters, reason -> null);
        StringBuilder text = new StringBuilder();
        if (webhooks != null) {
            GitHubWebhooks.Stats s = webhooks.stats();
            counter(text, "prsentinel_ingest_webhooks_total", "GitHub deliveries by outcome.", "outcome",
                    Map.of("forwarded", s.forwarded(), "unauthorized", s.unauthorized(), "rejected", s.rejected(),
                            "failed", s.failed()));
            counter(text, "prsentinel_ingest_webhooks_ignored_total", "Deliveries of event types not used.", "event",
                    s.ignored());
        }
        if (endpoint != null) {
            CloudEventEndpoint.Stats s = endpoint.stats();
            counter(text, "prsentinel_ingest_events_total", "CloudEvents by outcome.", "outcome", Map.of("handled",
                    s.handled(), "redelivered", s.redelivered(), "rejected", s.rejected(), "failed", s.failed()));
        }
        if (letters != null) {
            try {
                DeadLetterStore.Totals t = letters.totals();
                counter(text, "prsentinel_ingest_dead_letters_total", "Dead letters received, cut to their first "
                        + DeadLetterStore.MAX_DATA_BYTES + " bytes, expired after " + DeadLetterStore.KEPT.toDays()
                        + " days.", "outcome", Map.of("received", t.received(), "truncated", t.truncated(),
                        "expired", t.expired()));
            } catch (RuntimeException e) {
                LOG.warn("dead-letter totals unavailable: {}", e.getMessage());
            }
        }
        return new HttpAnswer(200, Map.of("content-type", "text/plain; version=0.0.4"),
                text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** One counter in Prometheus' text format, a line per label value, in the values' order. */
    private static void counter(StringBuilder text, String name, String help, String label,
            Map<String, Long> values) {
        text.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name)
                .append(" counter\n");
        new java.util.TreeMap<>(values).forEach((value, n) -> text.append(name).append('{').append(label)
                .append("=\"").append(value).append("\"} ").append(n).append('\n'));
    }

    public int port() {
        return server.port();
    }

    /** The CloudEvent endpoint's counts, or null in the webhooks role or before the store is ready. */
    public CloudEventEndpoint.Stats endpointStats() {
        return store == null ? null : store.use(w -> w.endpoint().stats(), reason -> null);
    }

    /** The receiver's counts, or null in the events role. */
    public GitHubWebhooks.Stats webhookStats() {
        return webhooks == null ? null : webhooks.stats();
    }

    @Override
    public void close() {
        server.close();
        if (syncJobs != null) {
            try {
                syncJobs.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (store != null) {
            store.close();
        }
        secrets.close();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        FunctionServer.closeOnShutdown(start(env, "0.0.0.0", Integer.parseInt(env.getOrDefault("PORT", "8080"))));
    }
}
