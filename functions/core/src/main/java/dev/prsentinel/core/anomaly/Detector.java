package dev.prsentinel.core.anomaly;

import dev.prsentinel.core.features.Feature;
import dev.prsentinel.core.features.FeatureSpec;
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
 *       stamps caught by the autoencoder, 74-76% with the tail beside it (benchmarks/RESULTS.md).</li>
 * </ul>
 * The score is the larger of the two ratios: "how far past its own line", comparable across
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

    public Detector(ModelPackage model) {
        this.model = model;
        this.autoencoder = model.autoencoder();
        this.width = autoencoder.inputs();
        ModelPackage.Detectors detectors = model.detectors();
        this.tail = detectors == null ? new int[0]
                : detectors.tailFeatures().stream().mapToInt(model.features()::indexOf).toArray();
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
        return combine(autoencoder.errors(x, errors), tailZ(x));
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

    /** The score from its parts: the larger of the two ratios to their cuts, or the error alone without a tail. */
    double combine(double reconstruction, double z) {
        if (!hasTail()) {
            return reconstruction;
        }
        ModelPackage.Detectors d = model.detectors();
        return Math.max(reconstruction / d.reconstructionCut(), z / d.tailCut());
    }

    /** Which detector a score with these parts came from; always the autoencoder without a tail. */
    String leader(double reconstruction, double z) {
        ModelPackage.Detectors d = model.detectors();
        return !hasTail() || reconstruction / d.reconstructionCut() >= z / d.tailCut() ? RECONSTRUCTION : TAIL;
    }

    /** The largest absolute scaled value among the tail features; 0 without a tail detector. */
    public double tailZ(float[] x) {
        return tailZ(x, tail);
    }

    /** The largest absolute scaled value of {@code x} at those indices: the tail z-score before a package exists. */
    public static double tailZ(float[] x, int[] tail) {
        double max = 0;
        for (int j : tail) {
            max = Math.max(max, Math.abs(x[j]));
        }
        return max;
    }

    /** The tail detector's evidence for a scaled row: each tail feature's squared z-score, 0 elsewhere. */
    double[] tailEvidence(float[] x) {
        double[] evidence = new double[width];
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
