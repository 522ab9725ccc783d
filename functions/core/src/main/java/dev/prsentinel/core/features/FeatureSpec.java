package dev.prsentinel.core.features;

import dev.prsentinel.core.model.PullRequest;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A version of the model's inputs: the features in vector order and the one extractor that computes
 * them, shared by the Spark job over the stored PRs and by the score function for a single PR. A
 * model package names the spec it was trained on; a build serves every spec in
 * {@link FeatureSpecs#KNOWN}.
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

    /** Writes the raw (unscaled) features into {@code out}; NaN marks a missing input. */
    void extract(PullRequest pr, double[] out);

    default double[] extract(PullRequest pr) {
        double[] out = new double[size()];
        extract(pr, out);
        return out;
    }

    /** A spec from its parts: each version class states its features and its extractor once. */
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
            public void extract(PullRequest pr, double[] out) {
                extractor.accept(pr, out);
            }
        };
    }
}
