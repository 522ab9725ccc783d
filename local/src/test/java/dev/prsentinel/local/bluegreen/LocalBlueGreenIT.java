package dev.prsentinel.local.bluegreen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.bluegreen.ContractLoadTest;
import dev.prsentinel.bluegreen.HttpQualityProbe;
import dev.prsentinel.bluegreen.Promoter;
import dev.prsentinel.bluegreen.Rollout;
import dev.prsentinel.bluegreen.RolloutLock;
import dev.prsentinel.bluegreen.ServiceRoutes.Target;
import dev.prsentinel.bluegreen.Status;
import dev.prsentinel.bluegreen.gate.LoadContract;
import dev.prsentinel.bluegreen.gate.QualityGate;
import dev.prsentinel.bluegreen.gate.VegetaLoadTest;
import dev.prsentinel.core.anomaly.ModelPackage;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import dev.prsentinel.core.testing.TestModels;
import dev.prsentinel.core.tracking.LocalTracking;
import dev.prsentinel.core.tracking.Tracking;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The blue/green rollout on one machine, every part real: the local router (tags with their own
 * addresses, the split by percentage), two score servers in this JVM pinned to registry versions,
 * the promoter with perf/'s own contract run by vegeta, the quality gate on recent PRs, the
 * switch, and a rollback timed by a client that keeps sending requests through the Service's
 * address: from the rollback command until every answer comes from blue.
 */
class LocalBlueGreenIT {

    @TempDir
    Path dir;

    @Test
    void aCandidateIsRolledOutBehindTheRouterAndRolledBack() throws Exception {
        Tracking tracking = new LocalTracking(dir.resolve("mlruns"), Clock.systemUTC());
        tracking.ensureRegisteredModel(Tracking.MODEL_NAME);
        for (ModelPackage model : List.of(TestModels.calibrated(1), TestModels.calibrated(1))) {
            Tracking.Run run = tracking.createRun(tracking.experimentId("local-bluegreen"), "r", Map.of());
            tracking.uploadArtifact(run, Tracking.MODEL_DIR + "/" + ModelPackage.FILE, model.toJson());
            tracking.endRun(run.id(), "FINISHED");
            tracking.createModelVersion(Tracking.MODEL_NAME, run, Tracking.MODEL_DIR);
        }
        tracking.setAlias(Tracking.MODEL_NAME, "champion", "1");
        ScoreRevisions revisions = new ScoreRevisions(Map.of("MLFLOW_TRACKING_URI",
                dir.resolve("mlruns").toUri().toString(), "MODEL_CACHE_DIR", dir.resolve("cache").toString()));
        var sample = SyntheticPullRequests.generate(29, 400, 4, 0.0, Instant.parse("2026-11-20T00:00:00Z"))
                .pullRequests();
        try (LocalRouter router = new LocalRouter(revisions, "1")) {
            Promoter promoter = new Promoter(router, RolloutLock.inProcess(), tracking,
                    new ContractLoadTest(LoadContract.read(Path.of("..", "perf")), (c, s, t) -> new VegetaLoadTest(
                            VegetaLoadTest.locate(System.getenv()), Files.createTempDirectory(dir, "vegeta"))
                            .run(c, s, t), List.of("smoke", "load")),
                    new HttpQualityProbe(() -> sample, QualityGate.Bounds.DEFAULT),
                    event -> { }, Clock.systemUTC(), new Promoter.Settings("local", Tracking.MODEL_NAME, "champion",
                            null, Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMillis(50),
                            Duration.ofSeconds(30), "local"));

            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (router.read().serving().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }

            Rollout r = promoter.promote("2");

            assertThat(r.step()).as("%s %s", r.reasons(), r.checkLines(false)).isEqualTo(Rollout.Step.PROMOTED);
            System.getLogger(LocalBlueGreenIT.class.getName()).log(System.Logger.Level.INFO, "local rollout: {0}",
                    String.join("; ", r.checkLines(false)));
            assertThat(router.read().traffic()).containsExactly(Target.pinned(r.greenRevision(), 100, "green"),
                    Target.pinned("score-00001", 0, "blue"));
            assertThat(r.checkLines(false)).anySatisfy(l -> assertThat(l).startsWith("load load http_req_duration"));
            assertThat(served(router.address(), 20)).containsOnly(r.greenRevision());
            assertThat(Status.render("local", router)).contains("serving " + r.greenRevision(), "model version 2");

            // A client keeps sending through the Service's address while the rollback runs.
            List<long[]> answers = new CopyOnWriteArrayList<>();
            AtomicBoolean sending = new AtomicBoolean(true);
            Thread client = new Thread(() -> {
                HttpClient http = HttpClient.newHttpClient();
                while (sending.get()) {
                    long sent = System.nanoTime();
                    try {
                        String rev = http.send(HttpRequest.newBuilder(router.address().resolve("/health/readiness"))
                                .build(), HttpResponse.BodyHandlers.discarding()).headers().firstValue("X-Revision")
                                .orElse("");
                        answers.add(new long[] {sent, rev.equals("score-00001") ? 1 : 0});
                    } catch (Exception e) {
                        answers.add(new long[] {sent, -1});
                    }
                }
            });
            client.start();
            Thread.sleep(300);
            long t0 = System.nanoTime();
            Promoter.RollbackResult back = promoter.rollback();
            Thread.sleep(500);
            sending.set(false);
            client.join();

            assertThat(back.rollout().step()).isEqualTo(Rollout.Step.ROLLED_BACK);
            assertThat(answers).as("no request failed during the rollback").noneMatch(a -> a[1] == -1);
            // The first request sent after which every answer came from blue.
            long lastNotBlue = answers.stream().filter(a -> a[1] != 1).mapToLong(a -> a[0]).max().orElse(t0);
            long firstOnlyBlue = answers.stream().filter(a -> a[0] > lastNotBlue).mapToLong(a -> a[0]).min()
                    .orElseThrow();
            assertThat(answers.stream().filter(a -> a[0] > t0 + Duration.ofMillis(200).toNanos()))
                    .allMatch(a -> a[1] == 1);
            System.getLogger(LocalBlueGreenIT.class.getName()).log(System.Logger.Level.INFO,
                    "local rollback: the command took {0} ms; only blue answered requests sent {1} ms after it began"
                            + " ({2} requests during the run)", back.applied().toMillis(),
                    Math.max(0, (firstOnlyBlue - t0) / 1_000_000), answers.size());
            assertThat(tracking.versionByAlias(Tracking.MODEL_NAME, "champion").orElseThrow().version()).isEqualTo("1");
        }
    }

    private static List<String> served(URI address, int n) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(http.send(HttpRequest.newBuilder(address.resolve("/health/readiness")).build(),
                    HttpResponse.BodyHandlers.discarding()).headers().firstValue("X-Revision").orElse("?"));
        }
        return out;
    }
}
