package dev.prsentinel.featurize.job;

import dev.prsentinel.core.features.FeatureStatistics;
import dev.prsentinel.core.features.RepositoryNorms;
import dev.prsentinel.core.features.RobustScaler;
import java.time.Instant;
import java.util.List;
import java.util.Map;

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
 * @param norms       the repository norms fitted on this window, for a spec that reads them; else null
 * @param drift       the rows counted into the last training set's bins, or null before any training
 */
public record FeatureSetResult(String id, boolean reused, long rows, long rejected, List<String> rejections,
        String location, Instant windowEnd, List<FeatureStatistics> statistics, RobustScaler scaler,
        RepositoryNorms norms, DriftCounts drift) {

    /**
     * A set's values in the bins of the set the last model was trained on, for drift.
     *
     * @param referenceSetId that training set
     * @param binCounts      counts by feature
     */
    public record DriftCounts(String referenceSetId, Map<String, List<Long>> binCounts) {
    }
}
