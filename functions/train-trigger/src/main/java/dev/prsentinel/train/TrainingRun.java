package dev.prsentinel.train;

import dev.prsentinel.core.anomaly.ModelPackage;
import dev.prsentinel.core.features.FeatureSpec;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.features.RepositoryNorms;
import dev.prsentinel.core.features.RobustScaler;
import dev.prsentinel.core.tracking.Tracking;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training, tracked from start to end (in MLflow, or a local directory), then registered only
 * if it earned it.
 *
 * <p>The run logs parameters, per-epoch losses, final metrics, the gate's verdict and the model
 * package (model.json plus DJL's parameters) through the artifact proxy. Registration comes last,
 * after the run is complete: the first model ever becomes version 1 with alias {@code champion};
 * later ones become a version with alias {@code challenger} only when the gate puts them forward
 * (champion changes only through the blue/green rollout). A rejected model stays in its run with
 * the reasons. If MLflow fails before registration, nothing is registered; if setting the alias
 * fails, the fresh version is deleted again, and if that fails too (MLflow is down), the next
 * training removes it before registering: aliases only ever point at complete registrations.
 */
public final class TrainingRun {

    public static final String EXPERIMENT = Tracking.EXPERIMENT;
    public static final String MODEL_NAME = Tracking.MODEL_NAME;
    public static final String MODEL_DIR = Tracking.MODEL_DIR;

    /** The tag train-trigger puts on the versions it registers. */
    static final String REGISTERED_BY = "prsentinel.registered_by";
    private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

    /** Starts each epoch's log line, which the local runtime's `train` shows as progress. */
    public static final String EPOCH_LOG_MARKER = "PRSENTINEL-EPOCH";

    private final Tracking mlflow;
    private final Gate gate;
    private final Map<String, String> tags;
    private final String modelName;
    private final java.time.Duration abandonedAfter;

    /**
     * @param tags run tags known from the environment: git commit, image digest
     */
    public TrainingRun(Tracking mlflow, Gate gate, Map<String, String> tags) {
        this(mlflow, gate, tags, MODEL_NAME, java.time.Duration.ofHours(2));
    }

    /** With another registered model name (tests keep their registries apart with it). */
    TrainingRun(Tracking mlflow, Gate gate, Map<String, String> tags, String modelName) {
        this(mlflow, gate, tags, modelName, java.time.Duration.ofHours(2));
    }

    /**
     * @param abandonedAfter a run still RUNNING after this long was cut off (MLflow went away, or the
     *                       Job died) and is marked FAILED by the next training; longer than any
     *                       training may hold its lease
     */
    TrainingRun(Tracking mlflow, Gate gate, Map<String, String> tags, String modelName,
            java.time.Duration abandonedAfter) {
        this.mlflow = mlflow;
        this.gate = gate;
        this.tags = Map.copyOf(tags);
        this.modelName = modelName;
        this.abandonedAfter = abandonedAfter;
    }

    /**
     * What happened.
     *
     * @param runId    the MLflow run
     * @param version  the registered version, or empty when the model was rejected
     * @param alias    champion, challenger, or empty
     * @param verdict  the gate's verdict
     * @param training the training result
     */
    public record Outcome(String runId, Optional<String> version, Optional<String> alias, Gate.Verdict verdict,
            AutoencoderTrainer.Result training) {
    }

    /**
     * Trains on a feature set's rows and tracks it.
     *
     * @param heldOut rows neither model trained on, for the champion/challenger comparison
     */
    public Outcome execute(String featureSetId, float[][] train, float[][] validation, float[][] heldOut,
            RobustScaler scaler, AutoencoderTrainer.Settings settings) {
        return execute(featureSetId, train, validation, heldOut, scaler, null, settings);
    }

    /** The same for a spec that reads PRs against repository norms: the set's, which the package carries. */
    public Outcome execute(String featureSetId, float[][] train, float[][] validation, float[][] heldOut,
            RobustScaler scaler, RepositoryNorms norms, AutoencoderTrainer.Settings settings) {
        Map<String, String> runTags = new LinkedHashMap<>(tags);
        runTags.put("feature_set_id", featureSetId);
        String experiment = mlflow.experimentId(EXPERIMENT);
        closeAbandonedRuns(experiment);
        Tracking.Run run = mlflow.createRun(experiment, "train-" + featureSetId, runTags);
        AutoencoderTrainer.Result result;
        Gate.Verdict verdict;
        Optional<ModelPackage> champion;
        FeatureSpec spec = FeatureSpecs.require(scaler.specVersion());
        try {
            Map<String, String> params = new LinkedHashMap<>();
            params.put("spec_version", String.valueOf(spec.version()));
            params.put("layers", settings.layers(spec.size(), train.length));
            params.put("learning_rate", String.valueOf(settings.learningRate()));
            params.put("batch_size", String.valueOf(settings.batchSize()));
            params.put("max_epochs", String.valueOf(settings.maxEpochs()));
            params.put("patience", String.valueOf(settings.patience()));
            params.put("seed", String.valueOf(settings.seed()));
            params.put("threshold_percentile", String.valueOf(settings.thresholdPercentile()));
            if (AutoencoderTrainer.readsTails(spec, settings)) {
                params.put("reconstruction_percentile", String.valueOf(settings.reconstructionPercentile()));
                params.put("tail_percentile", String.valueOf(settings.tailPercentile()));
                params.put("extreme_percentile", String.valueOf(settings.extremePercentile()));
            }
            params.put("feature_set_id", featureSetId);
            params.put("train_rows", String.valueOf(train.length));
            mlflow.logParams(run.id(), params);
            LOG.info("training on {} rows of {} ({} validation, {} held out), up to {} epochs", train.length,
                    featureSetId, validation.length, heldOut.length, settings.maxEpochs());
            // Each epoch's losses as it ends: the run's charts in MLflow, and the log, follow the training live.
            result = AutoencoderTrainer.train(train, validation, scaler, norms, settings,
                    Map.of("feature_set_id", featureSetId, "run_id", run.id()), (epoch, trainLoss, validationLoss) -> {
                        mlflow.logMetrics(run.id(), Map.of("train_loss", trainLoss, "validation_loss", validationLoss),
                                epoch);
                        LOG.info(String.format(java.util.Locale.ROOT, "%s %d: train loss %.5f, validation loss %.5f",
                                EPOCH_LOG_MARKER, epoch + 1, trainLoss, validationLoss));
                    });
            champion = champion();
            verdict = gate.judge(result.model(), champion.orElse(null), heldOut);
            Map<String, Double> finals = new LinkedHashMap<>();
            finals.put("best_validation_loss", result.validationLoss().get(result.bestEpoch()));
            finals.put("threshold", result.model().threshold());
            if (result.model().detectors() != null) {
                finals.put("reconstruction_cut", result.model().detectors().reconstructionCut());
                finals.put("tail_cut", result.model().detectors().tailCut());
                if (result.model().detectors().extreme() != null) {
                    finals.put("extreme_cut", result.model().detectors().extreme().cut());
                    // Below 10,000 training rows it is the highest quantile the rows resolve, not the budget's.
                    finals.put("extreme_quantile", result.model().detectors().extreme().quantile());
                }
            }
            finals.put("flagged_fraction", result.flaggedFraction());
            finals.put("heldout_loss", verdict.challengerLoss());
            finals.put("heldout_flagged_fraction", verdict.challengerFlagged());
            if (!Double.isNaN(verdict.championLoss())) {
                finals.put("champion_heldout_loss", verdict.championLoss());
            }
            mlflow.logMetrics(run.id(), finals, result.trainLoss().size());
            mlflow.setTag(run.id(), "gate", verdict.candidate() ? "candidate" : "rejected");
            if (!verdict.candidate()) {
                mlflow.setTag(run.id(), "gate_reasons", String.join("; ", verdict.reasons()));
            }
            mlflow.setTag(run.id(), "parameters_sha256", result.parametersHash());
            mlflow.uploadArtifact(run, MODEL_DIR + "/" + ModelPackage.FILE, result.model().toJson());
            mlflow.uploadArtifact(run, MODEL_DIR + "/autoencoder.params", result.engineParameters());
            mlflow.endRun(run.id(), "FINISHED");
        } catch (RuntimeException e) {
            try {
                mlflow.setTag(run.id(), "failure", String.valueOf(e.getMessage()));
                mlflow.endRun(run.id(), "FAILED");
            } catch (RuntimeException ignored) {
                // MLflow itself is what failed; the run stays RUNNING there and nothing is registered.
            }
            throw e;
        }
        if (!verdict.candidate()) {
            // Rejected, a first model included (it failed calibration): it stays in its run, unregistered.
            return new Outcome(run.id(), Optional.empty(), Optional.empty(), verdict, result);
        }
        String alias = champion.isEmpty() ? "champion" : "challenger";
        mlflow.ensureRegisteredModel(modelName);
        removeUnfinishedRegistration();
        String version = mlflow.createModelVersion(modelName, run, MODEL_DIR, Map.of(REGISTERED_BY, "train-trigger"));
        try {
            mlflow.setAlias(modelName, alias, version);
        } catch (RuntimeException e) {
            try {
                mlflow.deleteModelVersion(modelName, version);
            } catch (RuntimeException deleteFailed) {
                LOG.warn("version {} has no alias and could not be deleted ({}); the next training removes it",
                        version, deleteFailed.getMessage());
            }
            throw e;
        }
        return new Outcome(run.id(), Optional.of(version), Optional.of(alias), verdict, result);
    }

    /**
     * A training cut off by an MLflow outage cannot mark its run FAILED, and a Job that dies cannot
     * either: such runs would stay RUNNING in the UI forever. The next training ends them.
     */
    private void closeAbandonedRuns(String experiment) {
        for (Tracking.Run stale : mlflow.runningRuns(experiment, java.time.Instant.now().minus(abandonedAfter))) {
            LOG.warn("run {} is still RUNNING after {}: marking it FAILED", stale.id(), abandonedAfter);
            mlflow.setTag(stale.id(), "failure", "abandoned: no end was recorded within " + abandonedAfter);
            mlflow.endRun(stale.id(), "FAILED");
        }
    }

    /**
     * Registration is two calls (create the version, point the alias at it), and MLflow can fail in
     * between, then fail the clean-up too. What that leaves is recognisable: the newest version,
     * registered by train-trigger, with no alias (every registration ends with an alias on the newest
     * version, and older ones lose theirs only to newer ones). It is removed before the next one.
     */
    private void removeUnfinishedRegistration() {
        List<Tracking.RegisteredVersion> versions = mlflow.versions(modelName);
        if (versions.isEmpty()) {
            return;
        }
        Tracking.RegisteredVersion newest = versions.get(versions.size() - 1);
        if (newest.aliases().isEmpty() && newest.tags().containsKey(REGISTERED_BY)) {
            LOG.warn("removing version {} of {}: its registration did not finish", newest.version(), modelName);
            mlflow.deleteModelVersion(modelName, newest.version());
        }
    }

    /** The current champion's package, read from its run's artifacts, or empty before the first model. */
    public Optional<ModelPackage> champion() {
        return mlflow.versionByAlias(modelName, "champion").map(mlflow::modelPackage);
    }

    /** Where a person finds a run. */
    public String link(String runId) {
        return mlflow.link(mlflow.run(runId));
    }
}
