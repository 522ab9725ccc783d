package dev.prsentinel.core.anomaly;

import dev.prsentinel.core.features.Feature;
import dev.prsentinel.core.features.FeatureGroup;
import dev.prsentinel.core.features.FeatureSpec;
import dev.prsentinel.core.features.RobustScaler;
import dev.prsentinel.core.model.PullRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Scores PRs with a model package and explains each score: the plain-Java forward pass the score
 * function serves (no DJL). The score is {@link Detector}'s: the mean squared reconstruction error
 * of the scaled features for a package scored by the autoencoder alone, and the larger of the two
 * detectors' ratios to their cuts for one with a tail detector beside it. Above the package's
 * threshold a PR is anomalous. The explanation names the detector whose ratio is the larger, and
 * splits that detector's evidence by feature: squared reconstruction errors for the autoencoder,
 * squared z-scores of the tail features for the tail detector, or each feature's squared ratio to its
 * own training extreme when that reading leads the tail. It gives the features with the largest
 * shares, with their raw value and the training rows' typical range (5th to 95th percentile), and
 * the category, the feature group holding the largest share ({@code normal} below the threshold).
 * Thread-safe: each call uses its own buffers.
 */
public final class Scorer {

    /**
     * The category of a PR whose error is beyond what a double holds (an input far outside anything
     * the model saw): anomalous, never "normal", with a null score in the answer.
     */
    public static final String OUT_OF_RANGE = "out_of_range";
    /** The category of a PR below the threshold. */
    public static final String NORMAL = "normal";

    private final ModelPackage model;
    private final Detector detector;
    private final Autoencoder autoencoder;
    private final RobustScaler scaler;
    private final FeatureSpec spec;
    private final int width;
    private final int[] groupOf;
    private final String[] names;
    private final String[] groupNames;

    public Scorer(ModelPackage model) {
        this.model = model;
        this.detector = new Detector(model);
        this.autoencoder = model.autoencoder();
        this.scaler = model.scaler();
        this.spec = model.spec();
        this.width = spec.size();
        this.groupOf = new int[width];
        this.names = new String[width];
        this.groupNames = new String[width];
        for (int j = 0; j < width; j++) {
            Feature f = spec.features().get(j);
            groupOf[j] = f.group().ordinal();
            names[j] = f.name();
            groupNames[j] = f.group().wireName();
        }
    }

    public ModelPackage model() {
        return model;
    }

    /**
     * One feature's part in a score.
     *
     * @param feature     its name
     * @param group       its group (wire name)
     * @param value       its raw value for this PR (NaN when the input was missing)
     * @param typicalLow  the training rows' 5th percentile
     * @param typicalHigh their 95th percentile
     * @param error       its term in the leading detector's evidence: its squared reconstruction error, or
     *                    for the tail detector its squared robust z-score (or its squared ratio to its own
     *                    extreme, when that reading leads)
     * @param share       its share of that detector's total
     */
    public record Contribution(String feature, String group, double value, double typicalLow, double typicalHigh,
            double error, double share) {
    }

    /**
     * A score and its explanation.
     *
     * @param score     {@link Detector}'s score
     * @param threshold the model's threshold
     * @param anomalous score above threshold
     * @param category  the group dominating the leading detector's evidence, or {@value #NORMAL}
     * @param detector  the detector whose ratio to its cut is the larger ({@value Detector#RECONSTRUCTION}
     *                  or {@value Detector#TAIL}); always the first for a package with the autoencoder alone
     * @param top       the largest contributions, largest first
     */
    public record Score(double score, double threshold, boolean anomalous, String category, String detector,
            List<Contribution> top) {
    }

    /** The score alone: the hot path, one small allocation per call. */
    public double score(double[] rawFeatures) {
        return detector.score(scaled(rawFeatures));
    }

    /** Scores one PR and explains it with the {@code topN} largest contributions. */
    public Score explain(PullRequest pr, int topN) {
        return explain(spec.extract(pr, model.repositories()), topN);
    }

    /** Scores raw features of the model's spec and explains them. */
    public Score explain(double[] raw, int topN) {
        float[] x = scaled(raw);
        double[] errors = new double[width];
        double reconstruction = autoencoder.errors(x, errors);
        Detector.Reading reading = detector.read(reconstruction, x);
        double score = reading.score();
        String leader = reading.leader();
        double[] evidence = Detector.TAIL.equals(leader) ? detector.tailEvidence(x, reading.extremeLeads()) : errors;
        double total = 0;
        double[] byGroup = new double[FeatureGroup.values().length];
        for (int j = 0; j < width; j++) {
            total += evidence[j];
            byGroup[groupOf[j]] += evidence[j];
        }
        // The largest few by selection: topN is small, and this is the hot path of every answer.
        int n = Math.min(topN, width);
        List<Contribution> top = new ArrayList<>(n);
        boolean[] taken = new boolean[width];
        for (int k = 0; k < n; k++) {
            int best = -1;
            for (int j = 0; j < width; j++) {
                if (!taken[j] && (best < 0 || evidence[j] > evidence[best])) {
                    best = j;
                }
            }
            taken[best] = true;
            top.add(new Contribution(names[best], groupNames[best], raw[best], model.typicalLow()[best],
                    model.typicalHigh()[best], evidence[best], total > 0 ? evidence[best] / total : 0));
        }
        if (!Double.isFinite(score)) {
            return new Score(score, model.threshold(), true, OUT_OF_RANGE, leader, List.copyOf(top));
        }
        boolean anomalous = score > model.threshold();
        String category = NORMAL;
        if (anomalous) {
            int best = 0;
            for (int g = 1; g < byGroup.length; g++) {
                if (byGroup[g] > byGroup[best]) {
                    best = g;
                }
            }
            category = FeatureGroup.values()[best].wireName();
        }
        return new Score(score, model.threshold(), anomalous, category, leader, List.copyOf(top));
    }

    /** Robust scaling as training applied it; a missing input becomes the median (0 once scaled). */
    private float[] scaled(double[] raw) {
        if (raw.length != width) {
            throw new IllegalArgumentException("expected " + width + " features, got " + raw.length);
        }
        return scaler.transformToFloat(raw);
    }
}
