package dev.prsentinel.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.cli.Console;
import dev.prsentinel.core.testing.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of `prsentinel import` mid-way, then the import again: the store opens, and the rerun
 * stores every PR of the pullreqs file exactly once. A real process, killed for real; bounded in time.
 */
class KillDuringImportIT {

    private static final long ROWS = 279_858;

    @TempDir
    Path dataDir;

    @Test
    void aKilledImportLeavesAStoreThatARerunCompletes() throws Exception {
        Path csv = SharedData.require("datasets/pullreqs/pullreqs.csv.gz");
        Path log = dataDir.resolve("killed.log");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "import", csv.toString(),
                "--data-dir", dataDir.resolve("data").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!(Files.exists(log) && Files.readString(log).contains("read,")) && System.nanoTime() < deadline) {
                assertThat(child.isAlive()).as("the import ended before it could be killed").isTrue();
                Thread.sleep(50);
            }
            assertThat(Files.readString(log)).contains("read,");
        } finally {
            // SIGKILL: no shutdown hook, no close, whatever MVStore had not committed is lost.
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"import", csv.toString(), "--data-dir", dataDir.resolve("data").toString()},
                new Console(new PrintStream(out, true, StandardCharsets.UTF_8)));
        String output = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(output).isZero();
        assertThat(output).contains(String.format("store now holds %,d PRs", ROWS));
        try (EmbeddedStore store = new EmbeddedStore(dataDir.resolve("data"))) {
            assertThat(new dev.prsentinel.core.store.PullRequestStore(store.client().getDatabase("prsentinel"),
                    Clock.systemUTC()).count()).isEqualTo(ROWS);
        }
    }
}
