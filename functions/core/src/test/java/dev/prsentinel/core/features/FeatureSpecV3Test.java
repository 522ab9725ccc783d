package dev.prsentinel.core.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import dev.prsentinel.core.testing.PullRequests;
import dev.prsentinel.core.testing.SharedData;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureSpecV3Test {

    private static final Instant T = Instant.parse("2024-05-06T10:00:00Z");
    private static final int OWN = FeatureSpecV2.SPEC.size();
    private static final int LINES = FeatureSpecV3.SPEC.names().indexOf("log_changed_lines_vs_repo");
    private static final int REPO_LINES = FeatureSpecV3.SPEC.names().indexOf("repo_log_changed_lines");
    private static final int COMMENTS = FeatureSpecV3.SPEC.names().indexOf("log_comments_vs_repo");

    /** A merged PR of {@code repo} with that many changed lines over 10 files in 2 commits, 3 comments. */
    private static PullRequest pr(String repo, int number, int lines) {
        return new PullRequest(repo, number, Source.API, 20, 100, "closed", false, true, lines / 2, lines - lines / 2,
                lines, 10, 2, 3, 1, List.of(), 1, "MEMBER", "alice", T.minusSeconds(7200), T, T, T, "main", "x", false);
    }

    @Test
    void itIsV2ThenEachBaseAgainstTheRepositoryThenTheRepositorysCenters() {
        List<String> expected = new ArrayList<>(FeatureSpecV2.SPEC.names());
        FeatureSpecV3.NORMED.forEach(b -> expected.add(b + "_vs_repo"));
        FeatureSpecV3.NORMED.forEach(b -> expected.add("repo_" + b));
        assertThat(FeatureSpecV3.SPEC.names()).containsExactlyElementsOf(expected);
        assertThat(new HashSet<>(FeatureSpecV3.SPEC.names())).hasSize(46);
        assertThat(FeatureSpecV3.SPEC.features().subList(0, OWN)).isEqualTo(FeatureSpecV2.FEATURES);
        assertThat(FeatureSpecV3.SPEC.features().subList(OWN, 46)).extracting(Feature::scaling)
                .containsOnly(Feature.Scaling.ROBUST);
        assertThat(FeatureSpecV3.SPEC.normed()).isEqualTo(FeatureSpecV3.NORMED);
        assertThat(FeatureSpecV2.SPEC.normed()).isEmpty();
        assertThat(FeatureSpecs.of(3)).containsSame(FeatureSpecV3.SPEC);
    }

    @Test
    void aPrIsReadAgainstItsOwnRepositorysNormal() {
        List<PullRequest> prs = new ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            prs.add(pr("big/repo", i, 4000 + 10 * i));
            prs.add(pr("small/repo", i, 20 + i % 7));
        }
        RepositoryNorms norms = FeatureSpecV3.SPEC.fitNorms(prs);
        double[] inBig = FeatureSpecV3.SPEC.extract(pr("big/repo", 999, 5000), norms);
        double[] inSmall = FeatureSpecV3.SPEC.extract(pr("small/repo", 999, 5000), norms);
        double[] elsewhere = FeatureSpecV3.SPEC.extract(pr("new/repo", 1, 5000), norms);
        // The same change: ordinary where changes are that size, far out where they are tiny.
        assertThat(Math.abs(inBig[LINES])).isLessThan(1);
        assertThat(inSmall[LINES]).isGreaterThan(5);
        // A repository never seen is read against the whole window's normal.
        RepositoryNorms.Norm global = norms.global();
        assertThat(elsewhere[LINES]).isCloseTo((Math.log1p(5000) - global.center()[0]) / global.spread()[0],
                within(1e-12));
        assertThat(elsewhere[REPO_LINES]).isEqualTo(global.center()[0]);
        // The repository's own center is a feature, so the model knows whose normal it is.
        assertThat(inBig[REPO_LINES]).isEqualTo(norms.of("big/repo").center()[0]);
        assertThat(inBig[REPO_LINES]).isGreaterThan(inSmall[REPO_LINES]);
        // The global features are v2's, whatever the repository.
        double[] v2 = FeatureSpecV2.SPEC.extract(pr("big/repo", 999, 5000));
        for (int j = 0; j < OWN; j++) {
            assertThat(inBig[j]).as(FeatureSpecV3.SPEC.names().get(j)).isEqualTo(inSmall[j]).isEqualTo(v2[j]);
        }
    }

    @Test
    void ownFeaturesAreV2BitForBitOnRealRowsAndTheRestAreFilledByRelate() throws IOException {
        List<PullRequest> prs = new ArrayList<>(SharedData.pullreqs(5_000));
        prs.add(PullRequests.complete(1, T));
        prs.add(PullRequests.partial(2, T));
        RepositoryNorms norms = FeatureSpecV3.SPEC.fitNorms(prs);
        for (PullRequest p : prs) {
            double[] own = new double[46];
            FeatureSpecV3.SPEC.extractOwn(p, own);
            double[] v2 = FeatureSpecV2.SPEC.extract(p);
            for (int j = 0; j < OWN; j++) {
                assertThat(Double.doubleToRawLongBits(own[j])).as(p.key() + " " + j)
                        .isEqualTo(Double.doubleToRawLongBits(v2[j]));
            }
            for (int j = OWN; j < 46; j++) {
                assertThat(own[j]).isNaN();
            }
            FeatureSpecV3.SPEC.relate(p.repo(), norms, own);
            assertThat(own).containsExactly(FeatureSpecV3.SPEC.extract(p, norms));
        }
        // A review webhook's PR has no counts: read against nothing, its relative features stay missing.
        double[] partial = FeatureSpecV3.SPEC.extract(PullRequests.partial(3, T), norms);
        assertThat(partial[LINES]).isNaN();
        assertThat(partial[COMMENTS]).isNaN();
        assertThat(partial[REPO_LINES]).isFinite();
    }

    @Test
    void withoutNormsOrWithTheWrongOnesItRefusesToGuess() {
        PullRequest p = pr("a/b", 1, 100);
        assertThatThrownBy(() -> FeatureSpecV3.SPEC.extract(p))
                .hasMessage("spec v3 reads a PR against its repository's norms, and none were given");
        RepositoryNorms other = new RepositoryNorms(List.of("log_changed_lines"), 0,
                new RepositoryNorms.Norm(1, new double[] {0}, new double[] {1}), Map.of());
        assertThatThrownBy(() -> FeatureSpecV3.SPEC.extract(p, other)).hasMessageContaining("spec v3 reads");
    }
}
