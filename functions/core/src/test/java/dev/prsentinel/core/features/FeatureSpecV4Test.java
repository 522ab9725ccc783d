package dev.prsentinel.core.features;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureSpecV4Test {

    private static final Instant T = Instant.parse("2024-05-06T10:00:00Z");
    private static final int V3 = FeatureSpecV3.SPEC.size();
    private static final int SPEED = FeatureSpecV4.SPEC.names().indexOf("log_lines_per_merge_minute");
    private static final int UNREVIEWED = FeatureSpecV4.SPEC.names().indexOf("log_unreviewed_merged_lines");

    /** A PR of a/b opened {@code minutes} before T with that many lines, comments and review comments. */
    private static PullRequest pr(int number, Integer lines, Boolean merged, long minutes, Integer comments,
            Integer reviewComments) {
        Instant created = T.minusSeconds(60 * minutes);
        Instant mergedAt = Boolean.TRUE.equals(merged) ? T : null;
        String state = Boolean.TRUE.equals(merged) ? "closed" : "open";
        return new PullRequest("a/b", number, Source.API, 20, 100, state, false, merged,
                lines == null ? null : lines / 2, lines == null ? null : lines - lines / 2, lines, 4, 2, comments,
                reviewComments, List.of(), 1, "CONTRIBUTOR", "alice", created, T, mergedAt,
                mergedAt, "main", "x", false);
    }

    /** A repository's ordinary history: reviewed changes of about 100 lines, open ten hours. */
    private static List<PullRequest> window() {
        List<PullRequest> window = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            window.add(pr(i, 100 + i, true, 600, 2, 1));
        }
        return window;
    }

    private static double[] extract(PullRequest pr) {
        return FeatureSpecV4.SPEC.extract(pr, FeatureSpecV4.SPEC.fitNorms(window()));
    }

    @Test
    void itIsV3ThenTwoReviewFeatures() {
        List<String> expected = new ArrayList<>(FeatureSpecV3.SPEC.names());
        expected.add("log_lines_per_merge_minute");
        expected.add("log_unreviewed_merged_lines");
        assertThat(FeatureSpecV4.SPEC.names()).containsExactlyElementsOf(expected);
        assertThat(FeatureSpecV4.SPEC.features().subList(V3, V3 + 2)).extracting(Feature::group)
                .containsOnly(FeatureGroup.REVIEW);
        assertThat(FeatureSpecV4.SPEC.normed()).isEqualTo(FeatureSpecV3.NORMED);
        assertThat(FeatureSpecs.CURRENT).isSameAs(FeatureSpecV4.SPEC);
        assertThat(FeatureSpecs.of(4)).containsSame(FeatureSpecV4.SPEC);
        assertThat(FeatureSpecs.known()).isEqualTo("v1, v2, v3, v4");
    }

    @Test
    void itsFirstFeaturesAreV3sOwn() {
        PullRequest p = pr(99, 5000, true, 3, 0, 0);
        double[] v4 = extract(p);
        double[] v3 = FeatureSpecV3.SPEC.extract(p, FeatureSpecV3.SPEC.fitNorms(window()));
        for (int j = 0; j < V3; j++) {
            assertThat(v4[j]).as(FeatureSpecV3.SPEC.names().get(j)).isEqualTo(v3[j]);
        }
    }

    @Test
    void aLargeChangeMergedInMinutesWithoutAWordIsFarFromAReviewedOne() {
        double[] stamp = extract(pr(1, 5000, true, 4, 0, 0));
        assertThat(stamp[SPEED]).isEqualTo(Math.log1p(5000 / 4.0));
        assertThat(stamp[UNREVIEWED]).isEqualTo(Math.log1p(5000));
        double[] reviewed = extract(pr(2, 5000, true, 3 * 24 * 60, 4, 9));
        assertThat(reviewed[SPEED]).isEqualTo(Math.log1p(5000 / (3.0 * 24 * 60)));
        assertThat(reviewed[UNREVIEWED]).isZero();
        // A comment, and not a review comment, is enough to be reviewed for this feature.
        assertThat(extract(pr(3, 5000, true, 4, 1, 0))[UNREVIEWED]).isZero();
    }

    @Test
    void aMergeWithinTheMinuteCountsAsOneMinute() {
        assertThat(extract(pr(1, 300, true, 0, 0, 0))[SPEED]).isEqualTo(Math.log1p(300));
    }

    @Test
    void whatWasNotMergedWentInUnreviewedByNoOne() {
        double[] closed = extract(pr(2, 5000, false, 4, 0, 0));
        assertThat(closed[SPEED]).isZero();
        assertThat(closed[UNREVIEWED]).isZero();
    }

    @Test
    void anUnknownInputIsMissingNotZero() {
        double[] noLines = extract(pr(1, null, true, 4, 0, 0));
        assertThat(noLines[SPEED]).isNaN();
        assertThat(noLines[UNREVIEWED]).isNaN();
        double[] unknownMerge = extract(pr(3, 5000, null, 4, 0, 0));
        assertThat(unknownMerge[SPEED]).isNaN();
        assertThat(unknownMerge[UNREVIEWED]).isNaN();
        double[] noComments = extract(pr(2, 5000, true, 4, null, 0));
        assertThat(noComments[SPEED]).isEqualTo(Math.log1p(5000 / 4.0));
        assertThat(noComments[UNREVIEWED]).isNaN();
    }
}
