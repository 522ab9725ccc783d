package dev.prsentinel.core.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildJvmTest {

    @TempDir
    Path dir;

    /** A job that would run for a minute. */
    public static final class Sleeper {
        public static void main(String[] args) throws InterruptedException {
            Thread.sleep(60_000);
        }
    }

    @Test
    void stopAllEndsEveryChildStillRunning() throws Exception {
        AtomicInteger exits = new AtomicInteger();
        Process child = ChildJvm.start(Sleeper.class.getName(), System.getProperty("java.class.path"), List.of(),
                List.of(), Map.of(), dir.resolve("sleeper.log"), code -> exits.incrementAndGet());
        assertThat(child.isAlive()).isTrue();
        assertThat(ChildJvm.running()).isEqualTo(1);
        long t0 = System.nanoTime();
        assertThat(ChildJvm.stopAll(Duration.ofSeconds(5))).isEqualTo(1);
        assertThat(child.isAlive()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        assertThat(ChildJvm.running()).isZero();
        child.onExit().get();
        Thread.sleep(100);
        assertThat(exits).hasValue(1);
    }
}
