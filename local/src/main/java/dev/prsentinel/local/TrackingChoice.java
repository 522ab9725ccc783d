package dev.prsentinel.local;

import dev.prsentinel.core.jobs.PythonTools;
import dev.prsentinel.core.tracking.MlflowServerProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the local runtime tracks training runs: MLFLOW_TRACKING_URI when it is set; otherwise a
 * real MLflow server this runtime starts when the mlflow command is installed (PRSENTINEL_MLFLOW,
 * else .ci/run's virtualenv, else PATH: {@link PythonTools}), keeping its store under the data
 * directory; otherwise a local directory, said so in {@link #description()}.
 */
final class TrackingChoice implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrackingChoice.class);

    private final String uri;
    private final String description;
    private final MlflowServerProcess server;

    private TrackingChoice(String uri, String description, MlflowServerProcess server) {
        this.uri = uri;
        this.description = description;
        this.server = server;
    }

    static TrackingChoice choose(Path dataDir, Map<String, String> env) {
        String configured = env.get("MLFLOW_TRACKING_URI");
        if (configured != null && !configured.isBlank()) {
            return new TrackingChoice(configured, "MLflow at " + configured + " (MLFLOW_TRACKING_URI)", null);
        }
        String command = mlflowCommand(env);
        if (command != null) {
            Path dir = dataDir.resolve("mlflow");
            try {
                MlflowServerProcess server = MlflowServerProcess.start(command, dir, 0, Duration.ofSeconds(90));
                return new TrackingChoice(server.uri().toString(), "MLflow server " + server.uri() + " (started here,"
                        + " store in " + dir.toAbsolutePath() + ")", server);
            } catch (IOException e) {
                LOG.warn("{}; tracking in a local directory instead", e.getMessage());
            }
        }
        Path runs = dataDir.resolve("mlruns").toAbsolutePath();
        String why = command == null ? "the mlflow command is not installed" : "mlflow server did not start";
        return new TrackingChoice(runs.toUri().toString(), "a local directory, " + runs + ": " + why
                + " (pip install mlflow==3.5.1, or set MLFLOW_TRACKING_URI, to track runs in MLflow)", null);
    }

    /**
     * The tracking this data directory's trainings went to, to read models from without starting the
     * runtime: MLFLOW_TRACKING_URI when set; else the MLflow store under the data directory (its
     * server started for the reader alone); else its local runs directory; else empty, when nothing
     * was ever trained here.
     *
     * @throws IOException when the store is MLflow's and mlflow is not installed, or does not start
     */
    static java.util.Optional<TrackingChoice> existing(Path dataDir, Map<String, String> env) throws IOException {
        String configured = env.get("MLFLOW_TRACKING_URI");
        if (configured != null && !configured.isBlank()) {
            return java.util.Optional.of(choose(dataDir, env));
        }
        Path dir = dataDir.resolve("mlflow");
        if (java.nio.file.Files.isRegularFile(dir.resolve("mlflow.db"))) {
            String command = mlflowCommand(env);
            if (command == null) {
                throw new IOException(dataDir + "'s models are in MLflow's store (" + dir.toAbsolutePath()
                        + "), and the mlflow command is not installed to read it: pip install mlflow==3.5.1, or set"
                        + " PRSENTINEL_MLFLOW");
            }
            MlflowServerProcess server = MlflowServerProcess.start(command, dir, 0, Duration.ofSeconds(90));
            return java.util.Optional.of(new TrackingChoice(server.uri().toString(), "MLflow server " + server.uri()
                    + " (on " + dir.toAbsolutePath() + ")", server));
        }
        Path runs = dataDir.resolve("mlruns");
        if (java.nio.file.Files.isDirectory(runs)) {
            return java.util.Optional.of(new TrackingChoice(runs.toAbsolutePath().toUri().toString(),
                    "a local directory, " + runs.toAbsolutePath(), null));
        }
        return java.util.Optional.empty();
    }

    private static String mlflowCommand(Map<String, String> env) {
        String explicit = env.get("PRSENTINEL_MLFLOW");
        if (explicit != null && !explicit.isBlank()) {
            return MlflowServerProcess.installed(explicit) ? explicit : null;
        }
        String command = PythonTools.command("mlflow", env);
        return MlflowServerProcess.installed(command) ? command : null;
    }

    String uri() {
        return uri;
    }

    String description() {
        return description;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
