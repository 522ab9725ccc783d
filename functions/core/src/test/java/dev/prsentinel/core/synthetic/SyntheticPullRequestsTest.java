package dev.prsentinel.core.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.prsentinel.core.github.GitHubPullRequests;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

class SyntheticPullRequestsTest {

    private static final Instant END = Instant.parse("2026-11-01T00:00:00Z");
    private static final SyntheticPullRequests.Generated SET = SyntheticPullRequests.generate(1, 20_000, 6, 0.01, END);

    @Test
    void theSameSeedGivesTheSamePullRequests() {
        assertThat(SyntheticPullRequests.generate(1, 500, 6, 0.01, END))
                .isEqualTo(SyntheticPullRequests.generate(1, 500, 6, 0.01, END));
        assertThat(SyntheticPullRequests.generate(2, 500, 6, 0.01, END).pullRequests())
                .isNotEqualTo(SyntheticPullRequests.generate(1, 500, 6, 0.01, END).pullRequests());
    }

    @Test
    void keysAreUniqueAndEveryPrIsComplete() {
        Set<String> keys = new HashSet<>();
        for (PullRequest pr : SET.pullRequests()) {
            assertThat(keys.add(pr.key())).isTrue();
            assertThat(pr.hasDetail()).isTrue();
            assertThat(pr.source()).isEqualTo(Source.SYNTHETIC);
            assertThat(pr.createdAt()).isBefore(END);
            assertThat(pr.updatedAt()).isAfterOrEqualTo(pr.createdAt()).isBeforeOrEqualTo(END);
            assertThat(pr.additions() + pr.deletions()).isEqualTo(pr.changedLines());
            if (Boolean.TRUE.equals(pr.merged())) {
                assertThat(pr.mergedAt()).isNotNull();
                assertThat(pr.state()).isEqualTo("closed");
            }
        }
    }

    @Test
    void anomaliesOfEveryKindAreInjectedAndListed() {
        List<SyntheticPullRequests.InjectedAnomaly> anomalies = SET.anomalies();
        assertThat(anomalies.size()).isBetween(150, 250);
        assertThat(anomalies).extracting(SyntheticPullRequests.InjectedAnomaly::kind)
                .containsAll(SyntheticPullRequests.Kind.DEMO);
        for (SyntheticPullRequests.InjectedAnomaly a : anomalies) {
            PullRequest pr = SET.pullRequests().stream()
                    .filter(p -> p.key().equals(a.key())).findFirst().orElseThrow();
            switch (a.kind()) {
                case HUGE_CHANGE -> assertThat(pr.changedLines()).isGreaterThanOrEqualTo(50_000);
                case SIZE_MISMATCH -> assertThat(pr.changedFiles()).isEqualTo(1);
                case COMMIT_STORM -> assertThat(pr.commits()).isGreaterThanOrEqualTo(300);
                case RUBBER_STAMP -> assertThat(pr.mergedAt().getEpochSecond() - pr.createdAt().getEpochSecond())
                        .isLessThanOrEqualTo(300);
                case COMMENT_FLOOD -> assertThat(pr.comments()).isGreaterThanOrEqualTo(150);
                default -> throw new AssertionError(a.kind());
            }
        }
    }

    /**
     * Every kind, injected into generated PRs, gives a PR whose fields agree with each other (a merge
     * closes it, no time passes the end, an open PR has no close) and shows the kind's own facts.
     */
    @Test
    void everyKindGivesAConsistentPullRequest() {
        java.util.Random random = new java.util.Random(3);
        java.time.Instant end = java.time.Instant.parse("2026-11-01T00:00:00Z");
        for (SyntheticPullRequests.Kind kind : SyntheticPullRequests.Kind.values()) {
            for (PullRequest normal : SET.pullRequests().subList(0, 300)) {
                PullRequest pr = SyntheticPullRequests.inject(random, normal, kind, end);
                String what = kind + " of " + normal.key();
                assertThat(pr.createdAt()).as(what).isBeforeOrEqualTo(pr.updatedAt());
                assertThat(pr.updatedAt()).as(what).isBeforeOrEqualTo(end);
                if (Boolean.TRUE.equals(pr.merged())) {
                    assertThat(pr.state()).as(what).isEqualTo("closed");
                    assertThat(pr.mergedAt()).as(what).isEqualTo(pr.closedAt()).isAfterOrEqualTo(pr.createdAt())
                            .isBeforeOrEqualTo(end);
                }
                if ("open".equals(pr.state())) {
                    assertThat(pr.closedAt()).as(what).isNull();
                    assertThat(pr.mergedAt()).as(what).isNull();
                }
                assertThat(pr.changedLines()).as(what).isEqualTo(pr.additions() + pr.deletions());
                long mergeSeconds = pr.mergedAt() == null ? -1
                        : pr.mergedAt().getEpochSecond() - pr.createdAt().getEpochSecond();
                switch (kind) {
                    case LONG_OPEN -> {
                        assertThat(pr.state()).isEqualTo("open");
                        assertThat(java.time.Duration.between(pr.createdAt(), end).toDays()).isBetween(730L, 2190L);
                    }
                    case NEWCOMER_MASS_CHANGE -> {
                        assertThat(pr.authorAssociation()).isEqualTo("NONE");
                        assertThat(pr.changedFiles()).isBetween(200, 1_000);
                        assertThat(mergeSeconds).isBetween(120L, 900L);
                    }
                    case INSTANT_GIANT_MERGE -> {
                        assertThat(pr.changedLines()).isGreaterThanOrEqualTo(30_000);
                        assertThat(mergeSeconds).isBetween(5L, 60L);
                    }
                    case MANY_FILES_NO_CHURN -> assertThat(pr.changedLines()).isBetween(pr.changedFiles(),
                            2 * pr.changedFiles());
                    case REVIEWLESS_MERGE -> {
                        assertThat(pr.authorAssociation()).isEqualTo("CONTRIBUTOR");
                        assertThat(pr.comments() + pr.reviewComments() + pr.requestedReviewers()).isZero();
                        assertThat(mergeSeconds).isBetween(2 * 3600L, 48 * 3600L);
                    }
                    default -> assertThat(SyntheticPullRequests.Kind.DEMO).contains(kind);
                }
            }
        }
    }

