package dev.prsentinel.ingest;

import com.mongodb.client.MongoDatabase;
import dev.prsentinel.core.config.MongoSettings;
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
import java.util.Map;
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
 * <p>Environment: INGEST_ROUTES, PORT (8080), MONGODB_URI, MONGODB_DATABASE, GITHUB_API_URL,
 * GITHUB_TOKEN, GITHUB_WEBHOOK_SECRET_FILE or GITHUB_WEBHOOK_SECRET, K_SINK, INGEST_MAX_BODY_BYTES
 * (5 MiB), INGEST_PAGE_SIZE (100), INGEST_RATE_LIMIT_MAX_WAIT (PT2M).
 */
public final class IngestApplication implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IngestApplication.class);
    /** GitHub caps webhook payloads at 25 MB; a PR event is far smaller, so 5 MiB is generous. */
    private static final long MAX_BODY_BYTES = 5L * 1024 * 1024;
    public static final String WEBHOOK_PATH = "/webhooks/github";

    private final FunctionServer server;
    private final FunctionStore client;
    private final SyncJobs syncJobs;
    private final CloudEventEndpoint endpoint;
    private final GitHubWebhooks webhooks;

    private IngestApplication(FunctionServer server, FunctionStore client, SyncJobs syncJobs,
            CloudEventEndpoint endpoint, GitHubWebhooks webhooks) {
        this.server = server;
        this.client = client;
        this.syncJobs = syncJobs;
        this.endpoint = endpoint;
        this.webhooks = webhooks;
    }

    /** Starts ingest with the given environment; port 0 picks a free one. */
    public static IngestApplication start(Map<String, String> env, String host, int port) throws IOException {
        String routes = env.getOrDefault("INGEST_ROUTES", "all").toLowerCase(Locale.ROOT);
        if (!routes.equals("all") && !routes.equals("events") && !routes.equals("webhooks")) {
            throw new IllegalStateException("INGEST_ROUTES must be all, events or webhooks, not " + routes);
        }
        long maxBody = Long.parseLong(env.getOrDefault("INGEST_MAX_BODY_BYTES", String.valueOf(MAX_BODY_BYTES)));
        Clock clock = Clock.systemUTC();
        Map<String, FunctionServer.Route> paths = new HashMap<>();
        GitHubWebhooks webhooks = null;
        if (!routes.equals("events")) {
            webhooks = webhooks(env, maxBody, clock);
            GitHubWebhooks receiver = webhooks;
            paths.put(WEBHOOK_PATH, (method, query, headers, body) -> receiver.handle(method, headers, body));
        }
        FunctionStore client = null;
        DeadLetterStore letters = null;
        SyncJobs jobs = null;
        CloudEventEndpoint endpoint = null;
        try {
            if (!routes.equals("webhooks")) {
                MongoSettings mongo = MongoSettings.fromEnvironment(env);
                client = FunctionStore.connect(mongo, true);
                MongoDatabase db = client.client().getDatabase(mongo.database());
                PullRequestStore store = new PullRequestStore(db, clock).ensureIndexes();
                GitHubBackfill.Settings defaults = GitHubBackfill.Settings.defaults(
                        env.getOrDefault("GITHUB_API_URL", "https://api.github.com"), env.get("GITHUB_TOKEN"));
                GitHubBackfill backfill = new GitHubBackfill(new GitHubBackfill.Settings(defaults.endpoint(),
                        defaults.token(), Integer.parseInt(env.getOrDefault("INGEST_PAGE_SIZE", "100")),
                        Duration.parse(env.getOrDefault("INGEST_RATE_LIMIT_MAX_WAIT", "PT2M")),
                        defaults.maxAttempts(), defaults.firstBackoff(), defaults.batchSize()),
                        store, new SyncStateStore(db), clock, Sleeper.REAL);
                jobs = new SyncJobs(backfill, EventSink.forUrl(env.get("K_SINK")), clock);
                IngestHandlers function = new IngestHandlers(store, jobs, clock);
                endpoint = new CloudEventEndpoint(IngestHandlers.acceptedTypes().stream()
                        .collect(Collectors.toMap(t -> t, t -> function::handle)),
                        new ProcessedEvents(db, IngestHandlers.FUNCTION, clock), maxBody);
                CloudEventEndpoint events = endpoint;
                paths.put("/", FunctionServer.events(events::handle));
                DeadLetterStore deadLetters = new DeadLetterStore(db, clock).ensureIndexes();
                letters = deadLetters;
                paths.put("/dead-letters", (method, query, headers, body) -> !"POST".equals(method)
                        ? HttpAnswer.error(405, "POST dead letters here")
                        : deadLetter(deadLetters, headers, body, maxBody));
            }
            GitHubWebhooks receiver = webhooks;
            CloudEventEndpoint events = endpoint;
            DeadLetterStore deadLetterTotals = letters;
            paths.put("/metrics", (method, query, headers, body) -> metrics(receiver, events, deadLetterTotals));
            // Events are ingest's main work: as many at once as the Service's containerConcurrency.
            // Ready while the store answers (the receiver alone needs none).
            FunctionStore store = client;
            FunctionServer server = new FunctionServer(FunctionServer.Limits.of(maxBody).withEventConcurrency(20),
                    host, port, () -> store == null || store.reachable(), paths);
            LOG.info("ingest ({} routes) listening on {}", routes, server.port());
            return new IngestApplication(server, client, jobs, endpoint, webhooks);
        } catch (IOException | RuntimeException e) {
            if (client != null) {
                client.close();
            }
            throw e;
        }
    }

    private static GitHubWebhooks webhooks(Map<String, String> env, long maxBody, Clock clock) {
        WebhookSecret secret = WebhookSecret.fromEnvironment(env);
        String sink = env.get("K_SINK");
        if (sink == null || sink.isBlank()) {
            throw new IllegalStateException("K_SINK is not set: the webhook receiver has no broker to hand "
                    + "deliveries to");
        }
        // Handed on while GitHub waits: two tries of at most 2 s to connect and 4 s to answer, no pause,
        // so GitHub has its answer inside its 10 s.
        EventSink.Http broker = new EventSink.Http(URI.create(sink), 2, Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ZERO);
        return new GitHubWebhooks(secret, broker::deliver, maxBody, clock);
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

    private static HttpAnswer metrics(GitHubWebhooks webhooks, CloudEventEndpoint endpoint,
            DeadLetterStore letters) {
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

    /** The CloudEvent endpoint's counts, or null in the webhooks role. */
    public CloudEventEndpoint.Stats endpointStats() {
        return endpoint == null ? null : endpoint.stats();
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
        if (client != null) {
            client.close();
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        try (IngestApplication app = start(env, "0.0.0.0", Integer.parseInt(env.getOrDefault("PORT", "8080")))) {
            FunctionServer.awaitShutdown();
        }
    }
}
