package dev.prsentinel.core.features;

import dev.prsentinel.core.model.PullRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Feature spec v3: spec v2's inputs, each PR also read against its own repository's normal.
 *
 * <p>Under v2 every PR was judged against one global normal, so a repository whose ordinary PRs are
 * large or long-lived had its normal work flagged, and one whose PRs are tiny had its outliers
 * pass: the per-repository flagged share of normal later PRs had a p90 of 2.3-2.7% over three seeds
 * (target 2%). v3 appends, for size, churn, review and timing:
 * <ul>
 *   <li>{@code <base>_vs_repo}: how far the PR is from its repository's center, in its repository's
 *       spreads ({@link RepositoryNorms#relative});</li>
 *   <li>{@code repo_<base>}: the repository's center itself, so the model knows whose normal it is
 *       reading against. Without these the relative features alone cut the per-repository p90 too,
 *       but made the model seed-sensitive (ROC-AUC 0.965-0.984 over three seeds); with them it was
 *       0.978-0.983, measured in benchmarks/RESULTS.md (issue 15).</li>
 * </ul>
 * The global features stay as they were, and a repository with little history falls back to the
 * global normal through the norms' shrinkage ({@link #SHRINKAGE} PRs).
 */
public final class FeatureSpecV3 {

    public static final int VERSION = 3;

    /** Pseudo-count of global PRs each repository's statistics are blended with. */
    public static final int SHRINKAGE = 20;

    /** The base features read against the repository, all log1p counts or times. */
    public static final List<String> NORMED = List.of("log_changed_lines", "log_changed_files", "log_commits",
            "log_lines_per_file", "log_comments", "log_review_comments", "log_hours_open");

    private static final int OWN = FeatureSpecV2.FEATURES.size();
    private static final int[] BASE = NORMED.stream().mapToInt(FeatureSpecV2.SPEC.names()::indexOf).toArray();

    /** The features, in vector order. */
    public static final List<Feature> FEATURES = features();

    /** This spec as a {@link FeatureSpec}. */
    public static final FeatureSpec SPEC = new Spec();

    private FeatureSpecV3() {
    }

    private static List<Feature> features() {
        if (Arrays.stream(BASE).anyMatch(i -> i < 0)) {
            throw new IllegalStateException("a v3 base feature is not a v2 feature");
        }
        List<Feature> out = new ArrayList<>(FeatureSpecV2.FEATURES);
        for (int j = 0; j < BASE.length; j++) {
            Feature base = FeatureSpecV2.FEATURES.get(BASE[j]);
            out.add(new Feature(base.name() + "_vs_repo", base.group(), Feature.Scaling.ROBUST,
                    "(" + base.name() + " - its repository's center) / its repository's spread; NaN when "
                            + base.name() + " is"));
        }
        for (int j = 0; j < BASE.length; j++) {
            Feature base = FeatureSpecV2.FEATURES.get(BASE[j]);
            out.add(new Feature("repo_" + base.name(), base.group(), Feature.Scaling.ROBUST,
                    "the repository's center of " + base.name() + " (its median shrunk toward the global one);"
                            + " the global center for a repository the norms have not seen"));
        }
        return List.copyOf(out);
    }

    private static final class Spec implements FeatureSpec {

        @Override
        public int version() {
            return VERSION;
        }

        @Override
        public List<Feature> features() {
            return FEATURES;
        }

        @Override
        public List<String> normed() {
            return NORMED;
        }

        @Override
        public RepositoryNorms fitNorms(String[] repos, double[][] ownRows) {
            double[][] base = new double[ownRows.length][];
            for (int i = 0; i < ownRows.length; i++) {
                base[i] = base(ownRows[i]);
            }
            return RepositoryNorms.fit(NORMED, repos, base, SHRINKAGE);
        }

        @Override
        public void extractOwn(PullRequest pr, double[] out) {
            if (out.length != FEATURES.size()) {
                throw new IllegalArgumentException("spec v3 has " + FEATURES.size() + " features, not " + out.length);
            }
            double[] own = new double[OWN];
            FeatureSpecV2.extract(pr, own);
            System.arraycopy(own, 0, out, 0, OWN);
            Arrays.fill(out, OWN, out.length, Double.NaN);
        }

        @Override
        public void relate(String repo, RepositoryNorms norms, double[] row) {
            if (!NORMED.equals(norms.features())) {
                throw new IllegalArgumentException("the norms are of " + norms.features() + ", spec v3 reads "
                        + NORMED);
            }
            norms.relative(repo, base(row), row, OWN);
            System.arraycopy(norms.of(repo).center(), 0, row, OWN + BASE.length, BASE.length);
        }

        private static double[] base(double[] row) {
            double[] b = new double[BASE.length];
            for (int j = 0; j < b.length; j++) {
                b[j] = row[BASE[j]];
            }
            return b;
        }
    }
}
