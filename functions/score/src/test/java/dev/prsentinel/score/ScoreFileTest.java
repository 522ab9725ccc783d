package dev.prsentinel.score;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.anomaly.Scorer;
import dev.prsentinel.core.cli.Console;
import dev.prsentinel.core.github.GitHubPullRequests;
import dev.prsentinel.core.testing.SharedData;
import dev.prsentinel.core.testing.TestModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoreFileTest {

    @TempDir
    Path dir;

    @Test
    void jsonLinesInAnyShapeBecomeACsvWithTheSameScoresAsTheScorer() throws Exception {
        Path model = dir.resolve("model");
        TestModels.calibrated(5).write(model);
        Path input = dir.resolve("prs.jsonl");
        // GitHub's objects carry their own id; the score row must carry it back.
        String lines = java.util.stream.IntStream.range(0, 20).mapToObj(i -> ((com.fasterxml.jackson.databind.node
                .ObjectNode) GitHubPullRequests.toJson(TestModels.PRS.get(i))).put("id", 9000 + i).toString())
                .collect(Collectors.joining("\n"));
        Files.writeString(input, lines + "\n{\"repo\":\"o/r\",\"number\":1,\"commits\":-1}\n{oops\n"
                + "{\"repo\":\"o/r\",\"number\":2,\"commits\":4}\n");
        Path output = dir.resolve("out/scores.csv");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = ScoreFile.run(new String[] {input.toString(), output.toString()}, Map.of("MODEL_DIR",
                model.toString()), new Console(new PrintStream(out, true, StandardCharsets.UTF_8)));

        assertThat(exit).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("scored 21 PRs").contains("2 rejected")
                .contains("line 21.commits: expected a non-negative integer").contains("line 22: not valid JSON");
        assertThat(Files.readAllLines(output).get(0)).isEqualTo(ScoreFile.HEADER);
        List<org.apache.commons.csv.CSVRecord> rows = csv(output);
        // One row per input line, rejected ones included, so nothing after a bad line shifts.
        assertThat(rows).hasSize(23);
        Scorer scorer = new Scorer(TestModels.calibrated(5));
        for (int i = 0; i < 20; i++) {
            assertThat(rows.get(i).get("line")).isEqualTo(Integer.toString(i + 1));
            assertThat(rows.get(i).get("id")).isEqualTo(Integer.toString(9000 + i));
            assertThat(rows.get(i).get("key")).isEqualTo(TestModels.PRS.get(i).key());
            assertThat(rows.get(i).get("status")).isEqualTo("scored");
            assertThat(Double.parseDouble(rows.get(i).get("score"))).isCloseTo(scorer.explain(TestModels.PRS.get(i), 3)
                    .score(), org.assertj.core.data.Percentage.withPercentage(1e-3));
        }
        assertThat(rows.get(20).get("status")).isEqualTo("rejected");
        assertThat(rows.get(20).get("reason")).contains("line 21.commits: expected a non-negative integer");
        assertThat(rows.get(20).get("score")).isEmpty();
        assertThat(rows.get(21).get("reason")).contains("line 22: not valid JSON");
        assertThat(rows.get(22).get("line")).isEqualTo("23");
        assertThat(rows.get(22).get("key")).isEqualTo("o/r#2");
        assertThat(rows.get(22).get("status")).isEqualTo("scored");
    }

    private static List<org.apache.commons.csv.CSVRecord> csv(Path file) throws java.io.IOException {
        try (var parser = org.apache.commons.csv.CSVParser.parse(file, StandardCharsets.UTF_8,
                org.apache.commons.csv.CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get())) {
            return parser.getRecords();
        }
    }

    @Test
    void thePullreqsCsvIsScoredToo() throws Exception {
        Path csv = SharedData.require("datasets/pullreqs/pullreqs.csv.gz");
        Path head = dir.resolve("head.csv");
        try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(new java.util.zip.GZIPInputStream(
                Files.newInputStream(csv)), StandardCharsets.UTF_8))) {
            List<String> lines = new java.util.ArrayList<>(in.lines().limit(501).toList());
            // Row 10 (line 11) with a github_id no PR has: rejected, and written as such.
            String[] cells = lines.get(10).split(",", -1);
            cells[3] = "-4";
            lines.set(10, String.join(",", cells));
            Files.write(head, lines);
        }
        ScoreFile.Result r = ScoreFile.run(head, dir.resolve("s.csv"), TestModels.calibrated(5));
        assertThat(r.scored()).isEqualTo(499);
        assertThat(r.rejected()).isEqualTo(1);
        List<org.apache.commons.csv.CSVRecord> in = csv(head);
        List<org.apache.commons.csv.CSVRecord> out = csv(dir.resolve("s.csv"));
        assertThat(out).hasSize(500);
        for (int i = 0; i < 500; i++) {
            assertThat(out.get(i).get("id")).isEqualTo(in.get(i).get("pull_req_id"));
            assertThat(out.get(i).get("line")).isEqualTo(Integer.toString(i + 2));
            if (i != 9) {
                assertThat(out.get(i).get("key")).isEqualTo(in.get(i).get("project_name") + "#"
                        + in.get(i).get("github_id"));
            }
        }
        assertThat(out.get(9).get("status")).isEqualTo("rejected");
        assertThat(out.get(9).get("reason")).startsWith("line 11: github_id: ");
        assertThat(out.get(9).get("key")).isEmpty();
    }

    @Test
    void badCommandLinesSayWhatIsWrong() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Console console = new Console(new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(ScoreFile.run(new String[] {}, Map.of(), console)).isEqualTo(2);
        assertThat(ScoreFile.run(new String[] {"/no/such.jsonl", "x.csv"}, Map.of(), console)).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("usage: score-file").contains("no such file");
    }
}
