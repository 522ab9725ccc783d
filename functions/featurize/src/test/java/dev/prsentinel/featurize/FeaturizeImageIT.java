package dev.prsentinel.featurize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.testing.OciImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * featurize's image as built, started as Spark's cluster mode starts its pods from it: the
 * application jar is where the launcher points Spark (local:///app/classpath/featurize.jar), and
 * the entrypoint runs {@code driver ...} as spark-submit in client mode, over the image's own
 * runtime and classpath, and refuses an executor pod without Spark's variables.
 */
class FeaturizeImageIT {

    @TempDir
    Path dir;

    @Test
    void sparksDriverAndExecutorContractHoldsInTheImage() throws Exception {
        Path tar = OciImage.builtImage();
        OciImage.assumeRunnable();
        OciImage image = OciImage.unpack(tar, dir.resolve("root"));
        assertThat(image.root().resolve("app/classpath/featurize.jar")).isRegularFile();

        Path driverLog = dir.resolve("driver.log");
        Process driver = image.start(Map.of("SPARK_DRIVER_BIND_ADDRESS", "127.0.0.1"), Map.of(),
                List.of("driver", "--version"), driverLog);
        assertThat(driver.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(driverLog);
        assertThat(driver.exitValue()).as(out).isZero();
        assertThat(out).contains("version 4.0.1");

        Path executorLog = dir.resolve("executor.log");
        Process executor = image.start(Map.of(), Map.of(), List.of("executor"), executorLog);
        assertThat(executor.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(executor.exitValue()).isEqualTo(2);
        assertThat(Files.readString(executorLog)).contains("SPARK_EXECUTOR_MEMORY is not set");
    }
}
