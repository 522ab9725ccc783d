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
 * <p>Architecture n-16-8-16-n for a spec of n features (48 under spec v4), n-16-4-16-n under
 * {@link #WIDE_MIN_ROWS} training rows, ReLU between layers,
 * linear output (scaled features are signed): the inputs include one-hot and indicator columns and
 * features derived from one another, so their effective dimension is well below n; a narrow
 * bottleneck forces the net to learn the common structure, so that PRs unlike it reconstruct badly.
 * How narrow depends on what reads beside it. While the autoencoder was the whole model (through
 * spec v3) a bottleneck of 8 passed the single-feature extremes through (recall on injected commit
 * storms 55%, rubber stamps 0.4%), so it was 4. From spec v4 on the tail detector reads those
 * extremes, and the autoencoder's job is what is unusual in combination: measured on pullreqs over
 * three seeds (benchmarks/RESULTS.md), 8 catches 93-94% of many files with almost no churn where 4
 * caught 71-75%, 87.2-87.4% of all kinds against 84.4-84.9%, at the same ROC-AUC and flagged share;
 * 10 and 12 were no better on the full data and flagged more on a few thousand rows, 3 and 6 worse.
 * On the demo's 1,600 rows, though, 8 passed commit storms and comment floods through again at two
 * of three seeds (8 of 23 injected PRs caught, against 14-17 with 4), so fewer rows keep 4.
 * Two layers each side are enough for a few hundred thousand rows and keep plain-Java scoring at
 * microseconds. MSE loss, Adam, minibatches, early stopping on the validation loss (the best
 * epoch's parameters are kept). With the same rows and seed, DJL's seeded engine gives the same
 * parameters bit for bit.
 *
 * <p>From spec v4 on a tail detector reads beside the autoencoder ({@link Detector}): the largest
 * robust z-score of the measured features. Each detector's cut, and then the anomaly threshold on
 * the larger of their ratios, is a percentile of the validation rows' scores, never of the training
 * rows, computed with the same plain-Java forward pass the score function runs; so are the
 * per-feature error statistics kept for explanations. Specs before v4 train the autoencoder alone,
 * its threshold a percentile of the validation errors.
 */
public final class AutoencoderTrainer {

    /** The layer widths between input and output, from {@link #WIDE_MIN_ROWS} training rows on. */
    public static final List<Integer> HIDDEN = List.of(16, 8, 16);

    /** The layer widths under {@link #WIDE_MIN_ROWS} training rows: the narrower bottleneck of spec v3's models. */
    public static final List<Integer> HIDDEN_FEW_ROWS = List.of(16, 4, 16);

    /** The fewest training rows the wider bottleneck is trained on (see the class comment for why). */
    public static final int WIDE_MIN_ROWS = 10_000;

    /** The shipped layer widths for this many training rows. */
    public static List<Integer> hiddenFor(int trainRows) {
        return trainRows >= WIDE_MIN_ROWS ? HIDDEN : HIDDEN_FEW_ROWS;
    }

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
     * @param hidden              the layer widths between input and output; null for the shipped ones
     *                            for the training's rows ({@link #hiddenFor})
     */
    public record Settings(float learningRate, int batchSize, int maxEpochs, int patience, long seed,
            double thresholdPercentile, double reconstructionPercentile, double tailPercentile,
            double extremePercentile, List<Integer> hidden) {

        public Settings {
            if (hidden != null && (hidden.isEmpty() || hidden.stream().anyMatch(units -> units < 1))) {
                throw new IllegalArgumentException("hidden layer widths must be positive, got " + hidden);
            }
            hidden = hidden == null ? null : List.copyOf(hidden);
        }

        /** Settings with the shipped layer widths for the training's rows ({@link #hiddenFor}). */
        public Settings(float learningRate, int batchSize, int maxEpochs, int patience, long seed,
                double thresholdPercentile, double reconstructionPercentile, double tailPercentile,
                double extremePercentile) {
            this(learningRate, batchSize, maxEpochs, patience, seed, thresholdPercentile, reconstructionPercentile,
                    tailPercentile, extremePercentile, null);
        }

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
                    Double.NaN, Double.NaN, hidden);
        }

        /** The same settings with other layer widths between input and output. */
        public Settings withHidden(List<Integer> widths) {
            return new Settings(learningRate, batchSize, maxEpochs, patience, seed, thresholdPercentile,
                    reconstructionPercentile, tailPercentile, extremePercentile, widths);
        }

        /** The layer widths between input and output a training on {@code trainRows} rows uses. */
        public List<Integer> hiddenFor(int trainRows) {
            return hidden != null ? hidden : AutoencoderTrainer.hiddenFor(trainRows);
        }

        /**
         * The layers' widths from input to output for a spec of {@code width} features trained on
         * {@code trainRows} rows, as "48-16-8-16-48".
         */
        public String layers(int width, int trainRows) {
            StringBuilder out = new StringBuilder().append(width);
            hiddenFor(trainRows).forEach(units -> out.append('-').append(units));
            return out.append('-').append(width).toString();
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
        for (int units : settings.hiddenFor(train.length)) {
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
        List<Integer> hidden = settings.hiddenFor(train.length);
        int[] sizes = new int[hidden.size() + 2];
        sizes[0] = spec.size();
        for (int l = 0; l < hidden.size(); l++) {
            sizes[l + 1] = hidden.get(l);
        }
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
