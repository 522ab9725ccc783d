package dev.prsentinel.core.features;

/** Quantiles of sorted data, linearly interpolated (the R-7 / numpy "linear" definition). */
public final class Quantiles {

    private Quantiles() {
    }

    /** The {@code p} quantile (0 to 1) of ascending {@code values}; NaN when there are none. */
    public static double sorted(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double h = (values.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, values.length - 1);
        return values[lo] + (h - lo) * (values[hi] - values[lo]);
    }

    /**
     * The {@code p} percentile (0 to 100) of {@code values} in any order, as {@link #sorted}; 0 when
     * there are none, which the callers' cuts and thresholds floor to a positive value.
     */
    public static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return 0;
        }
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted(sorted, p / 100);
    }

    /** Column {@code j} of raw feature rows without its missing values (NaN), ascending. */
    public static double[] column(double[][] rows, int j) {
        double[] values = new double[rows.length];
        int n = 0;
        for (double[] row : rows) {
            if (!Double.isNaN(row[j])) {
                values[n++] = row[j];
            }
        }
        values = java.util.Arrays.copyOf(values, n);
        java.util.Arrays.sort(values);
        return values;
    }
}
