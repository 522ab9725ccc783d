package dev.prsentinel.core.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import dev.prsentinel.core.pullreqs.PullreqsRows;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import dev.prsentinel.core.testing.PullRequests;
import dev.prsentinel.core.testing.SharedData;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureSpecV1Test {

    private static final SyntheticPullRequests.Generated SYNTHETIC = SyntheticPullRequests.generate(5, 20_000, 6,
            0.01, Instant.parse("2026-11-01T00:00:00Z"));

    private static int index(String name) {
        for (int i = 0; i < FeatureSpecV1.size(); i++) {
            if (FeatureSpecV1.FEATURES.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(name);
    }

    @Test
    void namesAreUniqueAndEveryGroupIsUsed() {
        assertThat(new HashSet<>(FeatureSpecV1.FEATURES.stream().map(Feature::name).toList()))
                .hasSize(FeatureSpecV1.size());
        assertThat(FeatureSpecV1.FEATURES.stream().map(Feature::group).distinct())
                .containsExactlyInAnyOrder(FeatureGroup.values());
    }

    @Test
    void aCompletePrHasNoMissingFeature() {
        double[] v = FeatureSpecV1.extract(PullRequests.complete(1, Instant.parse("2024-05-06T10:00:00Z")));
        assertThat(v).doesNotContain(Double.NaN);
        assertThat(v[index("log_changed_lines")]).isCloseTo(Math.log1p(40), within(1e-12));
        assertThat(v[index("deletion_share")]).isCloseTo(0.25, within(1e-12));
        assertThat(v[index("log_lines_per_file")]).isCloseTo(Math.log1p(40 / 3.0), within(1e-12));
        assertThat(v[index("author_contributor")]).isEqualTo(1);
        for (String m : List.of("missing_split", "missing_counts", "missing_text", "missing_metadata",
                "missing_author")) {
            assertThat(v[index(m)]).as(m).isZero();
        }
    }

    @Test
    void whatPullreqsLacksIsMissingNotZero() {
        Map<String, String> row = new HashMap<>(Map.of("project_name", "a/b", "github_id", "3",
                "created_at", "1388501375", "merged_at", "1389018058", "closed_at", "1389018058", "num_commits", "1",
                "num_issue_comments", "0", "num_commit_comments", "0", "files_changed", "1", "src_churn", "5"));
        row.putAll(Map.of("test_churn", "0", "requester", "x", "prev_pullreqs", "3", "intra_branch", "false",
                "main_team_member", "false"));
        double[] v = FeatureSpecV1.extract(PullreqsRows.fromRow(row::get, 2));
        for (String absent : List.of("log_additions", "log_deletions", "deletion_share", "log_labels",
                "log_title_length", "log_body_length", "draft", "log_requested_reviewers")) {
            assertThat(v[index(absent)]).as(absent).isNaN();
        }
        assertThat(v[index("missing_split")]).isEqualTo(1);
        assertThat(v[index("missing_text")]).isEqualTo(1);
        assertThat(v[index("missing_metadata")]).isEqualTo(1);
        assertThat(v[index("missing_counts")]).isZero();
        assertThat(v[index("log_changed_lines")]).isCloseTo(Math.log1p(5), within(1e-12));
        assertThat(v[index("head_fork")]).isEqualTo(1);
    }

    @Test
    void aPartialReviewWebhookPrHasItsCountsMissing() {
        double[] v = FeatureSpecV1.extract(PullRequests.partial(1, Instant.parse("2024-05-06T10:00:00Z")));
        assertThat(v[index("log_commits")]).isNaN();
        assertThat(v[index("merged")]).isNaN();
        assertThat(v[index("missing_counts")]).isEqualTo(1);
        assertThat(v[index("log_hours_to_close")]).isNaN();
    }

    @Test
    void hourOfWeekWrapsAroundTheWeek() {
        PullRequest monday = withCreated(Instant.parse("2024-05-06T00:00:00Z"));
        PullRequest sunday = withCreated(Instant.parse("2024-05-12T23:59:00Z"));
        double[] m = FeatureSpecV1.extract(monday);
        double[] s = FeatureSpecV1.extract(sunday);
        assertThat(m[index("created_hour_of_week_sin")]).isCloseTo(0, within(1e-12));
        assertThat(m[index("created_hour_of_week_cos")]).isCloseTo(1, within(1e-12));
        double distance = Math.hypot(m[index("created_hour_of_week_sin")] - s[index("created_hour_of_week_sin")],
                m[index("created_hour_of_week_cos")] - s[index("created_hour_of_week_cos")]);
        assertThat(distance).isLessThan(0.01);
    }

    private static PullRequest withCreated(Instant created) {
        return new PullRequest("a/b", 1, Source.API, 1, 1, "open", false, false, 1, 1, 2, 1, 1, 0, 0, List.of(), 0,
                "NONE", "x", created, created, null, null, "main", "x", false);
    }

    /** The features carry the signal of each injected anomaly kind: this is why they were chosen. */
    @Test
    void injectedAnomaliesStandOutOnTheFeaturesMeantToShowThem() {
        SyntheticPullRequests.Generated set = SYNTHETIC;
        Map<String, SyntheticPullRequests.Kind> kinds = set.kindByKey();
        List<double[]> normal = new ArrayList<>();
        for (PullRequest pr : set.pullRequests()) {
            if (!kinds.containsKey(pr.key())) {
                normal.add(FeatureSpecV1.extract(pr));
            }
        }
        RobustScaler scaler = RobustScaler.fit(FeatureSpecV1.SPEC, normal.toArray(double[][]::new));
        Map<SyntheticPullRequests.Kind, String> feature = Map.of(
                SyntheticPullRequests.Kind.HUGE_CHANGE, "log_changed_files",
                SyntheticPullRequests.Kind.SIZE_MISMATCH, "log_lines_per_file",
                SyntheticPullRequests.Kind.COMMIT_STORM, "log_commits",
                SyntheticPullRequests.Kind.COMMENT_FLOOD, "log_comments");
        for (PullRequest pr : set.pullRequests()) {
            SyntheticPullRequests.Kind kind = kinds.get(pr.key());
            if (kind == null || kind == SyntheticPullRequests.Kind.RUBBER_STAMP) {
                continue;
            }
            int j = index(feature.get(kind));
            double[] column = normal.stream().mapToDouble(v -> scaler.transform(v)[j]).sorted().toArray();
            double p999 = column[(int) (0.999 * (column.length - 1))];
            double value = scaler.transform(FeatureSpecV1.extract(pr))[j];
            assertThat(value).as("%s on %s", kind, feature.get(kind)).isGreaterThan(p999);
        }
    }

    /**
     * A rubber stamp is unusual only jointly: 14% of real PRs close within ten minutes, but a large
     * change from a first-time contributor's fork merged that fast without a word is rare.
     */
    @Test
    void rubberStampsAreAJointAnomaly() {
        SyntheticPullRequests.Generated set = SYNTHETIC;
        Map<String, SyntheticPullRequests.Kind> kinds = set.kindByKey();
        long normalMatches = 0;
        long normal = 0;
        int stamps = 0;
        for (PullRequest pr : set.pullRequests()) {
            double[] v = FeatureSpecV1.extract(pr);
            boolean joint = v[index("merged_fast")] == 1 && v[index("author_first_time")] == 1
                    && v[index("head_fork")] == 1 && v[index("log_changed_lines")] >= Math.log1p(3000)
                    && v[index("log_comments")] == 0 && v[index("log_review_comments")] == 0;
            SyntheticPullRequests.Kind kind = kinds.get(pr.key());
            if (kind == SyntheticPullRequests.Kind.RUBBER_STAMP) {
                stamps++;
                assertThat(joint).as(pr.key()).isTrue();
            } else if (kind == null) {
                normal++;
                normalMatches += joint ? 1 : 0;
            }
        }
        assertThat(stamps).isPositive();
        assertThat((double) normalMatches / normal).isLessThan(0.001);
        long fast = set.pullRequests().stream().filter(pr -> FeatureSpecV1.extract(pr)[index("merged_fast")] == 1)
                .count();
        assertThat((double) fast / set.pullRequests().size()).isGreaterThan(0.05);
    }

    @Test
    void realPullreqsRowsGiveFiniteFeaturesWhereTheDataHasInputs() throws IOException {
        List<double[]> rows = new ArrayList<>();
        for (PullRequest pr : SharedData.pullreqs(20_000)) {
            rows.add(FeatureSpecV1.extract(pr));
        }
        for (double[] v : rows) {
            for (String present : List.of("log_changed_lines", "log_changed_files", "log_commits", "log_comments",
                    "log_hours_to_close", "created_hour_of_week_sin", "author_none", "merged")) {
                assertThat(Double.isFinite(v[index(present)])).as(present).isTrue();
            }
        }
        RobustScaler scaler = RobustScaler.fit(FeatureSpecV1.SPEC, rows.toArray(double[][]::new));
        double[] scaledMedian = new double[FeatureSpecV1.size()];
        for (int j = 0; j < scaledMedian.length; j++) {
            int col = j;
            double[] c = rows.stream().mapToDouble(v -> v[col]).filter(x -> !Double.isNaN(x))
                    .map(x -> (x - scaler.center()[col]) / scaler.scale()[col]).sorted().toArray();
            scaledMedian[j] = c.length == 0 ? 0 : c[c.length / 2];
        }
        assertThat(Arrays.stream(scaledMedian).map(Math::abs).max().orElseThrow()).isLessThan(0.51);
    }
}
