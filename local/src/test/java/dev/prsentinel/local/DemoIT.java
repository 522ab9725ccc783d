package dev.prsentinel.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.jobs.ChildJvm;
import dev.prsentinel.core.testing.Need;
import dev.prsentinel.core.testing.Needs;
import dev.prsentinel.core.testing.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's main command, end to end on a small set, twice on one data directory. */
class DemoIT {

    @TempDir
    Path dataDir;

    @Test
    @Needs(Need.MLFLOW)
    void theDemoStoresEverythingOnceAndASecondRunKeepsTheState() throws Exception {
        Cli first = Cli.run("demo", "--prs", "200", "--seed", "7", "--data-dir", dataDir.toString(), "--exit");
        assertThat(first.exit()).as(first.output()).isZero();
        assertThat(ChildJvm.running()).as("no feature job or training outlives the demo").isZero();
        assertThat(first.output())
                .contains("backfill of synthetic-org/repo-5: complete")
                .containsPattern("total\\s+200\\s")
                .contains("each PR stored once: 200 generated, 200 stored")
                .contains("webhook receiver: 3 malformed or forged deliveries sent, 3 refused with a reason and not "
                        + "stored")
                .contains("dead letters: 0")
                .containsPattern("by source \\{webhook=187, api=13}")
                .containsPattern("ingest: \\d+ events handled, (\\d+) duplicates ignored")
                .containsPattern("feature set fs-v4-[0-9a-f]{16} \\(spec v4\\): 200 rows, 0 rejected")
                .contains("the five features that vary most: ")
                .contains("training (runs tracked in MLflow server http://127.0.0.1:")
                .containsPattern("fs-v4-[0-9a-f]{16}: run [0-9a-f]{32}, registered as version 1 \\(champion\\)")
                .containsPattern("threshold \\d+\\.\\d+ \\(p99 of held-out validation errors\\); flags \\d+ of 200")
                .containsPattern("injected anomalies flagged: \\d+ of \\d+")
                .containsPattern("score: prsentinel-autoencoder version \\d+ served; 200 PRs scored over HTTP")
                .contains("blue/green (score behind the local router, rolled out by the promoter):")
                .containsPattern("injected anomalies caught by the served model: \\d+ of \\d+")
                .contains("report: ").doesNotContain("MLflow UI:");
        assertThat(Files.readString(dataDir.resolve("report.html"))).contains("\"scored\":200");
        JsonNode anomalies = Json.mapper().readTree(dataDir.resolve("injected-anomalies.json").toFile());
        assertThat(anomalies).isNotEmpty();
        assertThat(anomalies.get(0).get("repo").asText()).startsWith("synthetic-org/");
        assertThat(anomalies.get(0).has("kind")).isTrue();

        long sets = featureSets();
        // Without --exit, MLflow's UI stays up until Enter.
        Cli second = Cli.withInput(new java.io.ByteArrayInputStream("\n".getBytes(StandardCharsets.UTF_8)), "demo",
                "--prs", "200", "--seed", "7", "--data-dir", dataDir.toString());
        assertThat(second.exit()).as(second.output()).isZero();
        assertThat(second.output()).containsPattern("MLflow UI: http://127\\.0\\.0\\.1:\\d+ ")
                .contains("press Enter to stop it").endsWith("MLflow stopped\n");
        // Everything but the new sync request was handled by the first run: answered from the record.
        assertThat(second.output()).contains("ingest: 1 events handled")
                .contains("each PR stored once: 200 generated, 200 stored")
                .contains(" listed, 0 fetched), 2 GitHub API calls").doesNotContain("Exception")
                .containsPattern("feature set fs-v4-[0-9a-f]{16} \\(spec v4\\): 200 rows");
        // The same set is not trained on twice: the first run's model is still the newest.
        // How many sets the first run trained on depends on how PRs and feature jobs interleaved; the
        // second run lists the same trainings and registers none.
        long trained = first.output().lines().filter(l -> l.contains("registered as version")).count();
        assertThat(trained).isPositive();
        if (first.output().contains("registered as version 2 (challenger)")) {
            // A second model the gate put forward: rolled out through both gates, switched, rolled back.
            assertThat(first.output()).containsPattern("version 2 (PROMOTED|REJECTED) \\(blue score-00001 v1")
                    .contains("load load http_req_duration p(99)<250", "quality ks", "quality green_model_version");
            if (first.output().contains("version 2 PROMOTED")) {
                assertThat(first.output()).containsPattern("rollback: traffic back to score-00001 in one write")
                        .contains("version 2 ROLLED_BACK");
            }
        }
        assertThat(second.output().lines().filter(l -> l.contains("registered as version")).count())
                .isEqualTo(trained);
        assertThat(second.output()).doesNotContain("registered as version " + (trained + 1));
        // The same PRs make the same set: no new one.
        assertThat(featureSets()).isEqualTo(sets);
    }

    private long featureSets() throws java.io.IOException {
        try (Stream<Path> sets = Files.list(dataDir.resolve("features"))) {
            return sets.filter(p -> p.getFileName().toString().startsWith("fs-")).count();
        }
    }

    @Test
    void importsTheRecordedApiObjects() {
        Path file = SharedData.require("fixtures/github/pulls.jsonl");
        Cli run = Cli.run("import", file.toString(), "--data-dir", dataDir.toString());
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("0 rejected").contains("store now holds 43 PRs");
    }

    @Test
    void badCommandLinesSayWhatIsWrong() {
        assertThat(Cli.run("frobnicate").output()).contains("unknown command frobnicate");
        assertThat(Cli.run("import").exit()).isEqualTo(2);
        assertThat(Cli.run("import", "/no/such/file.jsonl", "--data-dir", dataDir.toString()).output())
                .contains("no such file");
        assertThat(Cli.run("sync").output()).contains("sync needs --repo");
        assertThat(Cli.run("demo", "--prs", "many").output()).contains("not a number");
    }
}
