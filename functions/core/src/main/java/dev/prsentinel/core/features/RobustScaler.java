package dev.prsentinel.core.features;

import java.util.Arrays;
import java.util.List;

/**
 * Scaling fitted on the training window and stored with the feature set, so serving applies
 * exactly the statistics of training: (x - median) / IQR per feature.
 *
 * <p>Why robust rather than standard: the counts are heavy-tailed even after log1p, and the
 * training window contains the very anomalies the model must find; a mean and standard deviation
 * would be dragged by them, a median and interquartile range are not. A feature whose IQR is 0
 * (a 0/1 flag that is almost always 0, or a constant) is scaled by its standard deviation instead,
 * and by 1 when that is 0 too, so a rare 1 stays visible instead of dividing by zero. A feature the
 * spec scales as a {@link Feature.Scaling#FLAG} (from spec v2 on) is then held within
 * {@link Feature.Scaling#FLAG_LIMIT} of its median: see {@link FeatureSpecV2} for why. The limits
 * follow from the spec the scaler was fitted for, so a model package needs to store none.
 *
 * <p>Missing values (NaN) are imputed with the training median, i.e. scaled to exactly 0; the
 * spec's missing-indicator features carry the fact that they were missing.
 *
 * @param specVersion the feature spec the scaler was fitted for
 * @param center      per-feature median of the training rows (NaN ignored)
 * @param scale       per-feature IQR (or the fallback above), never 0
 * @param limit       per-feature bound on the scaled value's magnitude (infinite: none)
 */
public record RobustScaler(int specVersion, double[] center, double[] scale, double[] limit) {

    /** A scaler with the limits its spec sets; one of another width than its spec (a test's) has none. */
    public RobustScaler(int specVersion, double[] center, double[] scale) {
        this(specVersion, center, scale, limits(specVersion, center.length));
    }

    public RobustScaler {
        if (center.length != scale.length || limit.length != scale.length) {
            throw new IllegalArgumentException("center, scale and limit differ in length");
        }
        for (double s : scale) {
            if (!(s > 0) || Double.isInfinite(s)) {
                throw new IllegalArgumentException("scales must be positive and finite, got " + s);
            }
        }
        center = center.clone();
        scale = scale.clone();
        limit = limit.clone();
    }

    private static double[] limits(int specVersion, int width) {
        return limits(FeatureSpecs.of(specVersion).filter(spec -> spec.size() == width)
                .map(spec -> spec.features().stream().map(Feature::scaling).toList())
                .orElse(java.util.Collections.nCopies(width, Feature.Scaling.ROBUST)));
    }

    private static double[] limits(List<Feature.Scaling> scalings) {
        return scalings.stream().mapToDouble(s -> s == Feature.Scaling.FLAG ? Feature.Scaling.FLAG_LIMIT
                : Double.POSITIVE_INFINITY).toArray();
    }

    /** Fits on raw feature rows of a spec (as {@link FeatureSpec#extract} writes them), each as the spec scales it. */
    public static RobustScaler fit(FeatureSpec spec, double[][] rows) {
        if (rows.length > 0 && rows[0].length != spec.size()) {
            throw new IllegalArgumentException("rows have " + rows[0].length + " features, spec v" + spec.version()
                    + " has " + spec.size());
        }
        return fit(spec.version(), spec.features().stream().map(Feature::scaling).toList(), rows);
    }

    /** Fits on raw rows whose column {@code j} is scaled as {@code scalings.get(j)} says. */
    public static RobustScaler fit(int specVersion, List<Feature.Scaling> scalings, double[][] rows) {
        int width = scalings.size();
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
        return new RobustScaler(specVersion, center, scale, limits(scalings));
    }

    /** A standard deviation this small, relative to the mean, is rounding, not spread. */
    private static final double CONSTANT = 1e-9;

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
        // A constant column's mean can differ from its value in the last bit, leaving a standard
        // deviation of 1e-15: a value off that constant (a repository's center from spec v3 on, for
        // a repository the single-repository training set did not have) would then scale to 1e15.
        return sd > CONSTANT * Math.max(1, Math.abs(mean)) ? sd : 1;
    }

    /** Scales a raw row into {@code out}; NaN becomes 0 (the training median). */
    public void transform(double[] raw, double[] out) {
        for (int j = 0; j < raw.length; j++) {
            out[j] = Double.isNaN(raw[j]) ? 0 : bound((raw[j] - center[j]) / scale[j], limit[j]);
        }
    }

    private static double bound(double z, double limit) {
        return z > limit ? limit : z < -limit ? -limit : z;
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
            out[j] = Double.isNaN(raw[j]) ? 0f : (float) bound((raw[j] - center[j]) / scale[j], limit[j]);
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RobustScaler r && r.specVersion == specVersion && Arrays.equals(r.center, center)
                && Arrays.equals(r.scale, scale) && Arrays.equals(r.limit, limit);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * specVersion + Arrays.hashCode(center)) + Arrays.hashCode(scale))
                + Arrays.hashCode(limit);
    }

    @Override
    public String toString() {
        return "RobustScaler[v" + specVersion + ", center=" + Arrays.toString(center) + ", scale="
                + Arrays.toString(scale) + ", limit=" + Arrays.toString(limit) + "]";
    }
}
