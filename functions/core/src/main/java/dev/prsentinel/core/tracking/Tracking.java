package dev.prsentinel.core.tracking;

import dev.prsentinel.core.anomaly.ModelPackage;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where training runs are tracked and models registered: MLflow's tracking server over REST
 * ({@link MlflowClient}), or a local directory when no server is available ({@link LocalTracking}).
 * train-trigger writes through it; score and the local runtime read the registered model from it.
 */
public interface Tracking {

    /** The experiment every training run goes to. */
    String EXPERIMENT = "prsentinel";
    /** The registered model train-trigger writes and score serves. */
    String MODEL_NAME = "prsentinel-autoencoder";
    /** The folder of a run's artifacts that holds the model package. */
    String MODEL_DIR = "model";

    /**
     * A run.
     *
     * @param id           run id
     * @param experimentId its experiment
     * @param artifactUri  where its artifacts live (mlflow-artifacts:/... when proxied, file:... locally)
     */
    record Run(String id, String experimentId, String artifactUri) {
    }

    /**
     * A registered model version.
     *
     * @param name    registered model
     * @param version its version number
     * @param runId   the run whose artifacts it points at
     */
    record ModelVersion(String name, String version, String runId) {
    }

    /**
     * A registered version with what is attached to it.
     *
     * @param version its number
     * @param runId   its run
     * @param aliases the aliases pointing at it
     * @param tags    its tags
     */
    record RegisteredVersion(String version, String runId, Set<String> aliases, Map<String, String> tags) {

        public RegisteredVersion {
            aliases = Set.copyOf(aliases);
            tags = Map.copyOf(tags);
        }
    }

    /** The experiment's id, created if it does not exist. */
    String experimentId(String name);

    Run createRun(String experimentId, String runName, Map<String, String> tags);

    void logParams(String runId, Map<String, String> params);

    void logMetrics(String runId, Map<String, Double> metrics, long step);

    void setTag(String runId, String key, String value);

    /** Ends a run: FINISHED, FAILED or KILLED. */
    void endRun(String runId, String status);

    Run run(String runId);

    /** Runs of an experiment still RUNNING that started before {@code startedBefore}. */
    List<Run> runningRuns(String experimentId, java.time.Instant startedBefore);

    void uploadArtifact(Run run, String path, byte[] content);

    byte[] downloadArtifact(Run run, String path);

    /** Creates the registered model if it does not exist yet. */
    void ensureRegisteredModel(String name);

    /** Registers a run's artifact folder as a new version with tags; returns the version number. */
    String createModelVersion(String name, Run run, String artifactDir, Map<String, String> tags);

    /** Registers a run's artifact folder as a new version; returns the version number. */
    default String createModelVersion(String name, Run run, String artifactDir) {
        return createModelVersion(name, run, artifactDir, Map.of());
    }

    /** Every version of a registered model, oldest first; empty when the model does not exist. */
    List<RegisteredVersion> versions(String name);

    void deleteModelVersion(String name, String version);

    void setAlias(String name, String alias, String version);

    /** Sets a tag on a registered version (the promoter records there which environments it passed). */
    void setVersionTag(String name, String version, String key, String value);

    /** The version an alias points at, or empty. */
    Optional<ModelVersion> versionByAlias(String name, String alias);

    /** A version by number, or empty. */
    Optional<ModelVersion> version(String name, String version);

    /** Where a person finds the run: the MLflow UI page, or the run's folder. */
    String link(Run run);

    /** The model package of a registered version, checked as it is read. */
    default ModelPackage modelPackage(ModelVersion version) {
        return ModelPackage.parse(downloadArtifact(run(version.runId()), MODEL_DIR + "/" + ModelPackage.FILE),
                version.name() + " version " + version.version());
    }

    /**
     * The tracking a URI names: http(s) is an MLflow tracking server; {@code file:} or a plain path is
     * a local directory.
     */
    /**
     * The tracking server from the secrets (mlflow_tracking_uri, else MLFLOW_TRACKING_URI from the
     * environment: the address alone is no secret) with the credentials they hold
     * (mlflow_tracking_username and _password, or _token), read per request and re-read once when
     * MLflow answers 401 or 403.
     */
    static Tracking fromSecrets(dev.prsentinel.core.secrets.Secrets secrets, java.util.Map<String, String> env,
            Clock clock) {
        String uri = secrets.find(dev.prsentinel.core.secrets.Secrets.MLFLOW_TRACKING_URI)
                .orElse(env.get("MLFLOW_TRACKING_URI"));
        if (uri != null && (uri.startsWith("http://") || uri.startsWith("https://"))) {
            return new MlflowClient(URI.create(uri), dev.prsentinel.core.secrets.SecretCredentials.mlflow(secrets),
                    clock);
        }
        return forUri(uri, clock);
    }

    static Tracking forUri(String uri, Clock clock) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("MLFLOW_TRACKING_URI is not set: an http(s) tracking server, or a"
                    + " file: directory to track runs locally");
        }
        if (uri.startsWith("http://") || uri.startsWith("https://")) {
            return new MlflowClient(URI.create(uri), clock);
        }
        return new LocalTracking(uri.startsWith("file:") ? Path.of(URI.create(uri)) : Path.of(uri), clock);
    }
}