    /** The normal PRs reproduce the real data set's fitted quantiles, rates and weekly profile. */
    @Test
    void distributionsMatchTheFittedParameters() {
        Map<String, SyntheticPullRequests.Kind> kinds = SET.kindByKey();
        List<PullRequest> normal = SET.pullRequests().stream().filter(pr -> !kinds.containsKey(pr.key())).toList();
        List<ToIntFunction<PullRequest>> fields = List.of(PullRequest::commits, PullRequest::changedFiles,
                PullRequest::changedLines, PullRequest::comments, PullRequest::reviewComments);
        for (int f = 0; f < fields.size(); f++) {
            int[] values = normal.stream().mapToInt(fields.get(f)).sorted().toArray();
            for (int k : new int[] {6, 9, 10, 11, 12, 13}) {
                double level = SyntheticPullRequests.LEVELS[k];
                int generated = values[(int) Math.round(level * (values.length - 1))];
                int fitted = SyntheticPullRequests.QUANTILES[f][k];
                // Commits and files are clamped at 1, where the data has a few zeros.
                assertThat(Math.log1p(generated)).as("field %d at p%.1f", f, level * 100)
                        .isCloseTo(Math.log1p(Math.max(f < 2 ? 1 : 0, fitted)), within(0.25));
            }
        }
        long closed = normal.stream().filter(pr -> "closed".equals(pr.state())).count();
        long merged = normal.stream().filter(pr -> Boolean.TRUE.equals(pr.merged())).count();
        assertThat((double) merged / closed).isCloseTo(SyntheticPullRequests.MERGED, within(0.02));
        long members = normal.stream().filter(pr -> "MEMBER".equals(pr.authorAssociation())).count();
        assertThat((double) members / normal.size()).isCloseTo(SyntheticPullRequests.MEMBER, within(0.02));
        long weekend = normal.stream().filter(pr -> pr.createdAt().atZone(ZoneOffset.UTC).getDayOfWeek()
                .getValue() >= 6).count();
        // The fitted profile puts about 10% of PRs on weekends.
        assertThat((double) weekend / normal.size()).isBetween(0.07, 0.14);
        long zeroLines = normal.stream().filter(pr -> pr.changedLines() == 0).count();
        assertThat((double) zeroLines / normal.size()).isBetween(0.15, 0.25);
    }

    @Test
    void theNormalCdfAndQuantileFunctionAreRight() {
        assertThat(SyntheticPullRequests.normalCdf(0)).isCloseTo(0.5, within(1e-7));
        assertThat(SyntheticPullRequests.normalCdf(1.959964)).isCloseTo(0.975, within(1e-6));
        assertThat(SyntheticPullRequests.normalCdf(-1.959964)).isCloseTo(0.025, within(1e-6));
        int[] knots = SyntheticPullRequests.QUANTILES[2];
        assertThat(SyntheticPullRequests.quantile(knots, 0.5)).isEqualTo(knots[6]);
        assertThat(SyntheticPullRequests.quantile(knots, 1.0)).isEqualTo(knots[knots.length - 1]);
        assertThat(SyntheticPullRequests.quantile(knots, 0.0)).isZero();
    }

    @Test
    void theirWebhookJsonMapsBackToThemselves() {
        for (PullRequest pr : SET.pullRequests().subList(0, 500)) {
            assertThat(GitHubPullRequests.fromJson(GitHubPullRequests.toJson(pr), null, Source.SYNTHETIC, "pr"))
                    .isEqualTo(pr);
        }
    }

    @Test
    void choleskyReproducesTheMatrix() {
        double[][] l = SyntheticPullRequests.cholesky(SyntheticPullRequests.CORR);
        for (int i = 0; i < l.length; i++) {
            for (int j = 0; j < l.length; j++) {
                double sum = 0;
                for (int k = 0; k < l.length; k++) {
                    sum += l[i][k] * l[j][k];
                }
                assertThat(sum).isCloseTo(SyntheticPullRequests.CORR[i][j], within(1e-12));
            }
        }
    }
}
