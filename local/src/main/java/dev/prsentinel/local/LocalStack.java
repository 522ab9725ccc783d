package dev.prsentinel.local;

import com.mongodb.client.model.Filters;
import dev.prsentinel.bluegreen.ContractLoadTest;
import dev.prsentinel.bluegreen.HttpQualityProbe;
import dev.prsentinel.bluegreen.Promoter;
import dev.prsentinel.bluegreen.RolloutLock;
import dev.prsentinel.bluegreen.gate.LoadContract;
import dev.prsentinel.bluegreen.gate.QualityGate;
import dev.prsentinel.bluegreen.gate.VegetaLoadTest;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.events.SyncRequested;
import dev.prsentinel.core.http.CloudEventEndpoint;
import dev.prsentinel.core.http.EventSink;
import dev.prsentinel.core.jobs.ChildJvm;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.tracking.Tracking;
import dev.prsentinel.featurize.FeaturizeApplication;
import dev.prsentinel.ingest.IngestApplication;
import dev.prsentinel.ingest.webhooks.GitHubWebhooks;
import dev.prsentinel.local.bluegreen.LocalJobSink;
import dev.prsentinel.local.bluegreen.LocalRouter;
import dev.prsentinel.local.bluegreen.ScoreRevisions;
import dev.prsentinel.local.broker.KnativeManifests;
import dev.prsentinel.local.broker.LocalBroker;
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
import java.util.List;
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
     * @param vault          the functions read their secrets from OpenBao ({@link LocalVault}), not
     *                       from their environment
     * @param tracking       where trainings are tracked, owned by the caller (a command keeps MLflow's
     *                       UI up after the stack stops); null: chosen here ({@link
     *                       TrackingChoice.Mode#IF_INSTALLED}) and stopped with the stack
     */
    public record Options(Path dataDir, Path manifests, String githubEndpoint, String githubToken, boolean vault,
            TrackingChoice tracking) {

        public Options(Path dataDir, Path manifests, String githubEndpoint, String githubToken) {
            this(dataDir, manifests, githubEndpoint, githubToken, false, null);
        }
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
    private ScoreRevisions revisions;
    private LocalRouter router;
    private LocalJobSink bluegreen;
    private TrackingChoice tracking;
    /** Whether {@link #tracking} was chosen here, and so is stopped here. */
    private boolean ownsTracking;
    private LocalVault vault;

    private LocalStack(EmbeddedStore store, LocalBroker broker, String webhookSecret) {
        this.store = store;
        this.broker = broker;
        this.webhookSecret = webhookSecret;
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    public static LocalStack start(Options options) throws IOException {
        LocalRouter.noDelay();
        EmbeddedStore store = new EmbeddedStore(options.dataDir());
        LocalStack stack = null;
        try {
            releaseAbandonedLeases(store);
            KnativeManifests manifests = options.manifests() == null ? KnativeManifests.fromClasspath()
                    : KnativeManifests.fromDirectory(options.manifests());
            LocalBroker broker = new LocalBroker(manifests, BROKER, options.dataDir().resolve("dead-letters")).start();
            stack = new LocalStack(store, broker, newWebhookSecret());
            if (options.vault()) {
                stack.vault = LocalVault.start(options.dataDir(), System.getenv());
            }
            stack.startIngest(options);
            stack.startFeaturize(options.dataDir());
            stack.startTrainTrigger(options);
            stack.startScore(options.dataDir());
            stack.startBluegreen();
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
     * The embedded store is open in one process at a time (its file is locked), so a feature job's or
     * a training's lease found in it belongs to a run that ended, a kill -9 among them, and its jobs
     * ended with it (ParentWatch). Without this, the next run would wait out the lease (up to 90
     * minutes) and never train the set the killed run had started.
     */
    private static void releaseAbandonedLeases(EmbeddedStore store) {
        var db = store.client().getDatabase(store.settings().database());
        java.time.Instant now = java.time.Instant.now();
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LocalStack.class);
        new dev.prsentinel.train.TrainState(db).abandon("the run that trained it ended before the training did", now)
                .ifPresent(set -> log.warn("a training of {} was cut short by the end of an earlier run: it may "
                        + "run again", set));
        dev.prsentinel.featurize.FeaturizeState featurize = new dev.prsentinel.featurize.FeaturizeState(db);
        if (featurize.leased()) {
            featurize.release();
            log.warn("a feature job was cut short by the end of an earlier run: the next check starts another");
        }
        // Its set, left "building": failed, so the next job for the same PRs builds it again.
        long building = db.getCollection("feature_sets").updateMany(
                com.mongodb.client.model.Filters.eq("status", "building"),
                com.mongodb.client.model.Updates.combine(com.mongodb.client.model.Updates.set("status", "failed"),
                        com.mongodb.client.model.Updates.set("reason", "the run that built it ended first")))
                .getModifiedCount();
        if (building > 0) {
            log.warn("{} feature set(s) left building by an earlier run marked failed, to be built again", building);
        }
    }

    /**
     * ingest with both of its roles in this JVM: the webhook receiver hands GitHub's deliveries to the
     * broker, which routes them by knative/'s Triggers to ingest's CloudEvent route, as in a cluster.
     */
    private void startIngest(Options options) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("INGEST_ROUTES", "all");
        env.put("MONGODB_DATABASE", store.settings().database());
        env.put("K_SINK", broker.url().toString());
        env.put("GITHUB_API_URL", options.githubEndpoint());
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("MONGODB_URI", store.settings().connectionString());
        if (options.githubToken() != null) {
            secrets.put("GITHUB_TOKEN", options.githubToken());
        }
        secrets.put("GITHUB_WEBHOOK_SECRET", webhookSecret);
        env.putAll(secrets("ingest", secrets));
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
        Map<String, String> env = new LinkedHashMap<>(secrets("featurize",
                Map.of("MONGODB_URI", store.settings().connectionString())));
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
    private void startTrainTrigger(Options options) throws IOException {
        Path dataDir = options.dataDir();
        ownsTracking = options.tracking() == null;
        tracking = ownsTracking ? TrackingChoice.choose(dataDir, System.getenv(), TrackingChoice.Mode.IF_INSTALLED)
                : options.tracking();
        Map<String, String> env = new LinkedHashMap<>(secrets("train-trigger",
                Map.of("MONGODB_URI", store.settings().connectionString(), "MLFLOW_TRACKING_URI", tracking.uri())));
        env.put("MONGODB_DATABASE", store.settings().database());
        env.put("K_SINK", broker.url().toString());
        // One machine, a compressed timeline: every new feature set is worth a training.
        env.put("TRAIN_MIN_NEW_ROWS", "1");
        env.put("TRAIN_JOB_CLASSPATH", jobClasspath("train-trigger", "PRSENTINEL_TRAIN_CLASSPATH"));
        env.put("TRAIN_LOG_DIR", dataDir.resolve("training-logs").toAbsolutePath().toString());
        trainTrigger = TrainTriggerApplication.start(env, "127.0.0.1", 0);
        broker.registerService("train-trigger", "http://127.0.0.1:" + trainTrigger.port());
    }

    /** score serves the registry's champion; until the first training it has none and scores nothing. */
    private void startScore(Path dataDir) throws IOException {
        Map<String, String> env = new LinkedHashMap<>(secrets("score",
                Map.of("MONGODB_URI", store.settings().connectionString(), "MLFLOW_TRACKING_URI", tracking.uri())));
        env.put("MONGODB_DATABASE", store.settings().database());
        env.put("MODEL_ALIAS", "champion");
        env.put("MODEL_CACHE_DIR", dataDir.resolve("model-cache").toAbsolutePath().toString());
        env.put("MODEL_RETRY", "PT1S");
        // Behind the local router, as behind Knative's route: the blue/green promoter rolls new
        // models out on it (revisions, tags, percentages), started by the same Triggers.
        revisions = new ScoreRevisions(env);
        router = new LocalRouter(revisions, null);
        broker.registerService("score", router.address().toString());
    }

    /** knative/bluegreen's JobSink, here: the promoter on the local router, perf/'s gate run by vegeta. */
    private void startBluegreen() throws IOException {
        Path perf = perfDir();
        Promoter.LoadTest load = green -> {
            if (!java.nio.file.Files.isRegularFile(perf.resolve(LoadContract.FILE))) {
                throw new IOException("perf/ is not at " + perf.toAbsolutePath()
                        + ": run from the project's folder, or set PRSENTINEL_PERF_DIR");
            }
            return new ContractLoadTest(LoadContract.read(perf), (c, sc, t) -> new VegetaLoadTest(
                    VegetaLoadTest.locate(System.getenv()), java.nio.file.Files.createTempDirectory("vegeta"))
                    .run(c, sc, t), List.of("smoke", "load")).run(green);
        };
        Promoter promoter = new Promoter(router, RolloutLock.inProcess(), tracking(), load,
                new HttpQualityProbe(() -> pullRequests().recent(500), QualityGate.Bounds.DEFAULT),
                EventSink.forUrl(broker.url().toString()), Clock.systemUTC(), new Promoter.Settings("local",
                        Tracking.MODEL_NAME, "champion", null, Duration.ofSeconds(60), Duration.ofSeconds(60),
                        Duration.ofMillis(200), Duration.ofMinutes(30), "local"));
        bluegreen = new LocalJobSink(promoter);
        broker.registerService("bluegreen", bluegreen.address().toString());
    }

    /** perf/: PRSENTINEL_PERF_DIR, else the project's folder found from here (the runtime runs from a clone). */
    static Path perfDir() {
        String configured = System.getenv("PRSENTINEL_PERF_DIR");
        if (configured != null) {
            return Path.of(configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (java.nio.file.Files.isRegularFile(dir.resolve("perf").resolve(LoadContract.FILE))) {
                return dir.resolve("perf");
            }
        }
        return Path.of("perf");
    }

    /** The local JobSink: the promoter's runs, for waiting on them and for a rollback. */
    public LocalJobSink bluegreen() {
        return bluegreen;
    }

    /** The local score Service (its router): for `status`. */
    public LocalRouter scoreRoutes() {
        return router;
    }

    /**
     * A function's secrets, given as environment variables: as they are, or (demo --vault) written to
     * OpenBao and replaced by the VAULT_* settings it logs in with, as in a cluster.
     */
    private Map<String, String> secrets(String workload, Map<String, String> secrets) throws IOException {
        return vault == null ? secrets : vault.workload(workload, secrets);
    }

    /** Where the functions' secrets are: the environment, or OpenBao's address. */
    public String secretsSource() {
        return vault == null ? "the environment" : "OpenBao at " + vault.address();
    }

    /** The score function's address, for clients. */
    public URI scoreUrl() {
        return router.address();
    }

    /** Whether score serves a model. */
    public boolean scoreReady() {
        return router.read().serving().isPresent();
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

    /**
     * Announces a ready feature set to train-trigger again, as a new features.ready: for a set whose
     * announcement was handled by a run killed before its training was recorded (the embedded store
     * may lose its last second of writes to a kill -9), which nothing else would train.
     */
    public void announceFeatureSet(Document set) {
        java.time.Instant created = set.getDate("created_at") == null ? java.time.Instant.now()
                : set.getDate("created_at").toInstant();
        io.cloudevents.CloudEvent ready = dev.prsentinel.core.events.Events.create(
                "local-reannounce-" + java.util.UUID.randomUUID(), dev.prsentinel.core.events.EventTypes.FEATURES_READY,
                dev.prsentinel.core.events.FeaturesReady.VERSION, "featurize", set.getString("_id"),
                new dev.prsentinel.core.events.FeaturesReady(set.getString("_id"),
                        ((Number) set.get("spec_version")).intValue(), ((Number) set.get("rows")).longValue(),
                        ((Number) set.get("rejected")).longValue(), set.getString("location"), created,
                        java.util.List.of()), Clock.systemUTC());
        post(ready);
    }

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

    /**
     * Sends featurize's scheduled ping through the broker, as knative/featurize/pingsource.yaml's
     * PingSource does: featurize then checks whether a set is due.
     */
    public void pingFeaturize() {
        io.cloudevents.CloudEvent ping = io.cloudevents.core.builder.CloudEventBuilder.v1()
                .withId("local-ping-" + java.util.UUID.randomUUID())
                .withSource(URI.create("/apis/v1/namespaces/default/pingsources/featurize-schedule"))
                .withType(dev.prsentinel.core.events.EventTypes.PING).withExtension("prsentineljob", "featurize")
                .withDataContentType("application/json")
                .withData("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)).build();
        post(ping);
    }

    private void post(io.cloudevents.CloudEvent event) {
        try {
            dev.prsentinel.core.http.CloudEventHttp.send(java.net.http.HttpClient.newHttpClient(), broker.url(), event,
                    Duration.ofSeconds(10));
        } catch (java.io.IOException e) {
            org.slf4j.LoggerFactory.getLogger(LocalStack.class).warn("{} was not delivered to the broker: {}",
                    event.getType(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
        if (bluegreen != null) {
            bluegreen.close();
        }
        if (router != null) {
            router.close();
        }
        if (tracking != null && ownsTracking) {
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
        // Last: the functions revoke their tokens as they close.
        if (vault != null) {
            vault.close();
        }
        store.close();
    }
}
