package dev.prsentinel.local.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.anomaly.ModelPackage;
import dev.prsentinel.core.http.CloudEventEndpoint;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.events.Events;
import dev.prsentinel.core.events.SyncRequested;
import dev.prsentinel.core.github.GitHubPullRequests;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import dev.prsentinel.core.tracking.Tracking;
import dev.prsentinel.ingest.webhooks.WebhookSignature;
import dev.prsentinel.local.LocalStack;
import dev.prsentinel.local.Pipeline;
import dev.prsentinel.local.TrackingChoice;
import dev.prsentinel.local.broker.LocalBroker;
import dev.prsentinel.core.cli.Console;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.Document;

/**
 * The demo: generates the synthetic set, sends it to ingest's webhook receiver as signed GitHub deliveries
 * (with some redeliveries and a few malformed events), asks for a backfill of one repository whose
 * PRs were held back from the webhooks, and reports what was stored, the feature sets, the
 * trainings and what the newest model flags.
 */
public final class Demo {

    private static final int REPOS = SyntheticPullRequests.DEMO_REPOS;
    /** The injected anomalies, written beside the store so later stages can check what they flag. */
    public static final String ANOMALIES_FILE = "injected-anomalies.json";
    /** Every this many webhook events, one is delivered twice, as at-least-once delivery does. */
    private static final int REDELIVER_EVERY = 25;

    /**
     * Settings.
     *
     * @param prs     synthetic PRs to generate
     * @param seed    generator seed
     * @param dataDir store and dead letters
     * @param vault    the functions read their secrets from OpenBao
     * @param tracking where trainings are tracked (the caller's, which outlives the demo), or null for
     *                 the runtime's own choice
     */
    public record Options(int prs, long seed, Path dataDir, boolean vault, TrackingChoice tracking) {

        public Options(int prs, long seed, Path dataDir) {
            this(prs, seed, dataDir, false, null);
        }
    }

