package dev.prsentinel.core.events;

import java.time.Instant;
import java.util.List;

/**
 * Data of {@value EventTypes#FEATURES_READY} (schema v1): a feature set was written.
 *
 * @param featureSetId content-derived id; the same input gives the same id
 * @param specVersion  the feature spec
 * @param rows         feature rows
 * @param rejected     stored documents that could not be read
 * @param location     where the Parquet files and the scaler are
 * @param windowEnd    PRs observed up to this time are in the set
 * @param features     a summary of each feature's statistics (the full ones are in feature_sets)
 */
public record FeaturesReady(String featureSetId, int specVersion, long rows, long rejected, String location,
        Instant windowEnd, List<FeatureSummary> features) {

    public static final int VERSION = 1;

    public FeaturesReady {
        features = List.copyOf(features);
    }

    /**
     * One feature's summary.
     *
     * @param name    the feature
     * @param missing rows without a value
     * @param mean    mean of the values
     * @param std     standard deviation of the values
     */
    public record FeatureSummary(String name, long missing, double mean, double std) {
    }
}
