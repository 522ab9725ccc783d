package dev.prsentinel.core.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import dev.prsentinel.core.testing.PullRequests;
import dev.prsentinel.core.testing.SharedData;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FeatureSpecV2Test {

    private static final Instant T = Instant.parse("2024-05-06T10:00:00Z");
    private static final int HOURS_OPEN = FeatureSpecV2.SPEC.names().indexOf("log_hours_open");
    private static final int OPEN = FeatureSpecV2.SPEC.names().indexOf("open");

    private static PullRequest pr(String state, Boolean merged, Instant created, Instant updated, Instant mergedAt,
            Instant closedAt) {
        return new PullRequest("a/b", 1, Source.API, 1, 1, state, false, merged, 1, 1, 2, 1, 1, 0, 0, List.of(), 0,
                "NONE", "x", created, updated, mergedAt, closedAt, "main", "x", false);
    }

    @Test
    void itIsV1WithTheCloseTimeReplacedInPlaceAndOpenAppended() {
        List<String> expected = new ArrayList<>(FeatureSpecV1.SPEC.names());
        expected.set(expected.indexOf("log_hours_to_close"), "log_hours_open");
        expected.add("open");
        assertThat(FeatureSpecV2.SPEC.names()).containsExactlyElementsOf(expected);
        assertThat(new HashSet<>(FeatureSpecV2.SPEC.names())).hasSize(FeatureSpecV2.SPEC.size());
        assertThat(FeatureSpecs.of(2)).containsSame(FeatureSpecV2.SPEC);
        assertThat(FeatureSpecs.of(1)).containsSame(FeatureSpecV1.SPEC);
        assertThat(FeatureSpecs.of(5)).isEmpty();
    }

    /** Every 0/1 feature is a flag, and only those: a measured quantity is never held within a limit. */
    @Test
    void theFlagsAndOnlyTheFlagsAreUnitScaled() {
        SyntheticPullRequests.Generated set = SyntheticPullRequests.generate(3, 3_000, 4, 0.02, T);
        for (int j = 0; j < FeatureSpecV2.SPEC.size(); j++) {
            Feature f = FeatureSpecV2.FEATURES.get(j);
            int col = j;
            boolean zeroOne = set.pullRequests().stream().mapToDouble(p -> FeatureSpecV2.SPEC.extract(p)[col])
                    .filter(v -> !Double.isNaN(v)).allMatch(v -> v == 0 || v == 1);
            assertThat(f.scaling()).as(f.name()).isEqualTo(zeroOne ? Feature.Scaling.FLAG : Feature.Scaling.ROBUST);
        }
        assertThat(FeatureSpecV1.FEATURES).allMatch(f -> f.scaling() == Feature.Scaling.ROBUST);
    }

    @Test
    void anOpenPrHasBeenOpenUntilItsLastUpdate() {
        Instant created = T.minus(Duration.ofDays(3 * 365));
        double[] v = FeatureSpecV2.SPEC.extract(pr("open", false, created, T, null, null));
        assertThat(v[HOURS_OPEN]).isCloseTo(Math.log1p(3 * 365 * 24), within(1e-12));
        assertThat(v[OPEN]).isEqualTo(1);
        assertThat(FeatureSpecV1.extract(pr("open", false, created, T, null, null))[HOURS_OPEN]).isNaN();
    }

    @Test
    void aClosedOrMergedPrHasBeenOpenUntilItClosedAsInV1() {
        Instant closed = T.plus(Duration.ofHours(5));
        PullRequest merged = pr("closed", true, T, closed.plus(Duration.ofDays(9)), closed, closed);
        double[] v = FeatureSpecV2.SPEC.extract(merged);
        assertThat(v[HOURS_OPEN]).isEqualTo(Math.log1p(5)).isEqualTo(FeatureSpecV1.extract(merged)[HOURS_OPEN]);
        assertThat(v[OPEN]).isZero();
        // The merge time stands in when a source (pullreqs) records no separate close.
        assertThat(FeatureSpecV2.SPEC.extract(pr("closed", true, T, null, closed, null))[HOURS_OPEN])
                .isEqualTo(Math.log1p(5));
    }

    @Test
    void withoutTheTimesOrTheStateTheyAreMissing() {
        assertThat(FeatureSpecV2.SPEC.extract(pr("open", false, T, null, null, null))[HOURS_OPEN]).isNaN();
        assertThat(FeatureSpecV2.SPEC.extract(pr("open", false, null, T, null, null))[HOURS_OPEN]).isNaN();
        double[] stateless = FeatureSpecV2.SPEC.extract(pr(null, null, T, T, null, null));
        assertThat(stateless[OPEN]).isNaN();
        assertThat(stateless[HOURS_OPEN]).isNaN();
    }

    /** Where the specs agree they are computed once: every feature but the two new ones equals v1's. */
    @Test
    void everyOtherFeatureIsV1sValueBitForBit() throws IOException {
        List<PullRequest> prs = new ArrayList<>(SyntheticPullRequests.generate(9, 2_000, 5, 0.05, T).pullRequests());
        prs.add(PullRequests.complete(1, T));
        prs.add(PullRequests.partial(2, T));
        prs.addAll(SharedData.pullreqs(5_000));
        Random random = new Random(1);
        for (SyntheticPullRequests.Kind kind : SyntheticPullRequests.Kind.values()) {
            prs.add(SyntheticPullRequests.inject(random, PullRequests.complete(3, T), kind,
                    T.plus(Duration.ofDays(1))));
        }
        for (PullRequest p : prs) {
            double[] v1 = FeatureSpecV1.extract(p);
            double[] v2 = FeatureSpecV2.SPEC.extract(p);
            for (int j = 0; j < v1.length; j++) {
                if (j != HOURS_OPEN) {
                    assertThat(Double.doubleToRawLongBits(v2[j])).as("%s %s", p.key(), FeatureSpecV1.FEATURES.get(j))
                            .isEqualTo(Double.doubleToRawLongBits(v1[j]));
                }
            }
            if (!Double.isNaN(v1[HOURS_OPEN])) {
                assertThat(v2[HOURS_OPEN]).isEqualTo(v1[HOURS_OPEN]);
            }
        }
    }

    @Test
    void realPullreqsRowsAreClosedWithAFiniteTimeOpen() throws IOException {
        for (PullRequest p : SharedData.pullreqs(20_000)) {
            double[] v = FeatureSpecV2.SPEC.extract(p);
            assertThat(v[OPEN]).isZero();
            assertThat(Double.isFinite(v[HOURS_OPEN])).isTrue();
        }
    }

    /** A rare draft is held at the flag limit under v2, where v1 let it grow past it. */
    @Test
    void aRareDraftIsOneUnitAwayFromTypical() {
        SyntheticPullRequests.Generated set = SyntheticPullRequests.generate(5, 5_000, 6, 0.0, T);
        double[][] rows = set.pullRequests().stream().map(FeatureSpecV2.SPEC::extract).toArray(double[][]::new);
        int draft = FeatureSpecV2.SPEC.names().indexOf("draft");
        double share = Arrays.stream(rows).mapToDouble(r -> r[draft]).filter(v -> v == 1).count()
                / (double) rows.length;
        assertThat(share).isBetween(0.001, 0.08);
        int first = 0;
        while (rows[first][draft] != 1) {
            first++;
        }
        assertThat(RobustScaler.fit(FeatureSpecV2.SPEC, rows).transform(rows[first])[draft])
                .isEqualTo(Feature.Scaling.FLAG_LIMIT);
        double[][] v1 = set.pullRequests().stream().map(FeatureSpecV1::extract).toArray(double[][]::new);
        assertThat(RobustScaler.fit(FeatureSpecV1.SPEC, v1).transform(v1[first])[draft])
                .isGreaterThan(Feature.Scaling.FLAG_LIMIT);
    }
}
