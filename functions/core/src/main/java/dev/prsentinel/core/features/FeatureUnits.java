package dev.prsentinel.core.features;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A feature's value in the units a reviewer reads: "commits 1,176 (usually 1 to 16)", not
 * "log_commits 7.07 (0.693 to 2.83)". Undoes the specs' transforms (log1p, shares, 0/1 flags) for
 * display only; the model never sees these numbers.
 */
public final class FeatureUnits {

    /** Counts and ratios that the specs keep as log1p(x), by feature, with the words for x. */
    private static final Map<String, String> LOG_LABELS = Map.ofEntries(
            Map.entry("log_changed_lines", "changed lines"),
            Map.entry("log_changed_files", "changed files"),
            Map.entry("log_commits", "commits"),
            Map.entry("log_additions", "added lines"),
            Map.entry("log_deletions", "deleted lines"),
            Map.entry("log_lines_per_file", "lines per file"),
            Map.entry("log_lines_per_commit", "lines per commit"),
            Map.entry("log_comments", "comments"),
            Map.entry("log_review_comments", "review comments"),
            Map.entry("log_requested_reviewers", "requested reviewers"),
            Map.entry("log_comments_per_commit", "comments per commit"),
            Map.entry("log_hours_to_close", "time to close"),
            Map.entry("log_hours_open", "time open"),
            Map.entry("log_labels", "labels"),
            Map.entry("log_title_length", "title characters"),
            Map.entry("log_body_length", "description characters"),
            Map.entry("log_lines_per_merge_minute", "changed lines per minute to merge"),
            Map.entry("log_unreviewed_merged_lines", "lines merged without a comment"));
    private static final Set<String> DURATIONS = Set.of("log_hours_to_close", "log_hours_open");
    private static final Set<String> RATIOS = Set.of("log_lines_per_file", "log_lines_per_commit",
            "log_comments_per_commit", "log_lines_per_merge_minute");
    private static final Map<String, String> FLAGS = Map.ofEntries(
            Map.entry("merged_fast", "merged within 10 minutes"),
            Map.entry("author_member", "author is a member"),
            Map.entry("author_contributor", "author is a contributor"),
            Map.entry("author_first_time", "author's first contribution"),
            Map.entry("author_none", "author has no association"),
            Map.entry("head_fork", "from a fork"),
            Map.entry("draft", "draft"),
            Map.entry("merged", "merged"),
            Map.entry("open", "still open"),
            Map.entry("missing_split", "added/deleted split unknown"),
            Map.entry("missing_counts", "counts unknown"),
            Map.entry("missing_text", "title or description length unknown"),
            Map.entry("missing_metadata", "labels, draft or reviewers unknown"),
            Map.entry("missing_author", "author association or fork unknown"));

    private FeatureUnits() {
    }

    /**
     * One feature of a PR against the training data's typical range (5th to 95th percentile), in
     * the feature's own space as the scorer reports them; a NaN value is shown as missing.
     */
    public static String describe(String feature, double value, double typicalLow, double typicalHigh) {
        if (FLAGS.containsKey(feature)) {
            String usually = typicalHigh < 0.5 ? "usually no" : typicalLow >= 0.5 ? "usually yes" : "either is usual";
            return FLAGS.get(feature) + ": " + (Double.isNaN(value) ? "missing" : value >= 0.5 ? "yes" : "no") + " ("
                    + usually + ")";
        }
        String label;
        java.util.function.DoubleFunction<String> format;
        if (LOG_LABELS.containsKey(feature)) {
            label = LOG_LABELS.get(feature);
            java.util.function.DoubleFunction<String> raw = DURATIONS.contains(feature)
                    ? FeatureUnits::duration : RATIOS.contains(feature) ? FeatureUnits::decimal : FeatureUnits::count;
            format = v -> raw.apply(Math.max(0, Math.expm1(v)));
        } else if (feature.equals("deletion_share")) {
            label = "deleted share of changed lines";
            format = v -> String.format(Locale.ROOT, "%.0f%%", 100 * Math.min(1, Math.max(0, v)));
        } else if (feature.startsWith("created_hour_of_week_")) {
            label = "creation time (hour of week, " + feature.substring("created_hour_of_week_".length()) + ")";
            format = v -> String.format(Locale.ROOT, "%.2f", Math.abs(v) < 1e-6 ? 0.0 : v);
        } else {
            label = feature.replace('_', ' ');
            format = v -> String.format(Locale.ROOT, "%.3g", v);
        }
        return label + " " + (Double.isNaN(value) ? "missing" : format.apply(value)) + " (usually "
                + format.apply(typicalLow) + " to " + format.apply(typicalHigh) + ")";
    }

    private static String count(double n) {
        return String.format(Locale.ROOT, "%,d", Math.round(n));
    }

    private static String decimal(double n) {
        return n >= 100 ? count(n) : String.format(Locale.ROOT, "%.1f", n);
    }

    /** Hours as a person says them: minutes, hours, days or years. */
    static String duration(double hours) {
        if (hours < 1) {
            return String.format(Locale.ROOT, "%.0f minutes", hours * 60);
        }
        if (hours < 48) {
            return String.format(Locale.ROOT, "%.1f hours", hours);
        }
        double days = hours / 24;
        if (days < 365) {
            return String.format(Locale.ROOT, "%.0f days", days);
        }
        return String.format(Locale.ROOT, "%.1f years", days / 365.25);
    }
}
