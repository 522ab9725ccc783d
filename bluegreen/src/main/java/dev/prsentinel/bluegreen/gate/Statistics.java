package dev.prsentinel.bluegreen.gate;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/** The quality gate's statistics, on plain arrays so their answers can be checked by hand. */
public final class Statistics {

    /** A bin's share is never taken as below this, so an empty bin costs a large but finite PSI term. */
    static final double PSI_FLOOR = 1e-4;

    private Statistics() {
    }

    /**
     * The two-sample Kolmogorov-Smirnov statistic: the largest gap between the two empirical
     * distribution functions, 0 for identical samples, 1 for samples that do not overlap.
     */
    public static double ks(double[] a, double[] b) {
        if (a.length == 0 || b.length == 0) {
            throw new IllegalArgumentException("KS needs two non-empty samples (" + a.length + ", " + b.length + ")");
        }
        double[] x = a.clone();
        double[] y = b.clone();
        Arrays.sort(x);
        Arrays.sort(y);
        int i = 0;
        int j = 0;
        double d = 0;
        while (i < x.length && j < y.length) {
            double v = Math.min(x[i], y[j]);
            while (i < x.length && x[i] == v) {
                i++;
            }
            while (j < y.length && y[j] == v) {
                j++;
            }
            d = Math.max(d, Math.abs((double) i / x.length - (double) j / y.length));
        }
        return d;
    }

    /**
     * The population stability index of {@code actual} against {@code expected}: bins at
     * {@code expected}'s quantiles (ties merged; the last bin open above), then sum of (a - e) ln(
             a / e) over the bins' shares.
     * Below 0.1 is read as no shift, 0.1 to 0.25 as a moderate one, above 0.25 as a large one. Where
     * blue's values tie, bins merge and PSI goes blind inside them (a constant blue has one bin);
     * the gate's KS statistic sees such shifts, which is why the gate uses both.
     */
    public static double psi(double[] expected, double[] actual, int bins) {
        if (expected.length == 0 || actual.length == 0 || bins < 2) {
            throw new IllegalArgumentException("PSI needs two non-empty samples and at least two bins");
        }
        double[] sorted = expected.clone();
        Arrays.sort(sorted);
        double[] edges = new double[bins - 1];
        int n = 0;
        for (int k = 1; k < bins; k++) {
            double edge = sorted[(int) Math.min(sorted.length - 1, Math.floor((double) k * sorted.length / bins))];
            if (n == 0 || edge > edges[n - 1]) {
                edges[n++] = edge;
            }
        }
        edges = Arrays.copyOf(edges, n);
        double[] e = shares(expected, edges);
        double[] a = shares(actual, edges);
        double psi = 0;
        for (int k = 0; k < e.length; k++) {
            double ek = Math.max(e[k], PSI_FLOOR);
            double ak = Math.max(a[k], PSI_FLOOR);
            psi += (ak - ek) * Math.log(ak / ek);
        }
        return psi;
    }

    /** Shares of values per bin; bin k holds values below edges[k] (and at or above edges[k-1]). */
    private static double[] shares(double[] values, double[] edges) {
        double[] counts = new double[edges.length + 1];
        for (double v : values) {
            int k = Arrays.binarySearch(edges, v);
            // At an edge: the bin above it (bins are [edge[k-1], edge[k])).
            int bin = k >= 0 ? k + 1 : -k - 1;
            counts[bin]++;
        }
        for (int k = 0; k < counts.length; k++) {
            counts[k] /= values.length;
        }
        return counts;
    }

    /** |A n B| / |A u B|; 1 when both are empty (they agree: nothing is flagged). */
    public static double jaccard(Set<String> a, Set<String> b) {
        Set<String> union = new HashSet<>(a);
        union.addAll(b);
        if (union.isEmpty()) {
            return 1.0;
        }
        Set<String> both = new HashSet<>(a);
        both.retainAll(b);
        return (double) both.size() / union.size();
    }
}
