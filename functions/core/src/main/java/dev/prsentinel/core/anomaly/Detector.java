package dev.prsentinel.core.anomaly;

import dev.prsentinel.core.features.Feature;
import dev.prsentinel.core.features.FeatureSpec;
import dev.prsentinel.core.features.Quantiles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A model package's anomaly score over scaled rows, as training calibrates it and score serves it.
 *
 * <p>A package without {@link ModelPackage.Detectors} (every model before spec v4) is the
 * autoencoder alone: the score is the mean squared reconstruction error. A package with them is
 * read by two detectors, each with its own flag budget:
 * <ul>
 *   <li>the autoencoder's reconstruction error, divided by its cut (a percentile of the validation
 *       errors), which catches what is unusual in combination;</li>
 *   <li>the largest robust z-score among the tail features, divided by its cut, which catches what
 *       is extreme on one measured quantity. The autoencoder reconstructs a derived feature (lines
 *       per merge minute) from the inputs it derives from, so its error stays low on a rubber stamp
 *       whose speed alone is far outside anything normal: measured on pullreqs, 15-22% of rubber
 *       stamps caught by the autoencoder, 74-76% with the tail beside it (benchmarks/RESULTS.md).
 *       From the extreme reading on ({@link ModelPackage.Extreme}), the tail also reads each feature
 *       against its own training extreme, with a budget of its own. A z-score cut alone is set by the
 *       heavy-tailed counts (32 on pullreqs), while how long a PR has been open, a quantity whose
 *       spread is wide, reaches a |z| of 1.9 at the training rows' p99.99: 12-13% of PRs left open for
 *       years caught without that reading, 81% with it.</li>
 * </ul>
 * The score is the largest of the ratios: "how far past its own line", comparable across
 * detectors. The package's threshold is a percentile of that score on the validation rows.
 * Thread-safe: each call uses its own buffers.
 */
public final class Detector {

    /** The detector that judges by reconstruction error. */
    public static final String RECONSTRUCTION = "reconstruction";
    /** The detector that judges by the largest single-feature z-score. */
    public static final String TAIL = "tail";

    private final ModelPackage model;
    private final Autoencoder autoencoder;
    private final int width;
    private final int[] tail;
    private final int[] extreme;
    private final double[] extremeScales;

