package dev.prsentinel.train.mlflow;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.prsentinel.core.testing.PythonTools;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real MLflow tracking server (PyPI's mlflow, installed by .ci/run), started per test class on a
 * free port with a SQLite store and proxied artifacts in a temporary folder. Skips the tests with
 * a message when mlflow is not installed, and fails them under CI=true.
 */
public final class MlflowServer implements BeforeAllCallback, AfterAllCallback {

    private Process process;
    private URI uri;
    private Path dir;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        String command = PythonTools.command("mlflow");
        boolean installed = new ProcessBuilder("sh", "-c", "command -v " + command).start().waitFor() == 0;
        if (!installed && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("mlflow is missing; .ci/run installs it from requirements-ci.txt");
        }
        assumeTrue(installed, "skipped: the mlflow command is not installed (.ci/run installs requirements-ci.txt"
                + " into ~/.cache/prsentinel-venv)");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        dir = Files.createTempDirectory("mlflow-it");
        process = new ProcessBuilder(command, "server", "--backend-store-uri", "sqlite:///" + dir.resolve("mlflow.db"),
                "--artifacts-destination", dir.resolve("artifacts").toString(), "--host", "127.0.0.1", "--port",
                String.valueOf(port), "--workers", "1")
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
        uri = URI.create("http://127.0.0.1:" + port);
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(uri.resolve("/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("mlflow server did not start; see " + dir.resolve("server.log"), e);
                }
            }
            Thread.sleep(250);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }
    }

    public URI uri() {
        return uri;
    }

    /** Stops the server, to test what a run does when MLflow goes away. */
    public void stop() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        process.waitFor();
    }
}