    /**
     * What the demo did.
     *
     * @param generated    PRs generated
     * @param anomalies    injected anomalies by kind
     * @param webhooks     webhook events sent (first deliveries)
     * @param redeliveries events sent a second time with the same id
     * @param malformed    malformed or forged deliveries sent
     * @param refused      of them, those the webhook receiver refused (400 or 401; nothing stored)
     * @param syncRepo     the repository left to the backfill
     * @param syncStatus   the backfill's last status
     * @param syncDetail   its detail line
     * @param syncApiCalls API calls the backfill made, by the replay's count
     * @param storedByRepo stored PRs per repository
     * @param storedBySource stored PRs per source
     * @param broker       what the broker saw
     * @param ingest       what ingest's endpoint counted
     * @param featureSet   the newest feature set, or null when none was written in time
     * @param tracking     where training runs were tracked, in words
     * @param trainings    train-trigger's record of each set it trained on (or failed to), oldest first
     * @param model        the newest trained model: where its run is, its threshold, and what it flags;
     *                     null when none was trained in time
     * @param scoring      every PR scored by the score function, and the report
     * @param kinds        the injected anomalies by PR key
     */
    public record Result(int generated, Map<SyntheticPullRequests.Kind, Integer> anomalies, int webhooks,
            int redeliveries, int malformed, int refused, String syncRepo, String syncStatus, String syncDetail,
            int syncApiCalls,
            Map<String, Long> storedByRepo, Map<String, Long> storedBySource, LocalBroker.Stats broker,
            CloudEventEndpoint.Stats ingest, Document featureSet, String tracking, List<Document> trainings,
            TrainedModel model, Scoring.Result scoring, Map<String, SyntheticPullRequests.Kind> kinds) {

        public long stored() {
            return storedByRepo.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * The newest model trained in this data directory.
     *
     * @param runLink   where its run is (MLflow page or folder)
     * @param version   registered version, or null when the gate rejected it
     * @param alias     champion, challenger, or null
     * @param threshold its anomaly threshold
     * @param check     what it flags among the stored PRs
     */
    public record TrainedModel(String runLink, String version, String alias, double threshold, ModelCheck check) {
    }

    private Demo() {
    }

    public static Result run(Options options, Console console) throws IOException, InterruptedException {
        SyntheticPullRequests.Generated set = SyntheticPullRequests.generate(options.seed(), options.prs(), REPOS,
                SyntheticPullRequests.DEMO_ANOMALY_RATE, SyntheticPullRequests.DEMO_WINDOW_END);
        String syncRepo = "synthetic-org/repo-" + (REPOS - 1);
        List<PullRequest> viaWebhook = new ArrayList<>();
        List<PullRequest> viaSync = new ArrayList<>();
        for (PullRequest pr : set.pullRequests()) {
            (pr.repo().equals(syncRepo) ? viaSync : viaWebhook).add(pr);
        }
        Map<SyntheticPullRequests.Kind, Integer> kinds = new EnumMap<>(SyntheticPullRequests.Kind.class);
        set.anomalies().forEach(a -> kinds.merge(a.kind(), 1, Integer::sum));
        console.line("PR Sentinel demo: %d synthetic PRs (seed %d) in %d repositories, %d injected anomalies %s",
                set.pullRequests().size(), options.seed(), REPOS, set.anomalies().size(), kinds);
        console.line("data directory: %s", options.dataDir().toAbsolutePath());
        writeAnomalies(set.anomalies(), options.dataDir().resolve(ANOMALIES_FILE));

        // Training outcomes by feature set, from the events themselves: what awaitTraining waits on.
        Set<String> outcomes = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (SyntheticGitHubApi github = new SyntheticGitHubApi(syncRepo, viaSync);
                LocalStack stack = LocalStack.start(new LocalStack.Options(options.dataDir(), null, github.url(),
                        null, options.vault(), options.tracking()));
                LocalBroker.Subscription listening = stack.broker().listen(event -> {
                    if (EventTypes.MODEL_TRAINED.equals(event.getType())
                            || EventTypes.TRAIN_FAILED.equals(event.getType())) {
                        outcomes.add(Events.dataTree(event).path("feature_set_id").asText());
                    }
                })) {
            console.line("started: embedded store, broker %s (%d triggers from knative/), ingest",
                    stack.broker().url(), stack.broker().triggers().size());
            LocalBroker broker = stack.broker();
            GitHubDeliveries deliveries = new GitHubDeliveries(stack.webhookUrl(), stack.webhookSecret());
            int redeliveries = 0;
            int refused = 0;
            List<GitHubDeliveries.Delivery> redeliver = new ArrayList<>();
            for (int i = 0; i < viaWebhook.size(); i++) {
                GitHubDeliveries.Delivery delivery = webhookDelivery(viaWebhook.get(i), options.seed());
                int status = deliveries.send(delivery);
                if (status != 202) {
                    throw new IOException("the webhook receiver answered " + status + " to delivery " + delivery.id());
                }
                if (i % REDELIVER_EVERY == REDELIVER_EVERY - 1) {
                    redeliver.add(delivery);
                }
                if ((i + 1) % 500 == 0 || i == viaWebhook.size() - 1) {
                    // Redeliveries come after the first delivery was handled, as one from GitHub's
                    // settings does (concurrent duplicates are safe too, just not countable).
                    broker.awaitIdle(Duration.ofMinutes(2));
                    for (GitHubDeliveries.Delivery again : redeliver) {
                        deliveries.send(again);
                    }
                    redeliveries += redeliver.size();
                    redeliver.clear();
                    console.line("  sent %d/%d signed webhook deliveries", i + 1, viaWebhook.size());
                }
            }
            List<GitHubDeliveries.Delivery> malformed = malformedDeliveries(options.seed());
            for (GitHubDeliveries.Delivery bad : malformed) {
                refused += deliveries.send(bad) == 400 ? 1 : 0;
            }
            // A delivery signed with another secret: refused, nothing stored.
            GitHubDeliveries.Delivery forged = webhookDelivery(viaWebhook.get(0), options.seed() + 1);
            refused += deliveries.send(forged, Map.of(WebhookSignature.HEADER,
                    new WebhookSignature("not the webhook's secret").sign(forged.body()))) == 401 ? 1 : 0;
            Instant syncAsked = stack.requestSync(new SyncRequested(List.of(syncRepo), null),
                    "urn:prsentinel:local:demo");
            console.line("  sent %d webhook deliveries (+%d redelivered), %d malformed and 1 forged (%d refused by "
                    + "the receiver), 1 sync request for %s", viaWebhook.size(), redeliveries, malformed.size(),
                    refused, syncRepo);
            Document state = stack.awaitSync(syncRepo, syncAsked, Duration.ofMinutes(5), () -> { });
            broker.awaitIdle(Duration.ofMinutes(2));
            Document featureSet = Pipeline.awaitFeatureSet(stack, console, Duration.ofMinutes(10));
            console.line("training runs tracked in %s", stack.trackingDescription());
            console.line("secrets: the functions read theirs from %s", stack.secretsSource());
            List<Document> trainings = featureSet == null ? List.of()
                    : Pipeline.awaitTraining(stack, console, outcomes, featureSet.getString("_id"), null,
                            Duration.ofMinutes(15), null);
            TrainedModel model = trainedModel(stack, trainings, set.kindByKey());
            // A candidate the gate put forward is rolled out by the promoter (knative/bluegreen's
            // Trigger, the local JobSink): the load gate, the quality gate, the switch.
            if (!stack.bluegreen().awaitIdle(Duration.ofMinutes(5))) {
                console.line("  bluegreen: a rollout is still running after 5 minutes");
            }
            Scoring.Result scoring = Scoring.run(stack, set.kindByKey(), options.dataDir().resolve("report.html"),
                    Duration.ofSeconds(30));
            blueGreen(stack, console);
            return new Result(set.pullRequests().size(), kinds, viaWebhook.size(), redeliveries, malformed.size() + 1,
                    refused,
                    syncRepo, state == null ? "did not finish in time" : state.getString("last_status"),
                    state == null ? "" : state.getString("last_detail"), github.calls(),
                    stack.pullRequests().countByRepo(), stack.pullRequests().countBy("source"), broker.stats(),
                    stack.ingestStats(), featureSet, stack.trackingDescription(), trainings, model, scoring,
                    set.kindByKey());
        }
    }

    /**
     * The blue/green stage as `status` shows it in a cluster (serving revision, model, split, the last
     * rollout with every gate figure), then, after a promotion, the one-write rollback, timed until
     * the router sends every request to blue.
     */
    private static void blueGreen(LocalStack stack, Console console) throws InterruptedException {
        var routes = stack.scoreRoutes();
        console.line("blue/green (score behind the local router, rolled out by the promoter):");
        console.line("%s", dev.prsentinel.bluegreen.Status.render("local", routes).stripTrailing());
        var last = routes.read().rollout() == null ? null
                : dev.prsentinel.bluegreen.Rollout.fromJson(routes.read().rollout());
        if (last == null || last.step() != dev.prsentinel.bluegreen.Rollout.Step.PROMOTED) {
            return;
        }
        var back = stack.bluegreen().promoter().rollback();
        console.line("rollback: %s in one write (applied in %d ms; the route sent everything to blue %s)",
                back.message(), back.applied().toMillis(),
                back.served() == null ? "not within the timeout" : "after " + back.served().toMillis() + " ms more");
        console.line("%s", dev.prsentinel.bluegreen.Status.render("local", routes).stripTrailing());
    }

    private static TrainedModel trainedModel(LocalStack stack, List<Document> trainings,
            Map<String, SyntheticPullRequests.Kind> kinds) {
        Document newest = null;
        for (Document t : trainings) {
            if ("trained".equals(t.getString("status"))) {
                newest = t;
            }
        }
        if (newest == null) {
            return null;
        }
        Tracking tracking = stack.tracking();
        Tracking.Run run = tracking.run(newest.getString("run_id"));
        ModelPackage model = ModelPackage.parse(tracking.downloadArtifact(run, Tracking.MODEL_DIR + "/"
                + ModelPackage.FILE), "run " + run.id());
        return new TrainedModel(tracking.link(run), newest.getString("model_version"), newest.getString("alias"),
                model.threshold(), ModelCheck.of(model, stack.store().client().getDatabase(
                        stack.store().settings().database()), kinds));
    }

    private static void writeAnomalies(List<SyntheticPullRequests.InjectedAnomaly> anomalies, Path file)
            throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(anomalies));
    }

