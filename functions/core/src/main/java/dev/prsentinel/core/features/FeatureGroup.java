package dev.prsentinel.core.features;

import java.util.Locale;

/** What a feature is about; the score function names the group that dominates an anomaly. */
public enum FeatureGroup {
    SIZE, CHURN, REVIEW, TIMING, AUTHOR, METADATA;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
