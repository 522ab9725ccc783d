package dev.prsentinel.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.cli.Console;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    @TempDir
    Path dir;

    private String run(int expectedExit, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(Main.run(args, new Console(new PrintStream(out, true, StandardCharsets.UTF_8))))
                .as(out.toString(StandardCharsets.UTF_8)).isEqualTo(expectedExit);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void scoreFileOnADataDirectoryWithNoTrainingSaysWhatToRunAndStartsNothing() throws Exception {
        Path input = Files.writeString(dir.resolve("prs.jsonl"), "{\"repo\":\"o/r\",\"number\":1}\n");
        Path data = dir.resolve("data");
        String out = run(1, "score-file", input.toString(), dir.resolve("out.csv").toString(), "--data-dir",
                data.toString());
        assertThat(out).contains("no model has been trained in").contains("prsentinel train");
        assertThat(data).doesNotExist();
        assertThat(dir.resolve("out.csv")).doesNotExist();
    }

    @Test
    void theUsageNamesTheOwnDataCommands() {
        assertThat(run(0, "help")).contains("train ").contains("import FILE [--train]")
                .contains("score-file INPUT OUTPUT [--model-version V]");
    }
}
