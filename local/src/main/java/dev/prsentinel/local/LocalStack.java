package dev.prsentinel.local;

import com.mongodb.client.model.Filters;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.http.CloudEventEndpoint;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.events.SyncRequested;
import dev.prsentinel.core.jobs.ChildJvm;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.tracking.Tracking;
import dev.prsentinel.featurize.FeaturizeApplication;
import dev.prsentinel.ingest.IngestApplication;
import dev.prsentinel.ingest.webhooks.GitHubWebhooks;
import dev.prsentinel.local.broker.KnativeManifests;
import dev.prsentinel.local.broker.LocalBroker;
import dev.prsentinel.score.ScoreApplication;
import dev.prsentinel.train.TrainTriggerApplication;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.bson.Document;

/**
 * Everything on one machine: the embedded store, the local broker routed by knative/, and each
 * function in this JVM on its own loopback port, registered under its Knative Service name.
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
    private final String webhookSecret;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    /** Ctrl-C (or any exit) closes the stack, its functions and its child JVMs. */
    private final Thread shutdownHook = new Thread(this::close, "local-stack-shutdown");
    private IngestApplication ingest;
    private FeaturizeApplication featurize;
    private TrainTriggerApplication trainTrigger;
    private ScoreApplication score;
    private TrackingChoice tracking;

    private LocalStack(EmbeddedStore store, LocalBroker broker, String webhookSecret) {
        this.store = store;
        this.broker = broker;
        this.webhookSecret = webhookSecret;
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    public static LocalStack start(Options options) throws IOException {
        EmbeddedStore store = new EmbeddedStore(options.dataDir());
        LocalStack stack = null;
        try {
            KnativeManifests manifests = options.manifests() == null ? KnativeManifests.fromClasspath()
                    : KnativeManifests.fromDirectory(options.manifests());
            LocalBroker broker = new LocalBroker(manifests, BROKER, options.dataDir().resolve("dead-letters")).start();
            stack = new LocalStack(store, broker, newWebhookSecret());
            stack.startIngest(options);
            stack.startFeaturize(options.dataDir());
            stack.startTrainTrigger(options.dataDir());
            stack.startScore(options.dataDir());
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

    /**
     * ingest with both of its roles in this JVM: the webhook receiver hands GitHub's deliveries to the
     * broker, which routes them by knative/'s Triggers to ingest's CloudEvent route, as in a cluster.
     */
    private void startIngest(Options options) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("INGEST_ROUTES", "all");
        env.put("MONGODB_URI", store.settings().connectionString());
        env.put("MONGODB_DATABASE", store.settings().database());
        env.put("K_SINK", broker.url().toString());
        env.put("GITHUB_API_URL", options.githubEndpoint());
        if (options.githubToken() != null) {
            env.put("GITHUB_TOKEN", options.githubToken());
        }
        env.put("GITHUB_WEBHOOK_SECRET", webhookSecret);
        ingest = IngestApplication.start(env, "127.0.0.1", 0);
        broker.registerService("ingest", "http://127.0.0.1:" + ingest.port());
    }

    /**
     * The webhook secret: GITHUB_WEBHOOK_SECRET when set (to receive a real repository's deliveries
     * on this machine), else a new random one per start, which only the demo's own deliveries know.
     */
    private static String newWebhookSecret() {
        String configured = System.getenv("GITHUB_WEBHOOK_SECRET");
        if (configured != null && !configured.isEmpty()) {
            return configured;
        }
        byte[] random = new byte[32];
        new java.security.SecureRandom().nextBytes(random);
        return java.util.HexFormat.of().formatHex(random);
    }

    /** Where GitHub's deliveries go: ingest's receiver. */
    public URI webhookUrl() {
        return URI.create("http://127.0.0.1:" + ingest.port() + IngestApplication.WEBHOOK_PATH);
    }

    /** The secret the receiver verifies deliveries with, for the demo to sign its own. */
    public String webhookSecret() {
        return webhookSecret;
    }

    /**
     * featurize runs in this JVM; its Spark jobs run as child JVMs on featurize's own classpath,
     * which the build writes to functions/featurize/target/job-classpath.txt.
     */
    private void startFeaturize(Path dataDir) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MONGODB_URI", store.settings().connectionString());
        env.put("MONGODB_DATABASE", store.settings().database());
        env.put("K_SINK", broker.url().toString());
        env.put("FEATURIZE_OUTPUT", dataDir.resolve("features").toAbsolutePath().toString());
        // One machine, a compressed timeline: a set after every batch of new PRs, however small.
        env.put("FEATURIZE_MIN_NEW_PRS", "1");
        env.put("FEATURIZE_JOB_CLASSPATH", featurizeJobClasspath());
        featurize = FeaturizeApplication.start(env, "127.0.0.1", 0);
        broker.registerService("featurize", "http://127.0.0.1:" + featurize.port());
    }

    /**
     * train-trigger runs in this JVM; its trainings run as child JVMs on train-trigger's own classpath
     * (Spark and DJL), tracked where {@link TrackingChoice} says.
     */
    private void startTrainTrigger(Path dataDir) throws IOException {
        tracking = TrackingChoice.choose(dataDir, System.getenv());
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MONGODB_URI", store.settings().connectionString());
        env.put("MONGODB_DATABASE", store.settings().database());
        env.put("K_SINK", broker.url().toString());
        env.put("MLFLOW_TRACKING_URI", tracking.uri());
        // One machine, a compressed timeline: every new feature set is worth a training.
        env.put("TRAIN_MIN_NEW_ROWS", "1");
        env.put("TRAIN_JOB_CLASSPATH", jobClasspath("train-trigger", "PRSENTINEL_TRAIN_CLASSPATH"));
        env.put("TRAIN_LOG_DIR", dataDir.resolve("training-logs").toAbsolutePath().toString());
        trainTrigger = TrainTriggerApplication.start(env, "127.0.0.1", 0);
        broker.registerService("train-trigger", "http://127.0.0.1:" + trainTrigger.port());
    }

    /** score serves the registry's champion; until the first training it has none and scores nothing. */
    private void startScore(Path dataDir) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MONGODB_URI", store.settings().connectionString());
        env.put("MONGODB_DATABASE", store.settings().database());
        env.put("MLFLOW_TRACKING_URI", tracking.uri());
        env.put("MODEL_ALIAS", "champion");
        env.put("MODEL_CACHE_DIR", dataDir.resolve("model-cache").toAbsolutePath().toString());
        env.put("MODEL_RETRY", "PT1S");
        score = ScoreApplication.start(env, "127.0.0.1", 0);
        broker.registerService("score", "http://127.0.0.1:" + score.port());
    }

    /** The score function's address, for clients. */
    public URI scoreUrl() {
        return URI.create("http://127.0.0.1:" + score.port());
    }

    /** Whether score serves a model. */
    public boolean scoreReady() {
        return score.ready();
    }

    static String featurizeJobClasspath() throws IOException {
        return jobClasspath("featurize", "PRSENTINEL_FEATURIZE_CLASSPATH");
    }

    /** A function module's classes and its job-classpath.txt (written by the build), or the override. */
    static String jobClasspath(String module, String override) throws IOException {
        String configured = System.getenv(override);
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path file = dir.resolve("functions/" + module + "/target/job-classpath.txt");
            if (Files.isRegularFile(file)) {
                return dir.resolve("functions/" + module + "/target/classes") + java.io.File.pathSeparator
                        + Files.readString(file).trim();
            }
        }
        throw new IllegalStateException(module + "'s job classpath (functions/" + module
                + "/target/job-classpath.txt) was not found above " + Path.of("").toAbsolutePath()
                + "; build with ./prsentinel or ./mvnw package");
    }

    /** Where training runs are tracked, in words for the console. */
    public String trackingDescription() {
        return tracking.description();
    }

    /** Where training runs are tracked, as MLFLOW_TRACKING_URI says it. */
    public String trackingUri() {
        return tracking.uri();
    }

    /** The tracking training runs go to. */
    public Tracking tracking() {
        return Tracking.forUri(tracking.uri(), Clock.systemUTC());
    }

    /** Whether a training holds the lease (is running). */
    public boolean trainingRunning() {
        return leaseHeld("training_state", "lease");
    }

    /** Whether a feature job holds the lease (is running). */
    public boolean featureJobRunning() {
        return leaseHeld("featurize_state", "featurize");
    }

    /** Whether the lease document {@code id} in {@code collection} holds an unexpired lease_until. */
    private boolean leaseHeld(String collection, String id) {
        Document d = store.client().getDatabase(store.settings().database()).getCollection(collection)
                .find(Filters.eq("_id", id)).first();
        return d != null && d.getDate("lease_until") != null && d.getDate("lease_until").after(new Date());
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

    /**
     * Asks ingest for a backfill, through the broker as any client would.
     *
     * @param requester the event's source, naming who asked
     * @return when it was asked, for {@link #awaitSync}
     */
    public Instant requestSync(SyncRequested request, String requester) throws IOException {
        Instant asked = Instant.now();
        broker.publish(CloudEventBuilder.v1().withId(UUID.randomUUID().toString())
                .withSource(URI.create(requester)).withType(EventTypes.SYNC_REQUESTED)
                .withDataSchema(URI.create(EventTypes.schema(EventTypes.SYNC_REQUESTED, SyncRequested.VERSION)))
                .withDataContentType("application/json").withData(Json.mapper().writeValueAsBytes(request)).build());
        return asked;
    }

    /**
     * Waits for a repository's backfill that started after {@code asked} to finish.
     *
     * @param tick called about every 10 s while waiting, for progress output
     * @return its sync_state document, or null when it did not finish in time
     */
    public Document awaitSync(String repo, Instant asked, Duration timeout, Runnable tick)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextTick = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Date after = Date.from(asked.minusSeconds(1));
        while (System.nanoTime() < deadline) {
            Document d = store.client().getDatabase(store.settings().database()).getCollection("sync_state")
                    .find(Filters.eq("_id", repo)).first();
            if (d != null && d.getDate("last_run_finished") != null && !d.getDate("last_run_finished").before(after)) {
                return d;
            }
            if (System.nanoTime() > nextTick) {
                nextTick += Duration.ofSeconds(10).toNanos();
                tick.run();
            }
            Thread.sleep(100);
        }
        return null;
    }

    /** What ingest's CloudEvent endpoint has counted. */
    public CloudEventEndpoint.Stats ingestStats() {
        return ingest.endpointStats();
    }

    /** What ingest's webhook receiver has counted. */
    public GitHubWebhooks.Stats webhookStats() {
        return ingest.webhookStats();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // Called from the hook itself: the JVM is already on its way out.
        }
        broker.close();
        if (featurize != null) {
            featurize.close();
        }
        if (trainTrigger != null) {
            trainTrigger.close();
        }
        if (score != null) {
            score.close();
        }
        if (tracking != null) {
            tracking.close();
        }
        if (ingest != null) {
            ingest.close();
        }
        // Feature jobs and trainings are child JVMs: none outlives the run that started it.
        int stopped = ChildJvm.stopAll(Duration.ofSeconds(10));
        if (stopped > 0) {
            org.slf4j.LoggerFactory.getLogger(LocalStack.class).info("stopped {} job(s) still running", stopped);
        }
        store.close();
    }
}
