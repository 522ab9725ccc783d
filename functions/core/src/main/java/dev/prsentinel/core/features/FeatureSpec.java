package dev.prsentinel.core.features;

import dev.prsentinel.core.model.PullRequest;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A version of the model's inputs: the features in vector order and the one extractor that computes
 * them, shared by the Spark job over the stored PRs and by the score function for a single PR. A
 * model package names the spec it was trained on; a build serves every spec in
 * {@link FeatureSpecs#KNOWN}.
 *
 * <p>A spec may read a PR against its repository's normal ({@link #normed}, from spec v3 on). Its
 * extraction then takes two steps: {@link #extractOwn} needs the PR alone, {@link #relate} fills the
 * rest from the PR's own values and the {@link RepositoryNorms} fitted on the feature set's window.
 * The Spark job runs the first step in the executors, fits the norms, then runs the second; score
 * runs both with the norms its model package carries. Both are the same code.
 */
public interface FeatureSpec {

    int version();

    List<Feature> features();

    default int size() {
        return features().size();
    }

    default List<String> names() {
        return features().stream().map(Feature::name).toList();
    }

    /** The base features a PR is read against its repository's norms for; empty when the spec has none. */
    default List<String> normed() {
        return List.of();
    }

    /** The norms of a window's rows as {@link #extractOwn} wrote them; null for a spec that reads none. */
    default RepositoryNorms fitNorms(String[] repos, double[][] ownRows) {
        return null;
    }

    /** The norms of these PRs, extracted here; null for a spec that reads none. */
    default RepositoryNorms fitNorms(List<PullRequest> prs) {
        if (normed().isEmpty()) {
            return null;
        }
        double[][] own = new double[prs.size()][size()];
        for (int i = 0; i < own.length; i++) {
            extractOwn(prs.get(i), own[i]);
        }
        return fitNorms(prs.stream().map(PullRequest::repo).toArray(String[]::new), own);
    }

    /**
     * Writes the raw (unscaled) features that need nothing but the PR into {@code out}; NaN marks a
     * missing input. A spec with repository features leaves those NaN for {@link #relate}.
     */
    void extractOwn(PullRequest pr, double[] out);

    /** Fills a row's repository features from its own ones; nothing for a spec that reads no norms. */
    default void relate(String repo, RepositoryNorms norms, double[] row) {
    }

    /**
     * Writes every raw feature into {@code out}.
     *
     * @param norms the norms the model or feature set carries; may be null only for a spec with no {@link #normed}
     */
    default void extract(PullRequest pr, RepositoryNorms norms, double[] out) {
        if (!normed().isEmpty() && norms == null) {
            throw new IllegalArgumentException("spec v" + version()
                    + " reads a PR against its repository's norms, and none were given");
        }
        extractOwn(pr, out);
        relate(pr.repo(), norms, out);
    }

    default double[] extract(PullRequest pr, RepositoryNorms norms) {
        double[] out = new double[size()];
        extract(pr, norms, out);
        return out;
    }

    /** Every raw feature of a spec that reads no norms. */
    default void extract(PullRequest pr, double[] out) {
        extract(pr, null, out);
    }

    default double[] extract(PullRequest pr) {
        return extract(pr, (RepositoryNorms) null);
    }

    /** A spec from its parts, for one that reads no norms: each version class states its features and extractor. */
    static FeatureSpec of(int version, List<Feature> features, BiConsumer<PullRequest, double[]> extractor) {
        return new FeatureSpec() {
            @Override
            public int version() {
                return version;
            }

            @Override
            public List<Feature> features() {
                return features;
            }

            @Override
            public void extractOwn(PullRequest pr, double[] out) {
                extractor.accept(pr, out);
            }
        };
    }
}
