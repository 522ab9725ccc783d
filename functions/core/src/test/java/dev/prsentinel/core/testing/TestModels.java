package dev.prsentinel.core.testing;

import dev.prsentinel.core.anomaly.Autoencoder;
import dev.prsentinel.core.anomaly.Detector;
import dev.prsentinel.core.anomaly.ModelPackage;
import dev.prsentinel.core.features.FeatureSpec;
import dev.prsentinel.core.features.FeatureSpecV4;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.features.RepositoryNorms;
import dev.prsentinel.core.features.RobustScaler;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A model package for the score and promoter tests, made without training: seeded random weights in
 * the shipped shape (the current spec's width, then 16-8-16), a scaler fitted on synthetic PRs, and a
 * threshold at the p99 of those PRs' scores, so it flags about 1% of them as a trained model would;
 * from spec v4 on with a tail detector beside the autoencoder, calibrated as the trainer calibrates
 * one ({@link Detector#calibrate}) on 10,000 more PRs of the same generator, enough for the tail's
 * extreme reading at its full p99.99, and its threshold the p99 of their scores.
 * What score does with a package does not depend on how it was trained (train-trigger's tests
 * cover training); this keeps the modules that serve models free of the trainer.
 */
public final class TestModels {

    public static final List<PullRequest> PRS = SyntheticPullRequests.generate(17, 2000, 4, 0.0,
            Instant.parse("2026-11-01T00:00:00Z")).pullRequests();

    private TestModels() {
    }

    /** Generated on first use: most tests never calibrate a v4 package. */
    private static final class Calibration {
        static final List<PullRequest> PRS = SyntheticPullRequests.generate(18, 10_000, 4, 0.0,
                Instant.parse("2026-11-01T00:00:00Z")).pullRequests();
    }

    public static ModelPackage calibrated(long seed) {
        return calibrated(seed, 0.99);
    }

    /**
     * The same with its threshold at another quantile of the synthetic PRs' scores: 0.9 makes a
     * model that flags about 10% of them, as a badly calibrated retrain would.
     */
    public static ModelPackage calibrated(long seed, double thresholdQuantile) {
        return calibrated(FeatureSpecs.CURRENT, seed, thresholdQuantile);
    }

    /** The same on a given spec: an older one is what a model trained before an upgrade carries. */
    public static ModelPackage calibrated(FeatureSpec spec, long seed, double thresholdQuantile) {
        int n = spec.size();
        int[] sizes = {n, 16, 8, 16, n};
        Random random = new Random(seed);
        List<ModelPackage.Layer> layers = new ArrayList<>();
        for (int l = 0; l + 1 < sizes.length; l++) {
            float[] w = new float[sizes[l] * sizes[l + 1]];
            float[] b = new float[sizes[l + 1]];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (random.nextGaussian() * 0.3);
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) (random.nextGaussian() * 0.1);
            }
            layers.add(new ModelPackage.Layer(sizes[l], sizes[l + 1], l + 2 < sizes.length ? "relu" : "linear", w, b));
        }
        RepositoryNorms norms = spec.fitNorms(PRS);
        double[][] raw = PRS.stream().map(pr -> spec.extract(pr, norms)).toArray(double[][]::new);
        RobustScaler scaler = RobustScaler.fit(spec, raw);
        Autoencoder ae = ModelPackage.Layer.autoencoder(layers);
        double[] scores = new double[raw.length];
        double[] errors = new double[n];
        double[] errorMean = new double[n];
        for (int i = 0; i < raw.length; i++) {
            scores[i] = ae.errors(scaler.transformToFloat(raw[i]), errors);
            for (int j = 0; j < n; j++) {
                errorMean[j] += errors[j] / raw.length;
            }
        }
        ModelPackage.Detectors detectors = null;
        if (spec.version() >= FeatureSpecV4.VERSION) {
            // As train-trigger calibrates one, on as many rows as a trained model with the tail's
            // extreme reading has; the same rows stand for training and validation.
            float[][] many = Calibration.PRS.stream().map(pr -> scaler.transformToFloat(spec.extract(pr, norms)))
                    .toArray(float[][]::new);
            Detector.Calibration calibration = Detector.calibrate(spec, many, many, ae.scores(many),
                    Detector.Budgets.SHIPPED);
            detectors = calibration.detectors();
            scores = calibration.validationScores();
        }
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        double[] low = new double[n];
        double[] high = new double[n];
        for (int j = 0; j < n; j++) {
            final int col = j;
            double[] values = Arrays.stream(raw).mapToDouble(r -> r[col]).filter(v -> !Double.isNaN(v)).sorted()
                    .toArray();
            low[j] = values[(int) (values.length * 0.05)];
            high[j] = values[(int) (values.length * 0.95)];
        }
        return new ModelPackage(ModelPackage.FORMAT, spec.version(), spec.names(), layers, scaler.center(),
                scaler.scale(),
                sorted[(int) (sorted.length * thresholdQuantile)], (int) Math.round(100 * thresholdQuantile),
                errorMean, errorMean, low, high, Map.of("seed", seed), norms, detectors);
    }
}
