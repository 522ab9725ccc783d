package dev.prsentinel.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.cli.Console;
import dev.prsentinel.core.testing.Need;
import dev.prsentinel.core.testing.Needs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of `prsentinel demo` at two moments: while webhook deliveries are being stored, and while
 * its training runs in a child JVM; then the demo again on the same data directory. The store
 * opens, no job the killed run started outlives it, and the rerun completes with every PR stored
 * exactly once. Real processes, killed for real; bounded in time.
 */
@Needs(Need.MLFLOW)
class KillDuringDemoIT {

    @TempDir
    Path dataDir;

    private Process demo(Path log) throws IOException {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "demo", "--prs", "200",
                "--seed", "11", "--data-dir", dataDir.resolve("data").toString(), "--exit")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** What the killed demo is doing when it is killed: its output so far, and the processes it started. */
    private interface Moment {
        boolean reached(String output, List<ProcessHandle> started);
    }

    /**
     * Runs the demo until {@code moment}, then kills it; checks that everything it started ends too.
     */
    private void killAt(String name, Moment moment, Duration timeout) throws Exception {
        Path log = dataDir.resolve(name + ".log");
        Process child = demo(log);
        List<ProcessHandle> started;
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!moment.reached(Files.exists(log) ? Files.readString(log) : "", child.descendants().toList())
                    && System.nanoTime() < deadline) {
                assertThat(child.isAlive()).as("the demo ended before it could be killed: %s", Files.readString(log))
                        .isTrue();
                Thread.sleep(20);
            }
            assertThat(moment.reached(Files.readString(log), child.descendants().toList())).as(name).isTrue();
            started = child.descendants().toList();
        } finally {
            // SIGKILL: no shutdown hook runs, nothing is closed, the store is cut mid-write.
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        // Its jobs (ParentWatch) and its tracking server (ParentWatch's watchdog) see it gone and stop.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (started.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(started).as("processes the killed demo started").noneMatch(ProcessHandle::isAlive);
    }

    /** Whether one of the processes runs {@code mainClass}: read from /proc, in full (a job's class path is long). */
    private static boolean running(List<ProcessHandle> started, String mainClass) {
        return started.stream().anyMatch(p -> {
            try {
                return Files.readString(Path.of("/proc", String.valueOf(p.pid()), "cmdline")).contains(mainClass);
            } catch (IOException gone) {
                return false;
            }
        });
    }

    @Test
    void aKilledDemoLeavesAStoreThatARerunCompletesWithEveryPrOnce() throws Exception {
        // The deliveries follow this line at once: the first stored PRs are being written.
        killAt("mid-deliveries", (out, started) -> out.contains("started: embedded store"), Duration.ofSeconds(180));
        // A training runs in a child JVM (Spark and DJL), writing to the store and to MLflow.
        killAt("mid-training", (out, started) -> running(started, "TrainingJobMain"), Duration.ofSeconds(300));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] args = {"demo", "--prs", "200", "--seed", "11", "--data-dir", dataDir.resolve("data").toString(),
            "--exit"};
        int exit = Main.run(args, new Console(new PrintStream(out, true, StandardCharsets.UTF_8)));
        String output = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(output).isZero();
        assertThat(output).contains("each PR stored once: 200 generated, 200 stored")
                .containsPattern("score: prsentinel-autoencoder version \\d+ served; 200 PRs scored over HTTP")
                .doesNotContain("Exception");
    }
}
