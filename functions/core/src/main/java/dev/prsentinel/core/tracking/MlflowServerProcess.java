package dev.prsentinel.core.tracking;

import dev.prsentinel.core.jobs.LocalServers;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real MLflow tracking server as a child process ({@code mlflow server}: SQLite store, artifacts
 * served through its proxy, one worker), for the local runtime and for tests. Started, it has
 * answered {@code /health}.
 */
public final class MlflowServerProcess implements AutoCloseable {

    /** The environment that turns MLflow's telemetry off (MLflow's own switch, and the common one). */
    public static final java.util.Map<String, String> NO_TELEMETRY = java.util.Map.of(
            "MLFLOW_DISABLE_TELEMETRY", "true", "DO_NOT_TRACK", "true");

    private final Process process;
    private final URI uri;
    private final Path log;

    private MlflowServerProcess(Process process, URI uri, Path log) {
        this.process = process;
        this.uri = uri;
        this.log = log;
    }

    /** Whether {@code command} can be run (a name on PATH or a path). */
    public static boolean installed(String command) {
        try {
            return new ProcessBuilder("sh", "-c", "command -v \"$0\"", command).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Starts a server keeping its store and artifacts in {@code dir}; port 0 picks a free one.
     *
     * @throws IOException when it cannot start or does not answer within {@code timeout}; the
     *                     message names its log
     */
    public static MlflowServerProcess start(String command, Path dir, int port, Duration timeout)
            throws IOException {
        return start(command, dir, port, timeout, null);
    }

    /**
     * As above, behind MLflow's basic auth (--app-name basic-auth, PyPI's mlflow[auth]) with the
     * admin user {@code admin} and this password; users are then made over its REST API.
     */
    public static MlflowServerProcess startWithBasicAuth(String command, Path dir, int port, Duration timeout,
            String adminPassword) throws IOException {
        return start(command, dir, port, timeout, adminPassword);
    }

    private static MlflowServerProcess start(String command, Path dir, int port, Duration timeout,
            String adminPassword) throws IOException {
        Files.createDirectories(dir);
        port = LocalServers.portOrFree(port);
        Path log = dir.resolve("server.log");
        ProcessBuilder builder = new ProcessBuilder(command, "server",
                "--backend-store-uri", "sqlite:///" + dir.toAbsolutePath().resolve("mlflow.db"),
                "--artifacts-destination", dir.toAbsolutePath().resolve("artifacts").toString(),
                "--host", "127.0.0.1", "--port", String.valueOf(port), "--workers", "1")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        if (adminPassword != null) {
            builder.command().addAll(java.util.List.of("--app-name", "basic-auth"));
        }
        // Stopped with this JVM, even a kill -9 of it (ParentWatch's watchdog).
        builder.command(dev.prsentinel.core.jobs.ParentWatch.command(builder.command()));
        if (adminPassword != null) {
            Path ini = dir.resolve("basic_auth.ini");
            Files.writeString(ini, "[mlflow]\ndefault_permission = READ\ndatabase_uri = sqlite:///"
                    + dir.toAbsolutePath().resolve("basic_auth.db") + "\nadmin_username = admin\nadmin_password = "
                    + adminPassword
                    + "\nauthorization_function = mlflow.server.auth:authenticate_request_basic_auth\n");
            builder.environment().put("MLFLOW_AUTH_CONFIG_PATH", ini.toString());
            byte[] key = new byte[16];
            new java.security.SecureRandom().nextBytes(key);
            builder.environment().put("MLFLOW_FLASK_SERVER_SECRET_KEY", java.util.HexFormat.of().formatHex(key));
        }
        // MLflow 3.x reports usage to its makers by default: nothing this project starts calls home.
        builder.environment().putAll(NO_TELEMETRY);
        Process process = builder.start();
        MlflowServerProcess server = new MlflowServerProcess(process, URI.create("http://127.0.0.1:" + port), log);
        try {
            LocalServers.awaitHealthy(process, server.uri.resolve("/health"), timeout, Duration.ofMillis(250),
                    "mlflow server", log);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        return server;
    }

    public URI uri() {
        return uri;
    }

    public Path log() {
        return log;
    }

    /**
     * Stops the server and its workers and waits until every one has exited, so its port is free
     * when this returns: the next command binds the same port. One that ignores SIGTERM for 10 s is
     * killed.
     */
    @Override
    public void close() {
        java.util.List<ProcessHandle> all = new java.util.ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                p.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
