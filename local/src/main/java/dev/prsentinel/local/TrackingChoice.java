package dev.prsentinel.local;

import dev.prsentinel.core.jobs.PythonTools;
import dev.prsentinel.core.tracking.MlflowServerProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the local runtime tracks training runs: MLFLOW_TRACKING_URI when it is set; otherwise a
 * real MLflow server this runtime starts (PRSENTINEL_MLFLOW, else the virtualenv ./prsentinel
 * creates, else PATH: {@link PythonTools}), keeping its store under the data directory; otherwise,
 * when asked for ({@link Mode#OFF}) or allowed ({@link Mode#IF_INSTALLED}), a local directory,
 * said so in {@link #description()}.
 *
 * <p>The server listens on one port ({@value #DEFAULT_PORT}, or PRSENTINEL_MLFLOW_PORT) whenever it
 * is free, so the run links that train, demo and report print stay valid later, under
 * {@code prsentinel mlflow}, which serves the same store on the same port.
 */
public final class TrackingChoice implements AutoCloseable {

    /** The port MLflow's server gets when it is free: not MLflow's own 5000, which macOS's AirPlay takes. */
    public static final int DEFAULT_PORT = 5055;

    private static final Logger LOG = LoggerFactory.getLogger(TrackingChoice.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final String INSTALL_HINT = "./prsentinel installs it into ~/.cache/prsentinel-venv on first"
            + " use (or: pip install -r requirements-local.txt)";

    /** How much a command insists on MLflow. */
    public enum Mode {
        /** A real MLflow server, or the command fails saying how to get one: what the CLI asks for. */
        REQUIRED,
        /** MLflow when installed, else the local directory (with the reason in the description). */
        IF_INSTALLED,
        /** The local directory (--no-mlflow). */
        OFF
    }

    private final String uri;
    private final String description;
    private final MlflowServerProcess server;

    private TrackingChoice(String uri, String description, MlflowServerProcess server) {
        this.uri = uri;
        this.description = description;
        this.server = server;
    }

    /**
     * Chooses for a command that trains.
     *
     * @throws IOException under {@link Mode#REQUIRED}, when mlflow is not installed or its server does
     *                     not start; the message says what to do
     */
    public static TrackingChoice choose(Path dataDir, Map<String, String> env, Mode mode) throws IOException {
        String configured = env.get("MLFLOW_TRACKING_URI");
        if (configured != null && !configured.isBlank()) {
            return new TrackingChoice(configured, "MLflow at " + configured + " (MLFLOW_TRACKING_URI)", null);
        }
        Path runs = dataDir.resolve("mlruns").toAbsolutePath();
        if (mode == Mode.OFF) {
            return new TrackingChoice(runs.toUri().toString(), "a local directory, " + runs + " (--no-mlflow)", null);
        }
        String command = mlflowCommand(env);
        if (command == null) {
            if (mode == Mode.REQUIRED) {
                throw new IOException("the mlflow command is not installed: " + INSTALL_HINT
                        + "; or --no-mlflow to track runs in " + runs);
            }
            return new TrackingChoice(runs.toUri().toString(), "a local directory, " + runs + ": the mlflow"
                    + " command is not installed (" + INSTALL_HINT + ")", null);
        }
        try {
            return serve(command, dataDir, env);
        } catch (IOException e) {
            if (mode == Mode.REQUIRED) {
                throw new IOException(e.getMessage() + "; or --no-mlflow to track runs in " + runs, e);
            }
            LOG.warn("{}; tracking in a local directory instead", e.getMessage());
            return new TrackingChoice(runs.toUri().toString(), "a local directory, " + runs
                    + ": mlflow server did not start", null);
        }
    }

    /**
     * The tracking this data directory's trainings went to, to read models from: MLFLOW_TRACKING_URI
     * when set; else the MLflow store under the data directory (its server started for the reader);
     * else its local runs directory; else empty, when nothing was ever trained here.
     *
     * @throws IOException when the store is MLflow's and mlflow is not installed, or does not start
     */
    public static Optional<TrackingChoice> existing(Path dataDir, Map<String, String> env) throws IOException {
        String configured = env.get("MLFLOW_TRACKING_URI");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(choose(dataDir, env, Mode.REQUIRED));
        }
        if (Files.isRegularFile(store(dataDir).resolve("mlflow.db"))) {
            return Optional.of(serve(requireCommand(dataDir, env), dataDir, env));
        }
        Path runs = dataDir.resolve("mlruns");
        if (Files.isDirectory(runs)) {
            return Optional.of(new TrackingChoice(runs.toAbsolutePath().toUri().toString(),
                    "a local directory, " + runs.toAbsolutePath(), null));
        }
        return Optional.empty();
    }

    /** The MLflow server on the data directory's store, for its UI ({@code prsentinel mlflow}). */
    public static TrackingChoice ui(Path dataDir, Map<String, String> env) throws IOException {
        return serve(requireCommand(dataDir, env), dataDir, env);
    }

    private static String requireCommand(Path dataDir, Map<String, String> env) throws IOException {
        String command = mlflowCommand(env);
        if (command == null) {
            throw new IOException(dataDir + "'s models are in MLflow's store (" + store(dataDir).toAbsolutePath()
                    + "), and the mlflow command is not installed to read it: " + INSTALL_HINT);
        }
        return command;
    }

    private static Path store(Path dataDir) {
        return dataDir.resolve("mlflow");
    }

    /**
     * Starts the server on the preferred port when it is free; else (another run holds it) on any
     * free port, and the description says the links it gives die with this run.
     */
    private static TrackingChoice serve(String command, Path dataDir, Map<String, String> env) throws IOException {
        Path dir = store(dataDir);
        int preferred = Integer.parseInt(env.getOrDefault("PRSENTINEL_MLFLOW_PORT", String.valueOf(DEFAULT_PORT)));
        String where = " (store in " + dir.toAbsolutePath() + ")";
        if (free(preferred)) {
            try {
                MlflowServerProcess server = MlflowServerProcess.start(command, dir, preferred, START_TIMEOUT);
                return new TrackingChoice(server.uri().toString(), "MLflow server " + server.uri() + where, server);
            } catch (IOException e) {
                // Taken between the check and the bind: any free port will do.
                LOG.info("port {} could not be used ({}); MLflow starts on another", preferred, e.getMessage());
            }
        }
        MlflowServerProcess server = MlflowServerProcess.start(command, dir, 0, START_TIMEOUT);
        return new TrackingChoice(server.uri().toString(), "MLflow server " + server.uri() + where + "; port "
                + preferred + " was taken, so its run links last only while this command runs", server);
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String mlflowCommand(Map<String, String> env) {
        String explicit = env.get("PRSENTINEL_MLFLOW");
        if (explicit != null && !explicit.isBlank()) {
            return MlflowServerProcess.installed(explicit) ? explicit : null;
        }
        String command = PythonTools.command("mlflow", env);
        return MlflowServerProcess.installed(command) ? command : null;
    }

    public String uri() {
        return uri;
    }

    public String description() {
        return description;
    }

    /** MLflow's web UI, when the runs are tracked by a server rather than in a directory. */
    public Optional<URI> ui() {
        return uri.startsWith("http://") || uri.startsWith("https://") ? Optional.of(URI.create(uri))
                : Optional.empty();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
