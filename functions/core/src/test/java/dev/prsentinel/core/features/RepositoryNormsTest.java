package dev.prsentinel.core.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RepositoryNormsTest {

    private static final List<String> ONE = List.of("log_changed_lines");

    /** Norms of one base feature. */
    private static RepositoryNorms fit(String[] repos, double[] values, int shrinkage) {
        return RepositoryNorms.fit(ONE, repos, Arrays.stream(values).mapToObj(v -> new double[] {v})
                .toArray(double[][]::new), shrinkage);
    }

    @Test
    void aRepositoryIsBlendedWithTheGlobalNormByItsCount() {
        // Global: 0..9 from a/small and 20..29 from a/big.
        String[] repos = new String[20];
        double[] values = new double[20];
        for (int i = 0; i < 10; i++) {
            repos[i] = "a/small";
            values[i] = i;
            repos[10 + i] = "a/big";
            values[10 + i] = 20 + i;
        }
        RepositoryNorms norms = fit(repos, values, 10);
        double globalMedian = norms.global().center()[0];
        assertThat(globalMedian).isEqualTo(14.5);
        // a/big alone: median 24.5, IQR 4.5; ten own PRs against a pseudo-count of 10: half and half.
        RepositoryNorms.Norm big = norms.of("a/big");
        assertThat(big.prs()).isEqualTo(10);
        assertThat(big.center()[0]).isCloseTo(0.5 * 24.5 + 0.5 * globalMedian, within(1e-12));
        assertThat(big.spread()[0]).isCloseTo(0.5 * 4.5 + 0.5 * norms.global().spread()[0], within(1e-12));
        double[] out = new double[1];
        norms.relative("a/big", new double[] {big.center()[0] + 2 * big.spread()[0]}, out, 0);
        assertThat(out[0]).isCloseTo(2, within(1e-12));
        // Without shrinkage a repository is read against itself alone.
        assertThat(fit(repos, values, 0).of("a/big").center()[0]).isEqualTo(24.5);
    }

    @Test
    void aNewRepositoryIsReadAgainstTheGlobalNormAndOneWithASinglePrNearlySo() {
        String[] repos = {"a/x", "a/x", "a/x", "a/x", "a/one"};
        double[] values = {1, 2, 3, 4, 100};
        RepositoryNorms norms = fit(repos, values, 20);
        assertThat(norms.of("never/seen")).isSameAs(norms.global());
        assertThat(norms.of(null)).isSameAs(norms.global());
        RepositoryNorms.Norm one = norms.of("a/one");
        // One PR against twenty global ones: 1/21 of the way from the global median to its value.
        assertThat(one.prs()).isEqualTo(1);
        assertThat(one.center()[0]).isCloseTo(3 + (100 - 3) / 21.0, within(1e-12));
        // Its own spread is 0; blended, then never below the floor.
        assertThat(one.spread()[0]).isGreaterThanOrEqualTo(RepositoryNorms.MIN_SPREAD);
    }

    @Test
    void aSpreadNeverFallsBelowTheFloorAndMissingValuesAreLeftOut() {
        String[] repos = {"a/zero", "a/zero", "a/zero", "a/zero"};
        double[] values = {0, 0, Double.NaN, 0};
        RepositoryNorms norms = fit(repos, values, 0);
        assertThat(norms.of("a/zero").spread()[0]).isEqualTo(RepositoryNorms.MIN_SPREAD);
        assertThat(norms.of("a/zero").center()[0]).isZero();
        double[] out = new double[2];
        norms.relative("a/zero", new double[] {1}, out, 1);
        assertThat(out[1]).isEqualTo(1 / RepositoryNorms.MIN_SPREAD);
        norms.relative("a/zero", new double[] {Double.NaN}, out, 0);
        assertThat(out[0]).isNaN();
        // A repository with no value of a feature at all takes the global one.
        RepositoryNorms mixed = fit(new String[] {"a/none", "a/some", "a/some"}, new double[] {Double.NaN, 2, 4}, 5);
        assertThat(mixed.of("a/none").center()[0]).isEqualTo(mixed.global().center()[0]);
    }

    @Test
    void brokenNormsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> new RepositoryNorms.Norm(1, new double[] {Double.NaN}, new double[] {1}))
                .hasMessageContaining("center must be finite");
        assertThatThrownBy(() -> new RepositoryNorms.Norm(1, new double[] {0}, new double[] {0.1}))
                .hasMessageContaining("spread at least 0.5");
        RepositoryNorms.Norm norm = new RepositoryNorms.Norm(1, new double[] {0}, new double[] {1});
        assertThatThrownBy(() -> new RepositoryNorms(List.of("a", "b"), 1, norm, java.util.Map.of()))
                .hasMessageContaining("global norm of as many");
        assertThatThrownBy(() -> new RepositoryNorms(ONE, -1, norm, java.util.Map.of()))
                .hasMessageContaining("shrinkage must not be negative");
    }
}
