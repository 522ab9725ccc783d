package dev.prsentinel.core.features;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FeatureUnitsTest {

    @Test
    void countsAreShownAsCountsNotTheirLogs() {
        // The issue's own example: log_commits 7.07 (0.693 to 2.83).
        assertThat(FeatureUnits.describe("log_commits", Math.log1p(1176), Math.log1p(1), Math.log1p(16)))
                .isEqualTo("commits 1,176 (usually 1 to 16)");
        assertThat(FeatureUnits.describe("log_changed_lines", Math.log1p(250_000), 0, Math.log1p(900)))
                .isEqualTo("changed lines 250,000 (usually 0 to 900)");
    }

    @Test
    void timesRatiosSharesAndFlagsReadAsPeopleSayThem() {
        assertThat(FeatureUnits.describe("log_hours_to_close", Math.log1p(24 * 3650), Math.log1p(0.5),
                Math.log1p(24 * 30))).isEqualTo("time to close 10.0 years (usually 30 minutes to 30 days)");
        assertThat(FeatureUnits.describe("log_hours_open", Math.log1p(24 * 1461), Math.log1p(0.5),
                Math.log1p(24 * 30))).isEqualTo("time open 4.0 years (usually 30 minutes to 30 days)");
        assertThat(FeatureUnits.describe("open", 1, 0, 0)).isEqualTo("still open: yes (usually no)");
        // Spec v4's review features: what a rubber stamp's explanation reads.
        assertThat(FeatureUnits.describe("log_lines_per_merge_minute", Math.log1p(1250), 0, Math.log1p(2.5)))
                .isEqualTo("changed lines per minute to merge 1,250 (usually 0.0 to 2.5)");
        assertThat(FeatureUnits.describe("log_unreviewed_merged_lines", Math.log1p(5000), 0, Math.log1p(40)))
                .isEqualTo("lines merged without a comment 5,000 (usually 0 to 40)");
        assertThat(FeatureUnits.describe("log_lines_per_file", Math.log1p(2.5), Math.log1p(1), Math.log1p(400)))
                .isEqualTo("lines per file 2.5 (usually 1.0 to 400)");
        assertThat(FeatureUnits.describe("deletion_share", 0.9, 0.0, 0.5))
                .isEqualTo("deleted share of changed lines 90% (usually 0% to 50%)");
        assertThat(FeatureUnits.describe("draft", 1, 0, 0)).isEqualTo("draft: yes (usually no)");
        assertThat(FeatureUnits.describe("merged", 0, 1, 1)).isEqualTo("merged: no (usually yes)");
        assertThat(FeatureUnits.describe("head_fork", 1, 0, 1)).isEqualTo("from a fork: yes (either is usual)");
    }

    @Test
    void aMissingValueAndFloatNoiseAreShownPlainly() {
        assertThat(FeatureUnits.describe("log_additions", Double.NaN, 0, Math.log1p(10)))
                .isEqualTo("added lines missing (usually 0 to 10)");
        // Typical ranges come back from float32 scaling: a hair below zero is zero.
        assertThat(FeatureUnits.describe("log_labels", 2, -3e-8, Math.log1p(2)))
                .isEqualTo("labels 6 (usually 0 to 2)");
        assertThat(FeatureUnits.describe("created_hour_of_week_sin", 0.5, -3e-8, 1))
                .isEqualTo("creation time (hour of week, sin) 0.50 (usually 0.00 to 1.00)");
    }

    @Test
    void everySpecFeatureHasWordsOfItsOwn() {
        for (FeatureSpec spec : FeatureSpecs.KNOWN) {
            for (Feature f : spec.features()) {
                assertThat(FeatureUnits.describe(f.name(), 0, 0, 1)).as(f.name()).doesNotContain("_");
            }
        }
    }
}
