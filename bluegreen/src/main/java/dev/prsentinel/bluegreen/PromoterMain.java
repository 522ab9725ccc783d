package dev.prsentinel.bluegreen;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.prsentinel.bluegreen.gate.LoadContract;
import dev.prsentinel.bluegreen.gate.QualityGate;
import dev.prsentinel.bluegreen.gate.VegetaLoadTest;
import dev.prsentinel.bluegreen.knative.KnativeServiceRoutes;
import dev.prsentinel.bluegreen.knative.LeaseLock;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.cli.Console;
import dev.prsentinel.core.config.JobArguments;
import dev.prsentinel.core.config.MongoSettings;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.http.EventSink;
import dev.prsentinel.core.secrets.Secrets;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.tracking.Tracking;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The promoter's entry point, in its image (a Job per candidate, made by Knative's JobSink from
 * model.candidate) and on a person's shell:
 *
 * <pre>
 *   promote [--candidate VERSION]   (without it: the CloudEvent JobSink mounts at /etc/jobsink-event/event)
 *   reconcile                       (after a sync: roll out a newer revision of the serving model)
 *   rollback
 *   status
 * </pre>
 *
 * Settings from the environment: NAMESPACE (else the pod's), SCORE_SERVICE (score), ENVIRONMENT,
 * MODEL_NAME, MODEL_ALIAS (champion), REQUIRE_PASSED (production: staging), PERF_DIR (the perf
 * ConfigMap), K6_JOB_TEMPLATE, LOAD_RUNNER (k6, or vegeta where the promoter can reach the revision
 * itself), the QUALITY_* bounds, QUALITY_SAMPLE, and the timeouts; the registry and the store through
 * Vault as every function. Exit codes: 0 done (promoted, rejected, rolled back: the outcome is in
 * the event and the annotation), 2 bad input (no such version), 1 could not run (a rerun resumes).
 */
public final class PromoterMain {

    /** Where Knative's JobSink mounts the event that started the Job. */
    static final Path JOBSINK_EVENT = Path.of("/etc/jobsink-event/event");

    private static final Console OUT = Console.system();
    private static final Console ERR = new Console(System.err);

    private PromoterMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), Clock.systemUTC()));
    }

    static int run(String[] args, Map<String, String> env, Clock clock) {
        if (args.length == 0) {
            ERR.line("usage: promote [--candidate VERSION] | reconcile | request-reconcile | rollback | status");
            return 2;
        }
        String command = args[0];
        Map<String, String> options = JobArguments.parse(java.util.Arrays.copyOfRange(args, 1, args.length));
        if (command.equals("request-reconcile")) {
            // The PostSync hook: no registry, no store, no Kubernetes API; one event to the broker.
            return requestReconcile(env, options.getOrDefault("reason", "requested"), clock);
        }
        // The event is read before anything is connected: one this Job does not take fails fast.
        Optional<String> fromEvent;
        try {
            fromEvent = command.equals("promote") && !options.containsKey("candidate") ? candidateFromEvent()
                    : Optional.empty();
        } catch (IllegalArgumentException | IOException e) {
            ERR.line(e.getMessage());
            return 2;
        }
        Secrets secrets = null;
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            String namespace = namespace(env);
            String service = env.getOrDefault("SCORE_SERVICE", "score");
            ServiceRoutes routes = new KnativeServiceRoutes(client, namespace, service,
                    env.getOrDefault("SCORE_CONTAINER", "score"));
            Promoter.Settings settings = settings(env);
            EventSink sink = EventSink.forUrl(env.get("K_SINK"));
            switch (command) {
                case "status" -> OUT.line(Status.render(settings.environment(), routes));
                case "rollback" -> {
                    secrets = Secrets.fromEnvironment(env);
                    Tracking tracking = Tracking.fromSecrets(secrets, env, clock);
                    var result = new Promoter(routes, null, tracking, null, null, sink, clock, settings).rollback();
                    OUT.line(result.message() + (result.applied() == null ? "" : String.format(Locale.ROOT,
                            " (applied in %d ms; only blue served after %s)", result.applied().toMillis(),
                            result.served() == null ? "more than the timeout" : result.served().toMillis() + " ms")));
                }
                case "promote", "reconcile" -> {
                    String candidate = !command.equals("promote") ? null
                            : options.containsKey("candidate") ? options.get("candidate") : fromEvent.orElse(null);
                    secrets = Secrets.fromEnvironment(env);
                    Tracking tracking = Tracking.fromSecrets(secrets, env, clock);
                    MongoSettings mongo = MongoSettings.fromSecrets(secrets, env);
                    try (MongoClient mongoClient = MongoClients.create(mongo.connectionString())) {
                        PullRequestStore store = new PullRequestStore(mongoClient.getDatabase(mongo.database()), clock);
                        int sample = Integer.parseInt(env.getOrDefault("QUALITY_SAMPLE", "500"));
                        QualityGate.Bounds bounds = QualityGate.Bounds.fromEnvironment(env);
                        Promoter promoter = new Promoter(routes,
                                new LeaseLock(client, namespace, service + "-bluegreen", Duration.ofSeconds(30), clock),
                                tracking, loadTest(env, client, namespace, settings.environment() + "-"
                                        + (candidate == null ? "reconcile" : "v" + candidate)),
                                new HttpQualityProbe(() -> store.recent(sample), bounds),
                                sink, clock, settings);
                        Optional<Rollout> done = candidate == null ? promoter.reconcile()
                                : Optional.of(promoter.promote(candidate));
                        OUT.line(done.map(r -> "rollout " + r.id() + ": " + r.step()
                                + (r.reasons().isEmpty() ? "" : " (" + String.join("; ", r.reasons()) + ")"))
                                .orElse("nothing to roll out: the serving revision is the newest"));
                    }
                }
                default -> {
                    ERR.line("unknown command " + command
                            + ": promote, reconcile, request-reconcile, rollback or status");
                    return 2;
                }
            }
            return 0;
        } catch (IllegalArgumentException e) {
            ERR.line(e.getMessage());
            return 2;
        } catch (Exception e) {
            ERR.line("the promoter stopped: " + e.getMessage() + " (a rerun resumes from the Service's record)");
            return 1;
        } finally {
            if (secrets != null) {
                secrets.close();
            }
        }
    }

    /**
     * The load gate: perf/'s smoke and load scenarios, by k6 as a Job in the cluster (LOAD_RUNNER=k6,
     * the default), or by vegeta from the promoter's own process (LOAD_RUNNER=vegeta).
     */
    static ContractLoadTest loadTest(Map<String, String> env, KubernetesClient client, String namespace,
            String rollout) throws IOException {
        LoadContract contract = LoadContract.read(Path.of(env.getOrDefault("PERF_DIR", "/etc/prsentinel/perf")));
        ContractLoadTest.Runner runner;
        if ("vegeta".equals(env.getOrDefault("LOAD_RUNNER", "k6"))) {
            runner = (c, s, t) -> new VegetaLoadTest(VegetaLoadTest.locate(env), Files.createTempDirectory("vegeta"))
                    .run(c, s, t);
        } else {
            // One set of Jobs per promoter run: a resumed rollout tests green again rather than trust a
            // Job that may belong to an earlier run.
            runner = new K6JobLoadTest(client, namespace, Path.of(env.getOrDefault("K6_JOB_TEMPLATE",
                    "/etc/prsentinel/k6-job.yaml")), rollout + "-" + Long.toString(System.currentTimeMillis(), 36),
                    Duration.ofMinutes(10));
        }
        return new ContractLoadTest(contract, runner, List.of("smoke", "load"));
    }

    static Promoter.Settings settings(Map<String, String> env) {
        return new Promoter.Settings(env.getOrDefault("ENVIRONMENT", "staging"),
                env.getOrDefault("MODEL_NAME", Tracking.MODEL_NAME), env.getOrDefault("MODEL_ALIAS", "champion"),
                blankToNull(env.get("REQUIRE_PASSED")),
                Duration.ofSeconds(Long.parseLong(env.getOrDefault("CREATE_TIMEOUT_SECONDS", "120"))),
                Duration.ofSeconds(Long.parseLong(env.getOrDefault("READY_TIMEOUT_SECONDS", "300"))),
                Duration.ofMillis(Long.parseLong(env.getOrDefault("POLL_MILLIS", "1000"))),
                Duration.ofSeconds(Long.parseLong(env.getOrDefault("LOCK_WAIT_SECONDS", "3600"))),
                env.getOrDefault("HOSTNAME", "promoter"));
    }

    /**
     * What the event JobSink mounted asks for: a candidate's version (model.candidate), or empty
     * for a reconcile (rollout.requested). Refused with the field when it is neither.
     */
    static Optional<String> candidateFromEvent() throws IOException {
        if (!Files.isReadable(JOBSINK_EVENT)) {
            throw new IllegalArgumentException("--candidate VERSION is required (no event at " + JOBSINK_EVENT + ")");
        }
        return candidateFromEvent(Json.mapper().readTree(JOBSINK_EVENT.toFile()));
    }

    static Optional<String> candidateFromEvent(JsonNode event) {
        String type = event.path("type").asText();
        if (EventTypes.ROLLOUT_REQUESTED.equals(type)) {
            return Optional.empty();
        }
        if (!EventTypes.MODEL_CANDIDATE.equals(type)) {
            throw new IllegalArgumentException("type: the promoter takes " + EventTypes.MODEL_CANDIDATE + " or "
                    + EventTypes.ROLLOUT_REQUESTED + ", not \"" + type + "\"");
        }
        String version = event.path("data").path("model_version").asText(null);
        if (version == null || !version.matches("\\d+")) {
            throw new IllegalArgumentException("data.model_version: a registered version number is needed");
        }
        return Optional.of(version);
    }

    /**
     * Asks for a reconcile through the broker (K_SINK, bound by a SinkBinding): what Argo CD's
     * PostSync hook runs, so the rollout itself runs in the promoter's JobSink Job like any other.
     * One event per hook pod (its name is the id), so a retried hook does not ask twice.
     */
    static int requestReconcile(Map<String, String> env, String reason, Clock clock) {
        String sink = env.get("K_SINK");
        if (sink == null || sink.isBlank()) {
            ERR.line("K_SINK is not set: the broker to send the request to (a SinkBinding sets it)");
            return 2;
        }
        var event = dev.prsentinel.core.events.Events.create(dev.prsentinel.core.events.Events.derivedId(
                EventTypes.ROLLOUT_REQUESTED, env.getOrDefault("HOSTNAME", reason)), EventTypes.ROLLOUT_REQUESTED,
                dev.prsentinel.core.events.RolloutRequested.VERSION, Promoter.FUNCTION, "score",
                new dev.prsentinel.core.events.RolloutRequested(reason), clock);
        Optional<String> failed = new EventSink.Http(java.net.URI.create(sink), 5, Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofSeconds(1)).deliver(event);
        if (failed.isPresent()) {
            ERR.line("the reconcile request was not delivered to " + sink + ": " + failed.get());
            return 1;
        }
        OUT.line("reconcile requested (" + reason + ")");
        return 0;
    }

    private static String namespace(Map<String, String> env) throws IOException {
        Path file = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
        if (env.get("NAMESPACE") != null) {
            return env.get("NAMESPACE");
        }
        return Files.isReadable(file) ? Files.readString(file).trim() : "default";
    }

    /** Unset, blank or "none": no environment to have passed first. */
    private static String blankToNull(String s) {
        return s == null || s.isBlank() || s.equals("none") ? null : s;
    }
}
