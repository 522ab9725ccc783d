package dev.prsentinel.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.jobs.ChildJvm;
import dev.prsentinel.core.testing.MlflowServer;
import dev.prsentinel.core.testing.SharedData;
import dev.prsentinel.core.tracking.Tracking;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's own PRs, start to finish, through the commands as typed: the first 1,500 rows of the
 * real pullreqs data set (with one row broken on purpose) imported and trained in one command
 * (featurize's Spark job, train-trigger's DJL training, tracked in a real MLflow server, registered
 * and gated), then score-file and report. Needs ../shared and mlflow (.ci/run installs it).
 */
class OwnDataIT {

    private static final int ROWS = 1500;
    /** The row (0-based, after the header) whose github_id is broken: line BROKEN + 2 of the file. */
    private static final int BROKEN = 700;

    @TempDir
    Path dir;

    @Test
    void importTrainScoreFileAndReportOnRealPullreqsRows() throws Exception {
        MlflowServer.requireCommand();
        Path sample = sample(SharedData.require("datasets/pullreqs/pullreqs.csv.gz"), dir.resolve("mine.csv"));
        Path data = dir.resolve("data");

        Cli imported = Cli.run("import", sample.toString(), "--train", "--data-dir", data.toString());
        assertThat(imported.exit()).as(imported.output()).isZero();
        assertThat(ChildJvm.running()).as("no feature job or training outlives the command").isZero();
        assertThat(imported.output())
                .contains("1,500 read, 1,499 inserted, 0 updated, 0 unchanged, 1 rejected")
                .contains("rejected: line " + (BROKEN + 2) + ": github_id")
                .contains("training runs tracked in MLflow server")
                .containsPattern("feature set fs-v4-[0-9a-f]{16} \\(spec v4\\): 1,499 PRs read, 1,499 rows, 0 rejected")
                .containsPattern("training on 1199 rows of fs-v4-[0-9a-f]{16}")
                .containsPattern("epoch 1: train loss \\d+\\.\\d+, validation loss \\d+\\.\\d+")
                .containsPattern("registered prsentinel-autoencoder version 1, alias champion \\(run http://127\\.0"
                        + "\\.0\\.1:\\d+/#/experiments/\\d+/runs/[0-9a-f]{32}\\)")
                .contains("./prsentinel score-file INPUT scores.csv");

        // The model is in the data directory's MLflow store, as the champion.
        try (TrackingChoice tracking = TrackingChoice.existing(data, Map.of()).orElseThrow()) {
            Tracking registry = Tracking.forUri(tracking.uri(), Clock.systemUTC());
            assertThat(registry.versionByAlias(Tracking.MODEL_NAME, "champion")).get()
                    .extracting(Tracking.ModelVersion::version).isEqualTo("1");
        }

        Path scores = dir.resolve("scores.csv");
        Cli scored = Cli.run("score-file", sample.toString(), scores.toString(), "--data-dir", data.toString());
        assertThat(scored.exit()).as(scored.output()).isZero();
        assertThat(scored.output()).contains("scored 1499 PRs with prsentinel-autoencoder version 1")
                .contains("1 rejected");
        List<CSVRecord> in = csv(sample);
        List<CSVRecord> out = csv(scores);
        assertThat(out).hasSize(ROWS);
        for (int i = 0; i < ROWS; i++) {
            assertThat(out.get(i).get("id")).as("row %d", i).isEqualTo(in.get(i).get("pull_req_id"));
            assertThat(out.get(i).get("line")).isEqualTo(Integer.toString(i + 2));
            assertThat(out.get(i).get("status")).isEqualTo(i == BROKEN ? "rejected" : "scored");
        }
        assertThat(out.get(BROKEN).get("reason")).startsWith("line " + (BROKEN + 2) + ": github_id");
        assertThat(out.get(BROKEN + 1).get("key")).isEqualTo(in.get(BROKEN + 1).get("project_name") + "#"
                + in.get(BROKEN + 1).get("github_id"));

        Cli report = Cli.run("report", "--data-dir", data.toString());
        assertThat(report.exit()).as(report.output()).isZero();
        String page = Files.readString(data.resolve("report.html"));
        assertThat(page).contains("\"scored\":1499").contains("\"url\":\"https://github.com/")
                .contains("\"training_data\":\"feature set fs-v4-").contains("\"by_quarter\":[{\"quarter\":\"20")
                .contains("\"run_link\":\"http://127.0.0.1:");

        // The run link train printed opens later, under `prsentinel mlflow`: the same store on the same port.
        java.util.regex.Matcher link = java.util.regex.Pattern.compile(
                "\\(run (http://127\\.0\\.0\\.1:\\d+)/#/experiments/\\d+/runs/([0-9a-f]{32})\\)")
                .matcher(imported.output());
        assertThat(link.find()).isTrue();
        assertThat(link.group(1)).as("the port was free, so the link names the stable one")
                .isEqualTo("http://127.0.0.1:" + TrackingChoice.DEFAULT_PORT);
        java.io.PipedOutputStream enter = new java.io.PipedOutputStream();
        java.io.PipedInputStream typed = new java.io.PipedInputStream(enter);
        java.util.concurrent.CompletableFuture<Cli> ui = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> Cli.withInput(typed, "mlflow", "--data-dir", data.toString()));
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.URI run = java.net.URI.create(link.group(1) + "/api/2.0/mlflow/runs/get?run_id=" + link.group(2));
        int status = 0;
        for (long deadline = System.nanoTime() + 90_000_000_000L; status != 200 && System.nanoTime() < deadline; ) {
            try {
                status = http.send(java.net.http.HttpRequest.newBuilder(run).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (java.io.IOException notYet) {
                Thread.sleep(250);
            }
        }
        assertThat(status).as("the run behind the printed link, under `prsentinel mlflow`").isEqualTo(200);
        enter.write('\n');
        enter.flush();
        Cli served = ui.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(served.exit()).as(served.output()).isZero();
        assertThat(served.output()).contains("MLflow UI: " + link.group(1)).endsWith("MLflow stopped\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> http.send(java.net.http.HttpRequest.newBuilder(run)
                .build(), java.net.http.HttpResponse.BodyHandlers.discarding()))
                .as("Enter stops it").isInstanceOf(java.io.IOException.class);

        // Nothing new in the store: a second train says so and registers nothing.
        Cli again = Cli.run("train", "--data-dir", data.toString());
        assertThat(again.exit()).as(again.output()).isZero();
        assertThat(again.output()).contains("was trained already").doesNotContain("version 2");
    }

    /** The first ROWS rows of the data set, one with a github_id no PR can have. */
    private static Path sample(Path source, Path target) throws Exception {
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                Files.newInputStream(source)), StandardCharsets.UTF_8))) {
            reader.lines().limit(ROWS + 1).forEach(lines::add);
        }
        String[] cells = lines.get(BROKEN + 1).split(",", -1);
        cells[3] = "-4";
        lines.set(BROKEN + 1, String.join(",", cells));
        Files.write(target, lines);
        return target;
    }

    private static List<CSVRecord> csv(Path file) throws Exception {
        try (CSVParser parser = CSVParser.parse(file, StandardCharsets.UTF_8,
                CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get())) {
            return parser.getRecords();
        }
    }
}
