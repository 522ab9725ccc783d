package dev.prsentinel.core.features;

import java.util.Arrays;

/**
 * Scaling fitted on the training window and stored with the feature set, so serving applies
 * exactly the statistics of training: (x - median) / IQR per feature.
 *
 * <p>Why robust rather than standard: the counts are heavy-tailed even after log1p, and the
 * training window contains the very anomalies the model must find; a mean and standard deviation
 * would be dragged by them, a median and interquartile range are not. A feature whose IQR is 0
 * (a 0/1 flag that is almost always 0, or a constant) is scaled by its standard deviation instead,
 * and by 1 when that is 0 too, so a rare 1 stays visible instead of dividing by zero.
 *
 * <p>Missing values (NaN) are imputed with the training median, i.e. scaled to exactly 0; the
 * spec's missing-indicator features carry the fact that they were missing.
 *
 * @param specVersion the feature spec the scaler was fitted for
 * @param center      per-feature median of the training rows (NaN ignored)
 * @param scale       per-feature IQR (or the fallback above), never 0
 */
public record RobustScaler(int specVersion, double[] center, double[] scale) {

    public RobustScaler {
        if (center.length != scale.length) {
            throw new IllegalArgumentException("center and scale differ in length");
        }
        for (double s : scale) {
            if (!(s > 0) || Double.isInfinite(s)) {
                throw new IllegalArgumentException("scales must be positive and finite, got " + s);
            }
        }
        center = center.clone();
        scale = scale.clone();
    }

    /** Fits on raw feature rows (as {@link FeatureSpecV1#extract} writes them). */
    public static RobustScaler fit(int specVersion, double[][] rows) {
        int width = rows.length == 0 ? 0 : rows[0].length;
        double[] center = new double[width];
        double[] scale = new double[width];
        double[] column = new double[rows.length];
        for (int j = 0; j < width; j++) {
            int n = 0;
            for (double[] row : rows) {
                if (!Double.isNaN(row[j])) {
                    column[n++] = row[j];
                }
            }
            double[] values = Arrays.copyOf(column, n);
            Arrays.sort(values);
            center[j] = n == 0 ? 0 : Quantiles.sorted(values, 0.5);
            double iqr = n == 0 ? 0 : Quantiles.sorted(values, 0.75) - Quantiles.sorted(values, 0.25);
            scale[j] = iqr > 0 ? iqr : fallbackScale(values);
        }
        return new RobustScaler(specVersion, center, scale);
    }

    private static double fallbackScale(double[] values) {
        if (values.length < 2) {
            return 1;
        }
        double mean = Arrays.stream(values).average().orElse(0);
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(ss / (values.length - 1));
        return sd > 0 ? sd : 1;
    }

    /** Scales a raw row into {@code out}; NaN becomes 0 (the training median). */
    public void transform(double[] raw, double[] out) {
        for (int j = 0; j < raw.length; j++) {
            out[j] = Double.isNaN(raw[j]) ? 0 : (raw[j] - center[j]) / scale[j];
        }
    }

    public double[] transform(double[] raw) {
        double[] out = new double[raw.length];
        transform(raw, out);
        return out;
    }

    /**
     * A raw row scaled, in the float precision the model works in (training and serving both feed
     * these): the same arithmetic as {@link #transform}, rounded to float at the end.
     */
    public float[] transformToFloat(double[] raw) {
        float[] out = new float[raw.length];
        for (int j = 0; j < raw.length; j++) {
            out[j] = Double.isNaN(raw[j]) ? 0f : (float) ((raw[j] - center[j]) / scale[j]);
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RobustScaler r && r.specVersion == specVersion && Arrays.equals(r.center, center)
                && Arrays.equals(r.scale, scale);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * specVersion + Arrays.hashCode(center)) + Arrays.hashCode(scale);
    }

    @Override
    public String toString() {
        return "RobustScaler[v" + specVersion + ", center=" + Arrays.toString(center) + ", scale="
                + Arrays.toString(scale) + "]";
    }
}
