package dev.prsentinel.core.features;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What is normal in each repository: per repository and base feature, a center and a spread that
 * a PR's raw value is read against, {@code (x - center) / spread}. Fitted by the featurize job over
 * its window, carried by the model package, so training and serving compute the same values.
 *
 * <p>Each repository's median and IQR are shrunk toward the whole window's by
 * {@code n / (n + shrinkage)}, where n is how many of the repository's PRs have the feature: a
 * repository with a handful of PRs is read against nearly the global normal, one with hundreds
 * against its own. A repository the norms have never seen is read against the global normal. The
 * window is the feature set's: every PR observed up to its end, as for the scaler.
 * A spread never falls below {@link #MIN_SPREAD}: a repository whose PRs all have no review
 * comment would otherwise divide the first one by zero.
 *
 * @param features     the base features' names, in the order {@link #relative} writes them
 * @param shrinkage    the pseudo-count of global PRs each repository's statistics are blended with
 * @param global       the whole window's norm
 * @param repositories each repository's blended norm, by name
 */
public record RepositoryNorms(List<String> features, int shrinkage, Norm global, Map<String, Norm> repositories)
        implements java.io.Serializable {

    /** In log1p units (the base features' own), half a unit is a factor of 1.65. */
    public static final double MIN_SPREAD = 0.5;

    /**
     * One repository's norm (or the global one).
     *
     * @param prs    PRs it was computed from
     * @param center per base feature, the blended median
     * @param spread per base feature, the blended IQR, at least {@link #MIN_SPREAD}
     */
    public record Norm(long prs, double[] center, double[] spread) implements java.io.Serializable {

        public Norm {
            if (center == null || spread == null || center.length != spread.length) {
                throw new IllegalArgumentException("a norm needs as many centers as spreads");
            }
            for (int j = 0; j < spread.length; j++) {
                if (!Double.isFinite(center[j]) || !(spread[j] >= MIN_SPREAD) || Double.isInfinite(spread[j])) {
                    throw new IllegalArgumentException("norm [" + j + "] has center " + center[j] + " and spread "
                            + spread[j] + "; a center must be finite and a spread at least " + MIN_SPREAD);
                }
            }
            center = center.clone();
            spread = spread.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Norm n && n.prs == prs && Arrays.equals(n.center, center)
                    && Arrays.equals(n.spread, spread);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * Long.hashCode(prs) + Arrays.hashCode(center)) + Arrays.hashCode(spread);
        }

        @Override
        public String toString() {
            return "Norm[" + prs + " PRs, center=" + Arrays.toString(center) + ", spread=" + Arrays.toString(spread)
                    + "]";
        }
    }

    public RepositoryNorms {
        if (features == null || features.isEmpty() || global == null || global.center().length != features.size()) {
            throw new IllegalArgumentException("norms need base features and a global norm of as many");
        }
        if (shrinkage < 0) {
            throw new IllegalArgumentException("shrinkage must not be negative, was " + shrinkage);
        }
        for (Map.Entry<String, Norm> e : repositories.entrySet()) {
            if (e.getValue().center().length != features.size()) {
                throw new IllegalArgumentException("repository " + e.getKey() + " has " + e.getValue().center().length
                        + " norms, expected " + features.size());
            }
        }
        features = List.copyOf(features);
        repositories = java.util.Collections.unmodifiableMap(new TreeMap<>(repositories));
    }

    /**
     * Fits norms on raw rows of the base features.
     *
     * @param features  the base features' names
     * @param repos     each row's repository (null: counted in the global norm only)
     * @param rows      raw values, one row per PR, {@code features.size()} wide; NaN is left out
     * @param shrinkage pseudo-count of global PRs per repository
     */
    public static RepositoryNorms fit(List<String> features, String[] repos, double[][] rows, int shrinkage) {
        if (repos.length != rows.length) {
            throw new IllegalArgumentException(repos.length + " repositories for " + rows.length + " rows");
        }
        int width = features.size();
        double[] globalMedian = new double[width];
        double[] globalIqr = new double[width];
        for (int j = 0; j < width; j++) {
            double[] values = Quantiles.column(rows, j);
            globalMedian[j] = values.length == 0 ? 0 : Quantiles.sorted(values, 0.5);
            globalIqr[j] = values.length == 0 ? 0 : iqr(values);
        }
        Norm global = new Norm(rows.length, globalMedian, floor(globalIqr));
        Map<String, List<double[]>> byRepo = new TreeMap<>();
        for (int i = 0; i < rows.length; i++) {
            if (repos[i] != null) {
                byRepo.computeIfAbsent(repos[i], r -> new ArrayList<>()).add(rows[i]);
            }
        }
        Map<String, Norm> norms = new LinkedHashMap<>();
        for (Map.Entry<String, List<double[]>> e : byRepo.entrySet()) {
            double[][] own = e.getValue().toArray(double[][]::new);
            double[] center = new double[width];
            double[] spread = new double[width];
            for (int j = 0; j < width; j++) {
                double[] values = Quantiles.column(own, j);
                double w = values.length / (double) (values.length + shrinkage);
                center[j] = values.length == 0 ? globalMedian[j]
                        : w * Quantiles.sorted(values, 0.5) + (1 - w) * globalMedian[j];
                spread[j] = values.length == 0 ? globalIqr[j] : w * iqr(values) + (1 - w) * globalIqr[j];
            }
            norms.put(e.getKey(), new Norm(own.length, center, floor(spread)));
        }
        return new RepositoryNorms(features, shrinkage, global, norms);
    }

    /** The norm a PR of that repository is read against: its own, or the global one for a repository not seen. */
    public Norm of(String repo) {
        Norm own = repo == null ? null : repositories.get(repo);
        return own == null ? global : own;
    }

    /** Writes {@code (x - center) / spread} of each base value into {@code out} from {@code offset}; NaN stays NaN. */
    public void relative(String repo, double[] base, double[] out, int offset) {
        Norm norm = of(repo);
        for (int j = 0; j < base.length; j++) {
            out[offset + j] = Double.isNaN(base[j]) ? Double.NaN : (base[j] - norm.center[j]) / norm.spread[j];
        }
    }

    private static double iqr(double[] sorted) {
        return Quantiles.sorted(sorted, 0.75) - Quantiles.sorted(sorted, 0.25);
    }

    private static double[] floor(double[] spread) {
        return Arrays.stream(spread).map(s -> Math.max(s, MIN_SPREAD)).toArray();
    }
}
