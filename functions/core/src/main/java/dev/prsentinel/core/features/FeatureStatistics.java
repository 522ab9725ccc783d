package dev.prsentinel.core.features;

import java.util.Arrays;
import java.util.List;

/**
 * Statistics of one feature over a feature set, stored with it and compared later for drift
 * (population stability index against the training set needs the same bins on both sides, hence
 * the explicit bin edges).
 *
 * @param name           the feature
 * @param count          rows with a value
 * @param missing        rows without one (NaN)
 * @param mean           mean of the values
 * @param std            sample standard deviation
 * @param quantileLevels levels of {@code quantiles}
 * @param quantiles      quantiles of the values at those levels
 * @param binEdges       histogram edges, ascending; values outside fall into the first or last bin
 * @param binCounts      counts per bin (one fewer than the edges)
 */
public record FeatureStatistics(String name, long count, long missing, double mean, double std,
        List<Double> quantileLevels, List<Double> quantiles, List<Double> binEdges, List<Long> binCounts) {

    public static final List<Double> LEVELS = List.of(0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0);
    public static final int BINS = 20;

    /** Computes the statistics of column {@code j} of raw feature rows. */
    public static FeatureStatistics of(String name, double[][] rows, int j) {
        double[] values = Quantiles.column(rows, j);
        int n = values.length;
        double mean = 0;
        for (double v : values) {
            mean += v;
        }
        mean = n == 0 ? Double.NaN : mean / n;
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        double std = n < 2 ? Double.NaN : Math.sqrt(ss / (n - 1));
        double[] q = new double[LEVELS.size()];
        for (int k = 0; k < q.length; k++) {
            q[k] = Quantiles.sorted(values, LEVELS.get(k));
        }
        double[] edges = edges(values);
        long[] counts = new long[Math.max(0, edges.length - 1)];
        for (double v : values) {
            counts[bin(edges, v)]++;
        }
        return new FeatureStatistics(name, n, rows.length - n, mean, std, LEVELS, box(q), box(edges),
                Arrays.stream(counts).boxed().toList());
    }

    /** {@link #BINS} equal-width bins between the smallest and largest value; one bin for a constant. */
    private static double[] edges(double[] sorted) {
        if (sorted.length == 0) {
            return new double[0];
        }
        double lo = sorted[0];
        double hi = sorted[sorted.length - 1];
        if (hi <= lo) {
            return new double[] {lo, lo};
        }
        double[] e = new double[BINS + 1];
        for (int k = 0; k <= BINS; k++) {
            e[k] = lo + (hi - lo) * k / BINS;
        }
        return e;
    }

    /** The bin of a value; values below the first edge go to bin 0, above the last to the last bin. */
    public static int bin(double[] edges, double v) {
        int bins = edges.length - 1;
        for (int k = 1; k < bins; k++) {
            if (v < edges[k]) {
                return k - 1;
            }
        }
        return bins - 1;
    }

    private static List<Double> box(double[] a) {
        return Arrays.stream(a).boxed().toList();
    }
}
