package dev.prsentinel.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import ai.djl.util.Pair;
import dev.prsentinel.core.anomaly.Autoencoder;
import dev.prsentinel.core.anomaly.Detector;
import dev.prsentinel.core.anomaly.ModelPackage;
import dev.prsentinel.core.features.FeatureSpec;
import dev.prsentinel.core.features.FeatureSpecV4;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.features.Quantiles;
import dev.prsentinel.core.features.RepositoryNorms;
import dev.prsentinel.core.features.RobustScaler;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains the dense autoencoder with DJL (PyTorch engine) and exports it as core's engine-neutral
 * {@link ModelPackage}.
 *
 * <p>Architecture n-16-4-16-n for a spec of n features (46 under spec v3), ReLU between layers,
 * linear output (scaled features are signed): the inputs include one-hot and indicator columns and
 * features derived from one another, so their effective dimension is well below n; a narrow
 * bottleneck forces the net to learn the common structure, so that PRs unlike it reconstruct badly.
 * Measured on pullreqs (benchmarks/MODEL-QUALITY.md): a bottleneck of 8 passed extremes through
 * (recall on injected commit storms 55%, rubber stamps 0.4%, below a per-feature z-score baseline);
 * 4 catches 50-100% of every kind, level with the baseline on single-feature extremes and far above
 * it on joint ones (one huge file, merged in minutes). Two layers each side are enough for a few
 * hundred thousand rows and keep plain-Java scoring at microseconds. MSE loss, Adam, minibatches,
 * early stopping on the validation loss (the best epoch's parameters are kept). With the same rows
 * and seed, DJL's seeded engine gives the same parameters bit for bit.
 *
 * <p>From spec v4 on a tail detector reads beside the autoencoder ({@link Detector}): the largest
 * robust z-score of the measured features. Each detector's cut, and then the anomaly threshold on
 * the larger of their ratios, is a percentile of the validation rows' scores, never of the training
 * rows, computed with the same plain-Java forward pass the score function runs; so are the
 * per-feature error statistics kept for explanations. Specs before v4 train the autoencoder alone,
 * its threshold a percentile of the validation errors.
 */
public final class AutoencoderTrainer {

    /** Layer widths between input and output. */
    public static final int[] HIDDEN = {16, 4, 16};

    /**
     * Settings.
     *
     * @param learningRate        Adam's learning rate
     * @param batchSize           rows per minibatch
     * @param maxEpochs           upper bound on epochs
     * @param patience            epochs without a better validation loss before stopping
     * @param seed                the engine's random seed
     * @param thresholdPercentile the percentile of validation scores that becomes the threshold
     * @param reconstructionPercentile the percentile of validation errors that becomes the autoencoder's cut
     *                            in a package with a tail detector
     * @param tailPercentile      the percentile of validation tail z-scores that becomes the tail
     *                            detector's cut; NaN trains the autoencoder alone (as through spec v3)
     * @param extremePercentile   the percentile of validation rows that becomes the cut of the tail's
     *                            reading of each feature against its own extreme; NaN reads z alone
     */
    public record Settings(float learningRate, int batchSize, int maxEpochs, int patience, long seed,
            double thresholdPercentile, double reconstructionPercentile, double tailPercentile,
            double extremePercentile) {

        /** Settings with the shipped detector budgets ({@link Detector.Budgets#SHIPPED}). */
        public Settings(float learningRate, int batchSize, int maxEpochs, int patience, long seed,
                double thresholdPercentile) {
            this(learningRate, batchSize, maxEpochs, patience, seed, thresholdPercentile,
                    Detector.Budgets.SHIPPED.reconstructionPercentile(), Detector.Budgets.SHIPPED.tailPercentile(),
                    Detector.Budgets.SHIPPED.extremePercentile());
        }

        public static Settings defaults(long seed) {
            return new Settings(1e-3f, 256, 30, 3, seed, 99);
        }

        /** The same settings with no tail detector: the autoencoder alone, thresholded on its errors. */
        public Settings autoencoderOnly() {
            return new Settings(learningRate, batchSize, maxEpochs, patience, seed, thresholdPercentile, Double.NaN,
                    Double.NaN, Double.NaN);
        }

        boolean tail() {
            return !Double.isNaN(tailPercentile);
        }

        /** The detectors' budgets these settings train with. */
        public Detector.Budgets budgets() {
            return new Detector.Budgets(reconstructionPercentile, tailPercentile, extremePercentile,
                    Detector.Budgets.SHIPPED.extremeQuantile());
        }
    }

    /**
     * What a training produced.
     *
     * @param model          the package to register and serve
     * @param trainLoss      training loss per epoch
     * @param validationLoss validation loss per epoch
     * @param bestEpoch      the epoch whose parameters were kept (0-based)
     * @param flaggedFraction share of validation rows above the threshold
     * @param parametersHash SHA-256 of the kept parameters, for reproducibility checks
     * @param engineParameters DJL's own parameter file contents
     */
    public record Result(ModelPackage model, List<Double> trainLoss, List<Double> validationLoss, int bestEpoch,
            double flaggedFraction, String parametersHash, byte[] engineParameters) {
    }

    private AutoencoderTrainer() {
    }

    /**
     * Trains on scaled rows.
     *
     * @param train      scaled training rows (the scaler's output)
     * @param validation scaled held-out rows
     * @param scaler     the feature set's scaler, stored in the package
     * @param metadata   extra training metadata for the package (feature set id, run id...)
     */
    /** Told after each epoch, while training runs: progress for a person, live metrics for a tracker. */
    @FunctionalInterface
    public interface EpochListener {
        void epoch(int epoch, double trainLoss, double validationLoss);
    }

    public static Result train(float[][] train, float[][] validation, RobustScaler scaler, Settings settings,
            Map<String, Object> metadata) {
        return train(train, validation, scaler, null, settings, metadata);
    }

    /** The same for a spec that reads PRs against repository norms: the set's, which the package carries. */
    public static Result train(float[][] train, float[][] validation, RobustScaler scaler, RepositoryNorms norms,
            Settings settings, Map<String, Object> metadata) {
        return train(train, validation, scaler, norms, settings, metadata, (epoch, t, v) -> { });
    }

    public static Result train(float[][] train, float[][] validation, RobustScaler scaler, RepositoryNorms norms,
            Settings settings, Map<String, Object> metadata, EpochListener listener) {
        int width = FeatureSpecs.require(scaler.specVersion()).size();
        Engine.getInstance().setRandomSeed((int) settings.seed());
        SequentialBlock net = new SequentialBlock();
        for (int units : HIDDEN) {
            net.add(Linear.builder().setUnits(units).build()).add(Activation::relu);
        }
        net.add(Linear.builder().setUnits(width).build());

        try (Model model = Model.newInstance("prsentinel-autoencoder", Device.cpu());
                NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            model.setBlock(net);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss("mse", 1))
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(settings.learningRate()))
                            .build())
                    .optDevices(new Device[] {Device.cpu()});
            NDArray trainData = manager.create(train);
            NDArray validationData = manager.create(validation);
            ArrayDataset dataset = new ArrayDataset.Builder().setData(trainData).optLabels(trainData)
                    .setSampling(settings.batchSize(), true).build();
            List<Double> trainLoss = new ArrayList<>();
            List<Double> validationLoss = new ArrayList<>();
            float[][] best = null;
            double bestLoss = Double.POSITIVE_INFINITY;
            int bestEpoch = -1;
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(settings.batchSize(), width));
                for (int epoch = 0; epoch < settings.maxEpochs(); epoch++) {
                    for (Batch batch : trainer.iterateDataset(dataset)) {
                        try (batch) {
                            EasyTrain.trainBatch(trainer, batch);
                            trainer.step();
                        }
                    }
                    trainLoss.add(meanLoss(trainer, trainData));
                    double val = meanLoss(trainer, validationData);
                    validationLoss.add(val);
                    listener.epoch(epoch, trainLoss.get(epoch), val);
                    if (val < bestLoss) {
                        bestLoss = val;
                        bestEpoch = epoch;
                        best = parameters(net);
                    } else if (epoch - bestEpoch >= settings.patience()) {
                        break;
                    }
                }
            } catch (IOException | TranslateException e) {
                throw new IllegalStateException("training failed: " + e.getMessage(), e);
            }
            ModelPackage pkg = toPackage(best, scaler, norms, train, validation, settings, metadata, bestEpoch,
                    trainLoss, validationLoss);
            double flagged = new Detector(pkg).flaggedFraction(validation);
            return new Result(pkg, trainLoss, validationLoss, bestEpoch, flagged, hash(best),
                    engineParameters(model, best, net));
        }
    }

    private static double meanLoss(Trainer trainer, NDArray data) {
        try (NDManager scope = data.getManager().newSubManager()) {
            NDArray input = data.duplicate();
            input.attach(scope);
            NDList out = trainer.evaluate(new NDList(input));
            out.attach(scope);
            return out.singletonOrThrow().sub(input).square().mean().getFloat();
        }
    }

    /** Weight then bias per Linear, in block order (STACK-NOTES). */
    static float[][] parameters(SequentialBlock net) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            out.add(p.getValue().getArray().toFloatArray());
        }
        return out.toArray(float[][]::new);
    }

    private static ModelPackage toPackage(float[][] params, RobustScaler scaler, RepositoryNorms norms, float[][] train,
            float[][] validation,
            Settings settings, Map<String, Object> metadata, int bestEpoch, List<Double> trainLoss,
            List<Double> validationLoss) {
        FeatureSpec spec = FeatureSpecs.require(scaler.specVersion());
        int[] sizes = new int[HIDDEN.length + 2];
        sizes[0] = spec.size();
        System.arraycopy(HIDDEN, 0, sizes, 1, HIDDEN.length);
        sizes[sizes.length - 1] = spec.size();
        List<ModelPackage.Layer> layers = new ArrayList<>();
        for (int l = 0; l + 1 < sizes.length; l++) {
            layers.add(new ModelPackage.Layer(sizes[l], sizes[l + 1], l + 2 < sizes.length ? "relu" : "linear",
                    params[2 * l], params[2 * l + 1]));
        }
        Autoencoder ae = ModelPackage.Layer.autoencoder(layers);
        int n = spec.size();
        double[] scores = new double[validation.length];
        double[][] perFeature = new double[n][validation.length];
        double[] errors = new double[n];
        for (int r = 0; r < validation.length; r++) {
            scores[r] = ae.errors(validation[r], errors);
            for (int j = 0; j < n; j++) {
                perFeature[j][r] = errors[j];
            }
        }
        double[] mean = new double[n];
        double[] p99 = new double[n];
        for (int j = 0; j < n; j++) {
            mean[j] = Arrays.stream(perFeature[j]).average().orElse(0);
            p99[j] = Quantiles.percentile(perFeature[j], 99);
        }
        // The training rows' middle 90%, back in raw units: what "typical" means in an explanation.
        double[] low = new double[n];
        double[] high = new double[n];
        double[] column = new double[train.length];
        for (int j = 0; j < n; j++) {
            for (int r = 0; r < train.length; r++) {
                column[r] = train[r][j] * scaler.scale()[j] + scaler.center()[j];
            }
            low[j] = Quantiles.percentile(column, 5);
            high[j] = Quantiles.percentile(column, 95);
        }
        ModelPackage.Detectors detectors = null;
        double[] thresholdScores = scores;
        if (readsTails(spec, settings)) {
            Detector.Calibration calibration = Detector.calibrate(spec, train, validation, scores, settings.budgets());
            detectors = calibration.detectors();
            thresholdScores = calibration.validationScores();
        }
        Map<String, Object> training = new LinkedHashMap<>(metadata);
        training.put("seed", settings.seed());
        training.put("learning_rate", settings.learningRate());
        training.put("batch_size", settings.batchSize());
        training.put("epochs_run", trainLoss.size());
        training.put("best_epoch", bestEpoch);
        training.put("train_loss", trainLoss);
        training.put("validation_loss", validationLoss);
        training.put("layers", Arrays.stream(sizes).boxed().toList());
        return new ModelPackage(ModelPackage.FORMAT, spec.version(), spec.names(), layers, scaler.center(),
                scaler.scale(),
                Math.max(Quantiles.percentile(thresholdScores, settings.thresholdPercentile()), Double.MIN_NORMAL),
                settings.thresholdPercentile(), mean, p99, low, high, training, norms, detectors);
    }

    /** Whether a model of this spec trained with these settings has a tail detector beside its autoencoder. */
    public static boolean readsTails(FeatureSpec spec, Settings settings) {
        return settings.tail() && spec.version() >= FeatureSpecV4.VERSION;
    }

    static String hash(float[][] params) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (float[] p : params) {
                ByteBuffer b = ByteBuffer.allocate(p.length * 4);
                for (float v : p) {
                    b.putFloat(v);
                }
                sha.update(b.array());
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** DJL's own parameter file of the kept parameters (Block.saveParameters). */
    private static byte[] engineParameters(Model model, float[][] best, SequentialBlock net) {
        int i = 0;
        for (Pair<String, Parameter> p : net.getParameters()) {
            p.getValue().getArray().set(best[i++]);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            net.saveParameters(out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write DJL's parameters: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }
}
