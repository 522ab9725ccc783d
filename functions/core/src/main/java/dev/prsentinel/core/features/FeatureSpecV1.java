package dev.prsentinel.core.features;

import dev.prsentinel.core.model.PullRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Set;

/**
 * Feature spec v1: the one definition of the model's inputs, used by the Spark job over the
 * stored PRs and by the score function for a single PR. There is no second implementation.
 *
 * <p>Why these: the size of a change (lines, files, commits) and its shape (lines per file, per
 * commit, share of deletions) separate dumps, generated blobs and commit storms from ordinary work;
 * the discussion (comments, review comments, requested reviewers) and the timing (how fast it was
 * closed or merged, when in the week it was opened) separate rubber stamps and flame wars; who
 * opened it (author association, fork) and its metadata (draft, labels, title and body length)
 * give the context a reviewer would look at. Counts are log1p-transformed: they span five orders of
 * magnitude (pullreqs: changed lines from 0 to 213,148) and the model should see ratios, not raw
 * differences. Hour of week is a sin/cos pair so Sunday night sits next to Monday morning.
 *
 * <p>Missing inputs are never a silent 0. {@link #extract} returns NaN for a feature whose input the
 * source did not have (pullreqs has no title, labels or additions/deletions split; a review webhook
 * has no counts), booleans and one-hot features included, and the missing-indicator features say
 * which inputs were absent. The scaler ({@link RobustScaler}) then imputes the training median for
 * NaN, so a missing input looks typical to the model while its indicator records that it was missing.
 */
public final class FeatureSpecV1 {

    public static final int VERSION = 1;

    /** The features, in vector order. */
    public static final List<Feature> FEATURES = List.of(
            f("log_changed_lines", FeatureGroup.SIZE, "log1p(additions + deletions); pullreqs: src_churn + test_churn"),
            f("log_changed_files", FeatureGroup.SIZE, "log1p(changed files)"),
            f("log_commits", FeatureGroup.SIZE, "log1p(commits)"),
            f("log_additions", FeatureGroup.SIZE, "log1p(additions); NaN when the source has no split"),
            f("log_deletions", FeatureGroup.SIZE, "log1p(deletions); NaN when the source has no split"),
            f("log_lines_per_file", FeatureGroup.CHURN, "log1p(changed lines / max(1, changed files))"),
            f("log_lines_per_commit", FeatureGroup.CHURN, "log1p(changed lines / max(1, commits))"),
            f("deletion_share", FeatureGroup.CHURN,
                    "deletions / (additions + deletions); NaN without a split or lines"),
            f("log_comments", FeatureGroup.REVIEW, "log1p(conversation comments)"),
            f("log_review_comments", FeatureGroup.REVIEW, "log1p(review comments on the diff)"),
            f("log_requested_reviewers", FeatureGroup.REVIEW, "log1p(requested reviewers and teams)"),
            f("log_comments_per_commit", FeatureGroup.REVIEW, "log1p((comments + review comments) / max(1, commits))"),
            f("log_hours_to_close", FeatureGroup.TIMING, "log1p(hours from creation to close); NaN while open"),
            f("merged_fast", FeatureGroup.TIMING, "1 when merged within 10 minutes of creation, else 0"),
            f("created_hour_of_week_sin", FeatureGroup.TIMING, "sin(2 pi hour-of-week / 168), UTC"),
            f("created_hour_of_week_cos", FeatureGroup.TIMING, "cos(2 pi hour-of-week / 168), UTC"),
            f("author_member", FeatureGroup.AUTHOR, "author_association OWNER, MEMBER or COLLABORATOR"),
            f("author_contributor", FeatureGroup.AUTHOR, "author_association CONTRIBUTOR"),
            f("author_first_time", FeatureGroup.AUTHOR, "author_association FIRST_TIME_CONTRIBUTOR or FIRST_TIMER"),
            f("author_none", FeatureGroup.AUTHOR, "author_association NONE, MANNEQUIN or another value"),
            f("head_fork", FeatureGroup.AUTHOR, "1 when the head branch lives in a fork"),
            f("draft", FeatureGroup.METADATA, "1 for a draft"),
            f("merged", FeatureGroup.METADATA, "1 when merged"),
            f("log_labels", FeatureGroup.METADATA, "log1p(label count)"),
            f("log_title_length", FeatureGroup.METADATA, "log1p(title characters)"),
            f("log_body_length", FeatureGroup.METADATA, "log1p(body characters)"),
            f("missing_split", FeatureGroup.METADATA, "1 when additions/deletions are unknown"),
            f("missing_counts", FeatureGroup.METADATA,
                    "1 when line, file, commit, comment counts or the merge flag are unknown"),
            f("missing_text", FeatureGroup.METADATA, "1 when title or body length is unknown"),
            f("missing_metadata", FeatureGroup.METADATA, "1 when labels, draft or requested reviewers are unknown"),
            f("missing_author", FeatureGroup.AUTHOR, "1 when author association or fork is unknown"));