    public Detector(ModelPackage model) {
        this.model = model;
        this.autoencoder = model.autoencoder();
        this.width = autoencoder.inputs();
        ModelPackage.Detectors detectors = model.detectors();
        this.tail = detectors == null ? new int[0] : indices(model.features(), detectors.tailFeatures());
        ModelPackage.Extreme e = detectors == null ? null : detectors.extreme();
        this.extreme = e == null ? new int[0] : indices(model.features(), e.features());
        this.extremeScales = e == null ? new double[0] : e.scales().stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static int[] indices(List<String> features, List<String> names) {
        return names.stream().mapToInt(features::indexOf).toArray();
    }

    /**
     * The detectors' cuts fitted on a model's rows, and the combined scores of its validation rows,
     * whose percentile becomes the package's threshold. Train-trigger calibrates every package with
     * it, and the test fixtures theirs, so the two cannot drift apart.
     *
     * @param train            scaled training rows: each feature's own extreme is read on them, when
     *                         there are enough of them ({@link Budgets#readsExtremes}), at the
     *                         quantile they resolve ({@link Budgets#quantileFor})
     * @param validation       scaled validation rows: each detector's cut is a percentile of their scores
     * @param validationErrors the autoencoder's reconstruction error of each validation row
     */
    public static Calibration calibrate(FeatureSpec spec, float[][] train, float[][] validation,
            double[] validationErrors, Budgets budgets) {
        List<String> tailFeatures = tailFeatures(spec);
        int[] tail = indices(spec.names(), tailFeatures);
        double[] z = new double[validation.length];
        for (int r = 0; r < validation.length; r++) {
            z[r] = tailZ(validation[r], tail);
        }
        ModelPackage.Extreme extreme = null;
        List<String> varied = new ArrayList<>();
        List<Double> scales = new ArrayList<>();
        double quantile = Double.NaN;
        if (budgets.readsExtremes(train.length)) {
            quantile = budgets.quantileFor(train.length);
            double[] column = new double[train.length];
            for (int t = 0; t < tail.length; t++) {
                for (int r = 0; r < train.length; r++) {
                    column[r] = Math.abs(train[r][tail[t]]);
                }
                Arrays.sort(column);
                double at = Quantiles.sorted(column, quantile);
                // A feature the training rows never moved says nothing about its extremes.
                if (at > 0) {
                    varied.add(tailFeatures.get(t));
                    scales.add(Math.max(1, at));
                }
            }
        }
        double[] e = new double[validation.length];
        if (!varied.isEmpty()) {
            int[] read = indices(spec.names(), varied);
            double[] s = scales.stream().mapToDouble(Double::doubleValue).toArray();
            for (int r = 0; r < validation.length; r++) {
                e[r] = extremeRatio(validation[r], read, s);
            }
            extreme = new ModelPackage.Extreme(varied, scales, quantile,
                    positive(Quantiles.percentile(e, budgets.extremePercentile())), budgets.extremePercentile());
        }
        ModelPackage.Detectors detectors = new ModelPackage.Detectors(tailFeatures,
                positive(Quantiles.percentile(validationErrors, budgets.reconstructionPercentile())),
                budgets.reconstructionPercentile(), positive(Quantiles.percentile(z, budgets.tailPercentile())),
                budgets.tailPercentile(), extreme);
        double[] scores = new double[validation.length];
        for (int r = 0; r < validation.length; r++) {
            scores[r] = reading(detectors, validationErrors[r], z[r], e[r]).score();
        }
        return new Calibration(detectors, scores);
    }

    /**
     * Each detector's budget: the percentile of the validation rows its cut is taken at, and for the
     * extreme reading the quantile of the training rows that is each feature's own extreme. A NaN
     * extreme percentile calibrates a tail that reads z alone.
     */
    public record Budgets(double reconstructionPercentile, double tailPercentile, double extremePercentile,
            double extremeQuantile) {

        /**
         * The budgets measured on pullreqs (benchmarks/RESULTS.md): the autoencoder's cut at the
         * validation p99.4, the tail z's at p99.8, each feature's extreme (its training p99.99) at
         * p99.85, and the threshold on the largest ratio at p99, so about 1% of normal PRs are
         * flagged, most of them by the autoencoder.
         */
        public static final Budgets SHIPPED = new Budgets(99.4, 99.8, 99.85, 0.9999);

        /**
         * The fewest training rows the extreme reading is fitted on. Trained on the demo's first 400
         * rows with the reading, a model flagged 15 of its 50 held-out rows, and train-trigger's gate
         * refused it. From 1,000 rows on it was measured on real PRs (benchmarks/RESULTS.md).
         */
        public static final int EXTREME_MIN_ROWS = 1_000;

        /** Whether a model trained on {@code trainRows} rows reads each feature against its own extreme. */
        public boolean readsExtremes(int trainRows) {
            return !Double.isNaN(extremePercentile) && trainRows >= EXTREME_MIN_ROWS;
        }

        /**
         * The quantile each feature's own extreme is read at, for {@code trainRows} training rows: the
         * budget's, or where fewer rows cannot resolve it, 1 - 1 / rows, the highest they can. On
         * pullreqs with 1,000 to 8,000 training rows that reading caught 84-89% of all kinds, where z
         * alone caught 39-71%; from 10,000 rows on it is the budget's p99.99, as before.
         */
        public double quantileFor(int trainRows) {
            // Compared in rows, so that 10,000 rows give the budget's own 0.9999, not a neighbour of it.
            return trainRows >= Math.round(1 / (1 - extremeQuantile)) ? extremeQuantile : 1 - 1.0 / trainRows;
        }
    }

    /**
     * What {@link #calibrate} fitted.
     *
     * @param detectors        the package's detectors
     * @param validationScores the combined score of each validation row
     */
    public record Calibration(ModelPackage.Detectors detectors, double[] validationScores) {
    }

    private static double positive(double cut) {
        return Math.max(cut, Double.MIN_NORMAL);
    }

    /**
     * The features a tail detector reads in a spec: the measured quantities (robust scaling), not the
     * 0/1 flags, so that no single rare flag can flag a PR on its own; and not a repository's own
     * center ({@code repo_<base>}), which describes the repository rather than the PR, and would flag
     * every PR of an unusual repository.
     */
    public static List<String> tailFeatures(FeatureSpec spec) {
        Set<String> descriptors = spec.normed().stream().map(b -> "repo_" + b).collect(Collectors.toSet());
        return spec.features().stream().filter(f -> f.scaling() == Feature.Scaling.ROBUST)
                .map(Feature::name).filter(name -> !descriptors.contains(name)).toList();
    }

    public ModelPackage model() {
        return model;
    }

    /** Whether a second detector reads the tails beside the autoencoder. */
    public boolean hasTail() {
        return tail.length > 0;
    }

    /** The score of a scaled row; {@code errors} receives the per-feature squared reconstruction errors. */
    public double score(float[] x, double[] errors) {
        return combine(autoencoder.errors(x, errors), x);
    }

    /** The score of a scaled row. */
    public double score(float[] x) {
        return score(x, new double[width]);
    }

    /** The scores of scaled rows. */
    public double[] scores(float[][] rows) {
        double[] errors = new double[width];
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = score(rows[i], errors);
        }
        return out;
    }

