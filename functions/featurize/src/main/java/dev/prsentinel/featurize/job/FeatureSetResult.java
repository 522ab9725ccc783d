package dev.prsentinel.featurize.job;

import dev.prsentinel.core.features.FeatureStatistics;
import dev.prsentinel.core.features.RobustScaler;
import java.time.Instant;
import java.util.List;

/**
 * What a feature job produced.
 *
 * @param id          content-derived id: spec version, input snapshot and parameters
 * @param reused      true when a set with this id already existed and nothing was computed
 * @param rows        feature rows written
 * @param rejected    stored documents that could not be read
 * @param rejections  the first few reasons, naming the document
 * @param location    where the Parquet files are
 * @param windowEnd   PRs observed up to this time are in the set
 * @param statistics  per-feature statistics
 * @param scaler      the scaler fitted on this window, which training and serving apply
 */
public record FeatureSetResult(String id, boolean reused, long rows, long rejected, List<String> rejections,
        String location, Instant windowEnd, List<FeatureStatistics> statistics, RobustScaler scaler) {
}