    private static final Set<String> MEMBER = Set.of("OWNER", "MEMBER", "COLLABORATOR");
    private static final Set<String> FIRST_TIME = Set.of("FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER");
    private static final double HOURS_PER_WEEK = 168;

    /** This spec as a {@link FeatureSpec}; v1 scales every feature, flags included, robustly. */
    public static final FeatureSpec SPEC = FeatureSpec.of(VERSION, FEATURES, FeatureSpecV1::extract);

    private FeatureSpecV1() {
    }

    private static Feature f(String name, FeatureGroup group, String description) {
        return new Feature(name, group, Feature.Scaling.ROBUST, description);
    }

    public static int size() {
        return FEATURES.size();
    }

    public static double[] extract(PullRequest pr) {
        double[] out = new double[FEATURES.size()];
        extract(pr, out);
        return out;
    }

    /** Writes the raw (unscaled) features into {@code out}; NaN marks a missing input. */
    public static void extract(PullRequest pr, double[] out) {
        int i = write(pr, out);
        if (i != out.length) {
            throw new IllegalStateException("spec v1 wrote " + i + " of " + out.length + " features");
        }
    }

    /** Writes the v1 features into the start of {@code out} and returns how many: v2 builds on them. */
    static int write(PullRequest pr, double[] out) {
        Integer lines = pr.changedLines();
        Integer files = pr.changedFiles();
        Integer commits = pr.commits();
        Integer additions = pr.additions();
        Integer deletions = pr.deletions();
        int i = 0;
        out[i++] = log1p(lines);
        out[i++] = log1p(files);
        out[i++] = log1p(commits);
        out[i++] = log1p(additions);
        out[i++] = log1p(deletions);
        out[i++] = lines == null || files == null ? Double.NaN : Math.log1p(lines / (double) Math.max(1, files));
        out[i++] = lines == null || commits == null ? Double.NaN : Math.log1p(lines / (double) Math.max(1, commits));
        out[i++] = additions == null || deletions == null || additions + deletions == 0 ? Double.NaN
                : deletions / (double) (additions + deletions);
        out[i++] = log1p(pr.comments());
        out[i++] = log1p(pr.reviewComments());
        out[i++] = log1p(pr.requestedReviewers());
        out[i++] = pr.comments() == null || pr.reviewComments() == null || commits == null ? Double.NaN
                : Math.log1p((pr.comments() + pr.reviewComments()) / (double) Math.max(1, commits));
        out[i++] = hours(pr.createdAt(), pr.closedAt());
        out[i++] = pr.createdAt() == null || pr.merged() == null ? Double.NaN
                : pr.mergedAt() != null && Duration.between(pr.createdAt(), pr.mergedAt()).toMinutes() <= 10 ? 1 : 0;
        double angle = hourOfWeek(pr.createdAt()) * 2 * Math.PI / HOURS_PER_WEEK;
        out[i++] = Math.sin(angle);
        out[i++] = Math.cos(angle);
        String association = pr.authorAssociation();
        out[i++] = association == null ? Double.NaN : MEMBER.contains(association) ? 1 : 0;
        out[i++] = association == null ? Double.NaN : "CONTRIBUTOR".equals(association) ? 1 : 0;
        out[i++] = association == null ? Double.NaN : FIRST_TIME.contains(association) ? 1 : 0;
        out[i++] = association == null ? Double.NaN : !MEMBER.contains(association)
                && !FIRST_TIME.contains(association) && !"CONTRIBUTOR".equals(association) ? 1 : 0;
        out[i++] = bool(pr.headFork());
        out[i++] = bool(pr.draft());
        out[i++] = bool(pr.merged());
        out[i++] = pr.labels() == null ? Double.NaN : Math.log1p(pr.labels().size());
        out[i++] = log1p(pr.titleLength());
        out[i++] = log1p(pr.bodyLength());
        out[i++] = additions == null || deletions == null ? 1 : 0;
        out[i++] = lines == null || files == null || commits == null || pr.comments() == null
                || pr.reviewComments() == null || pr.merged() == null ? 1 : 0;
        out[i++] = pr.titleLength() == null || pr.bodyLength() == null ? 1 : 0;
        out[i++] = pr.labels() == null || pr.draft() == null || pr.requestedReviewers() == null ? 1 : 0;
        out[i++] = association == null || pr.headFork() == null ? 1 : 0;
        return i;
    }

    private static double bool(Boolean b) {
        return b == null ? Double.NaN : b ? 1 : 0;
    }

    private static double log1p(Integer v) {
        return v == null ? Double.NaN : Math.log1p(v);
    }

    static double hours(Instant from, Instant to) {
        if (from == null || to == null) {
            return Double.NaN;
        }
        return Math.log1p(Math.max(0, Duration.between(from, to).getSeconds()) / 3600.0);
    }

    private static double hourOfWeek(Instant t) {
        if (t == null) {
            return Double.NaN;
        }
        ZonedDateTime z = t.atZone(ZoneOffset.UTC);
        return (z.getDayOfWeek().getValue() - 1) * 24 + z.getHour() + z.getMinute() / 60.0;
    }
}