    /** A row's score from its reconstruction error: the largest ratio to a cut, or the error alone without a tail. */
    public double combine(double reconstruction, float[] x) {
        return read(reconstruction, x).score();
    }

    /**
     * A row read once by every detector: its score, the detector that leads it, and whether the
     * tail's extreme reading leads the tail (which evidence explains it).
     */
    record Reading(double score, String leader, boolean extremeLeads) {
    }

    /** Reads a row with this reconstruction error; without a tail, the error alone leads. */
    Reading read(double reconstruction, float[] x) {
        if (!hasTail()) {
            return new Reading(reconstruction, RECONSTRUCTION, false);
        }
        return reading(model.detectors(), reconstruction, tailZ(x), extremeRatio(x));
    }

    /**
     * The readings of a row (its reconstruction error, largest tail z and largest extreme ratio) against
     * the cuts: one formula for the calibration, which has them precomputed, and for scoring.
     */
    private static Reading reading(ModelPackage.Detectors d, double reconstruction, double z, double extreme) {
        double r = reconstruction / d.reconstructionCut();
        double zPart = z / d.tailCut();
        double e = extremePart(d, extreme);
        double tailPart = Math.max(zPart, e);
        return new Reading(Math.max(r, tailPart), r >= tailPart ? RECONSTRUCTION : TAIL, e > zPart);
    }

    /**
     * The extreme reading's part of the score: its ratio to its cut once past it, else nothing. A
     * feature near its own training extreme is ordinary, and many features are near theirs: counted
     * below its cut, the reading outranked every anomaly the other detectors half-see (ROC-AUC 0.963
     * on pullreqs, against 0.986 counted past its cut only; benchmarks/RESULTS.md).
     */
    private static double extremePart(ModelPackage.Detectors d, double extreme) {
        if (d.extreme() == null) {
            return 0;
        }
        double ratio = extreme / d.extreme().cut();
        return ratio >= 1 ? ratio : 0;
    }

    /** Which detector a row with this reconstruction error is scored by; always the autoencoder without a tail. */
    String leader(double reconstruction, float[] x) {
        return read(reconstruction, x).leader();
    }

    /** The largest absolute scaled value among the tail features; 0 without a tail detector. */
    public double tailZ(float[] x) {
        return tailZ(x, tail);
    }

    /** The largest absolute scaled value of {@code x} at those indices. */
    static double tailZ(float[] x, int[] tail) {
        double max = 0;
        for (int j : tail) {
            max = Math.max(max, Math.abs(x[j]));
        }
        return max;
    }

    /** The largest ratio of a tail feature's absolute scaled value to its own extreme; 0 without that reading. */
    public double extremeRatio(float[] x) {
        return extremeRatio(x, extreme, extremeScales);
    }

    private static double extremeRatio(float[] x, int[] features, double[] scales) {
        double max = 0;
        for (int i = 0; i < features.length; i++) {
            max = Math.max(max, Math.abs(x[features[i]]) / scales[i]);
        }
        return max;
    }

    /**
     * The tail detector's evidence for a scaled row, 0 outside the features it reads: each feature's
     * squared ratio to its own extreme when that reading leads ({@link Reading#extremeLeads}), else
     * each tail feature's squared z-score.
     */
    double[] tailEvidence(float[] x, boolean extremeLeads) {
        double[] evidence = new double[width];
        if (extremeLeads) {
            for (int i = 0; i < extreme.length; i++) {
                double r = x[extreme[i]] / extremeScales[i];
                evidence[extreme[i]] = r * r;
            }
            return evidence;
        }
        for (int j : tail) {
            evidence[j] = (double) x[j] * x[j];
        }
        return evidence;
    }

    /** The share of scaled rows scored above the package's threshold. */
    public double flaggedFraction(float[][] rows) {
        long flagged = 0;
        double[] errors = new double[width];
        for (float[] row : rows) {
            if (score(row, errors) > model.threshold()) {
                flagged++;
            }
        }
        return rows.length == 0 ? 0 : (double) flagged / rows.length;
    }
}
