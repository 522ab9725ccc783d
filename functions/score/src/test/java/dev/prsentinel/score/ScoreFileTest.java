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
        String lines = TestModels.PRS.subList(0, 20).stream().map(p -> GitHubPullRequests.toJson(p).toString())
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
        List<String> rows = Files.readAllLines(output);
        assertThat(rows).hasSize(22);
        assertThat(rows.get(0)).startsWith("key,score,threshold,anomalous,category,feature_1,share_1");
        Scorer scorer = new Scorer(TestModels.calibrated(5));
        String[] first = rows.get(1).split(",");
        assertThat(first[0]).isEqualTo(TestModels.PRS.get(0).key());
        assertThat(Double.parseDouble(first[1])).isCloseTo(scorer.explain(TestModels.PRS.get(0), 3).score(),
                org.assertj.core.data.Percentage.withPercentage(1e-3));
    }

    @Test
    void thePullreqsCsvIsScoredToo() throws Exception {
        Path csv = SharedData.require("datasets/pullreqs/pullreqs.csv.gz");
        Path head = dir.resolve("head.csv");
        try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(new java.util.zip.GZIPInputStream(
                Files.newInputStream(csv)), StandardCharsets.UTF_8))) {
            Files.write(head, in.lines().limit(501).toList());
        }
        Path model = dir.resolve("model");
        TestModels.calibrated(5).write(model);
        ScoreFile.Result r = ScoreFile.run(head, dir.resolve("s.csv"), TestModels.calibrated(5));
        assertThat(r.scored()).isEqualTo(500);
        assertThat(r.rejected()).isZero();
        assertThat(Files.readAllLines(dir.resolve("s.csv"))).hasSize(501);
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
