package dev.prsentinel.core.features;

import dev.prsentinel.core.model.PullRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Feature spec v4: spec v3's features, then two that read how much review a merged change had for
 * its size.
 * <ul>
 *   <li>{@code log_lines_per_merge_minute}: changed lines per minute between opening and merge.
 *       Code review loses its effect well below a few hundred lines an hour, so thousands of lines
 *       merged within minutes were not reviewed, whoever merged them.</li>
 *   <li>{@code log_unreviewed_merged_lines}: the changed lines of a change merged without a single
 *       comment or review comment.</li>
 * </ul>
 * Both are 0 for a PR not merged (nothing went in unreviewed), and NaN when an input is unknown.
 * Under v3 each of their inputs is ordinary on its own (a large change, a quick merge, no comment),
 * and their conjunction is what a rubber stamp or a review-less merge is. The autoencoder
 * reconstructs them from the lines and times they derive from, so alone it gained nothing (rubber
 * stamps 15% under v4 against 22% under v3); their extremes are caught by the tail detector beside
 * it ({@link dev.prsentinel.core.anomaly.Detector}, 74-76%; benchmarks/RESULTS.md).
 */
public final class FeatureSpecV4 {

    public static final int VERSION = 4;

    private static final int V3 = FeatureSpecV3.FEATURES.size();

    /** The features, in vector order. */
    public static final List<Feature> FEATURES = features();

    /** This spec as a {@link FeatureSpec}. */
    public static final FeatureSpec SPEC = new Spec();

    private FeatureSpecV4() {
    }

    private static List<Feature> features() {
        List<Feature> out = new ArrayList<>(FeatureSpecV3.FEATURES);
        out.add(new Feature("log_lines_per_merge_minute", FeatureGroup.REVIEW, Feature.Scaling.ROBUST,
                "log1p(changed lines / max(1, minutes from creation to merge)); 0 when not merged"));
        out.add(new Feature("log_unreviewed_merged_lines", FeatureGroup.REVIEW, Feature.Scaling.ROBUST,
                "log1p(changed lines) when merged with no comment and no review comment, else 0"));
        return List.copyOf(out);
    }

    /** Writes the two review features of {@code pr} at {@code out[at]} and {@code out[at + 1]}. */
    static void review(PullRequest pr, double[] out, int at) {
        Integer lines = pr.changedLines();
        Boolean merged = pr.merged();
        if (lines == null || merged == null) {
            out[at] = Double.NaN;
            out[at + 1] = Double.NaN;
            return;
        }
        boolean in = merged || pr.mergedAt() != null;
        if (!in) {
            out[at] = 0;
            out[at + 1] = 0;
            return;
        }
        out[at] = pr.createdAt() == null || pr.mergedAt() == null ? Double.NaN
                : Math.log1p(lines / (double) Math.max(1, Duration.between(pr.createdAt(), pr.mergedAt()).toMinutes()));
        out[at + 1] = pr.comments() == null || pr.reviewComments() == null ? Double.NaN
                : pr.comments() + pr.reviewComments() == 0 ? Math.log1p(lines) : 0;
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
            return FeatureSpecV3.NORMED;
        }

        @Override
        public RepositoryNorms fitNorms(String[] repos, double[][] ownRows) {
            return FeatureSpecV3.SPEC.fitNorms(repos, ownRows);
        }

        @Override
        public void extractOwn(PullRequest pr, double[] out) {
            if (out.length != FEATURES.size()) {
                throw new IllegalArgumentException("spec v4 has " + FEATURES.size() + " features, not " + out.length);
            }
            double[] v3 = new double[V3];
            FeatureSpecV3.SPEC.extractOwn(pr, v3);
            System.arraycopy(v3, 0, out, 0, V3);
            review(pr, out, V3);
        }

        @Override
        public void relate(String repo, RepositoryNorms norms, double[] row) {
            FeatureSpecV3.SPEC.relate(repo, norms, row);
        }
    }
}
