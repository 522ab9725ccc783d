package dev.prsentinel.core.events;

import java.time.Instant;

/**
 * Data of {@value EventTypes#FEATURIZE_FAILED} (schema v1): a feature job did not produce a set.
 *
 * @param featureSetId the id it was building, or null when it failed before knowing it
 * @param windowEnd    the window it was asked for
 * @param reason       what went wrong
 */
public record FeaturizeFailed(String featureSetId, Instant windowEnd, String reason) {

    public static final int VERSION = 1;
}
