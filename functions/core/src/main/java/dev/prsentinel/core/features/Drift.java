package dev.prsentinel.core.features;

import java.util.List;

/**
 * Population stability index between a feature's statistics in the training set and in a newer
 * set: PSI = sum over bins of (p_new - p_ref) * ln(p_new / p_ref), with the reference's bin edges
 * applied to both. Common reading: below 0.1 stable, 0.1 to 0.25 a shift, above 0.25 a large one.
 */
public final class Drift {

    /** Empty bins would make the logarithm infinite; each share is floored at this. */
    static final double EPSILON = 1e-4;

    private Drift() {
    }

    /**
     * PSI of {@code current} against {@code reference}. The current histogram must use the
     * reference's edges: recount it with {@link #recount} first when its own edges differ.
     */
    public static double psi(List<? extends Number> reference, List<? extends Number> current) {
        if (reference.size() != current.size()) {
            throw new IllegalArgumentException("histograms differ in bins: " + reference.size() + " and "
                    + current.size());
        }
        double refTotal = reference.stream().mapToDouble(Number::doubleValue).sum();
        double curTotal = current.stream().mapToDouble(Number::doubleValue).sum();
        if (refTotal == 0 || curTotal == 0) {
            return 0;
        }
        double psi = 0;
        for (int i = 0; i < reference.size(); i++) {
            double p = Math.max(EPSILON, reference.get(i).doubleValue() / refTotal);
            double q = Math.max(EPSILON, current.get(i).doubleValue() / curTotal);
            psi += (q - p) * Math.log(q / p);
        }
        return psi;
    }

    /** Counts values into the reference's bins (the outer bins take what falls outside). */
    public static List<Long> recount(List<Double> referenceEdges, double[] values) {
        double[] edges = referenceEdges.stream().mapToDouble(Double::doubleValue).toArray();
        long[] counts = new long[Math.max(0, edges.length - 1)];
        if (counts.length == 0) {
            return List.of();
        }
        for (double v : values) {
            if (!Double.isNaN(v)) {
                counts[FeatureStatistics.bin(edges, v)]++;
            }
        }
        return java.util.Arrays.stream(counts).boxed().toList();
    }
}