    /**
     * A pull_request delivery as GitHub sends it. The delivery id is derived from the seed and the
     * PR, so a second run of the demo redelivers the same deliveries and changes nothing.
     */
    static GitHubDeliveries.Delivery webhookDelivery(PullRequest pr, long seed) {
        return new GitHubDeliveries.Delivery("pull_request",
                Events.derivedId("demo", Long.toString(seed), pr.repo(), Integer.toString(pr.number())),
                webhookPayload(pr));
    }

    /** A pull_request webhook's body for a PR, as GitHub shapes it. */
    public static byte[] webhookPayload(PullRequest pr) {
        ObjectNode payload = Json.mapper().createObjectNode();
        payload.put("action", "closed".equals(pr.state()) ? "closed" : "opened");
        payload.put("number", pr.number());
        payload.set("pull_request", GitHubPullRequests.toJson(pr));
        payload.putObject("repository").put("full_name", pr.repo());
        payload.putObject("sender").put("login", pr.author());
        return payload.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static List<GitHubDeliveries.Delivery> malformedDeliveries(long seed) {
        String noNumber = "{\"action\":\"opened\",\"repository\":{\"full_name\":\"synthetic-org/repo-0\"},"
                + "\"pull_request\":{\"state\":\"open\",\"base\":{\"repo\":{\"full_name\":\"synthetic-org/repo-0\"}}}}";
        String negative = "{\"action\":\"opened\",\"repository\":{\"full_name\":\"synthetic-org/repo-0\"},"
                + "\"pull_request\":{\"number\":99999,\"additions\":-5,\"updated_at\":\"2026-10-01T00:00:00Z\","
                + "\"base\":{\"repo\":{\"full_name\":\"synthetic-org/repo-0\"}}}}";
        List<GitHubDeliveries.Delivery> deliveries = new ArrayList<>();
        int i = 0;
        for (String body : List.of(noNumber, negative)) {
            deliveries.add(new GitHubDeliveries.Delivery("pull_request",
                    Events.derivedId("demo-malformed", Long.toString(seed), Integer.toString(i++)),
                    body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        return deliveries;
    }

    /** Prints the summary. */
    @SuppressWarnings("unchecked")
    public static void print(Result r, Path dataDir, Console console) {
        LocalBroker.Stats b = r.broker();
        console.line("");
        console.line("broker: received %s; delivered %d, retried %d, dead-lettered %d, no trigger %d", b.received(),
                b.delivered(), b.retried(), b.deadLettered(), b.unrouted());
        console.line("backfill of %s: %s (%s), %d GitHub API calls", r.syncRepo(), r.syncStatus(), r.syncDetail(),
                r.syncApiCalls());
        console.line("stored pull requests by repository:");
        r.storedByRepo().forEach((repo, n) -> console.line("  %-28s %6d", repo, n));
        console.line("  %-28s %6d   by source %s", "total", r.stored(), r.storedBySource());
        console.line("ingest: %d events handled, %d duplicates ignored (answered from the record; %d of them "
                + "redelivered in this run), %d rejected", r.ingest().handled(), r.ingest().redelivered(),
                r.redeliveries(), r.ingest().rejected());
        console.line("each PR stored once: %d generated, %d stored", r.generated(), r.stored());
        console.line("webhook receiver: %d malformed or forged deliveries sent, %d refused with a reason and not "
                + "stored", r.malformed(), r.refused());
        console.line("dead letters: %d, written with their reasons to %s", b.deadLettered(),
                dataDir.resolve("dead-letters").toAbsolutePath());
        Document set = r.featureSet();
        if (set == null) {
            console.line("feature set: none finished in time; see %s", dataDir.resolve("features/logs"));
            return;
        }
        console.line("feature set %s (spec v%d): %d rows, %d rejected, at %s", set.getString("_id"),
                set.getInteger("spec_version"), ((Number) set.get("rows")).longValue(),
                ((Number) set.get("rejected")).longValue(), set.getString("location"));
        List<Document> statistics = (List<Document>) set.get("statistics");
        long rows = ((Number) set.get("rows")).longValue();
        List<String> missing = statistics.stream().filter(s -> ((Number) s.get("missing")).longValue() > 0)
                .map(s -> String.format(java.util.Locale.ROOT, "%s %.0f%%", s.getString("name"),
                        100.0 * ((Number) s.get("missing")).longValue() / Math.max(1, rows))).toList();
        console.line("  missing inputs: %s", missing.isEmpty() ? "none" : String.join(", ", missing));
        List<String> varying = statistics.stream().filter(s -> Double.isFinite(s.getDouble("std")))
                .sorted((a, b2) -> Double.compare(b2.getDouble("std"), a.getDouble("std"))).limit(5)
                .map(s -> String.format(java.util.Locale.ROOT, "%s (sd %.2f)", s.getString("name"),
                        s.getDouble("std"))).toList();
        console.line("  the five features that vary most: %s", String.join(", ", varying));
        console.line("training (runs tracked in %s):", r.tracking());
        for (Document t : r.trainings()) {
            String set2 = t.getString("_id").substring("set:".length());
            console.line("  %s: %s", set2, "trained".equals(t.getString("status"))
                    ? "run " + t.getString("run_id") + (t.getString("model_version") == null
                            ? ", rejected by the gate (reasons in the run's tags)"
                            : ", registered as version " + t.getString("model_version") + " (" + t.getString("alias")
                                    + ")")
                    : t.getString("status") + (t.getString("reason") == null ? "" : ": " + t.getString("reason")));
        }
        TrainedModel m = r.model();
        if (m == null) {
            console.line("  no model trained in time; see %s", dataDir.resolve("training-logs").toAbsolutePath());
            return;
        }
        ModelCheck c = m.check();
        console.line("newest model: %s", m.runLink());
        console.line("  threshold %.4f (p99 of held-out validation errors); flags %d of %d stored PRs (%.1f%%)",
                m.threshold(), c.flagged(), c.scored(), 100.0 * c.flagged() / Math.max(1, c.scored()));
        console.line("  injected anomalies flagged: %d of %d, by kind %s of %s", c.caughtTotal(), c.injectedTotal(),
                c.caught(), c.injected());
        Scoring.print(r.scoring(), r.kinds(), console);
    }
}
