package dev.prsentinel.bluegreen.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The quality gate's statistics on samples whose answers are worked out by hand. */
class StatisticsTest {

    @Test
    void ksIsZeroForTheSameSampleAndOneForSamplesThatDoNotOverlap() {
        assertThat(Statistics.ks(new double[] {1, 2, 3}, new double[] {3, 1, 2})).isZero();
        assertThat(Statistics.ks(new double[] {1, 2, 3}, new double[] {4, 5, 6})).isEqualTo(1.0);
    }

    @Test
    void ksIsTheLargestGapBetweenTheDistributionFunctions() {
        // F_a reaches 0.5 at 2 while F_b is still 0: the gap is 0.5, and never larger.
        assertThat(Statistics.ks(new double[] {1, 2, 3, 4}, new double[] {3, 4, 5, 6})).isEqualTo(0.5);
        // Samples of different sizes: at 1, F_a = 1/2 and F_b = 1/4.
        assertThat(Statistics.ks(new double[] {1, 2}, new double[] {1, 2, 2, 2})).isEqualTo(0.25);
    }

    @Test
    void psiIsZeroWhenNothingMovedAndMatchesTheFormulaWhenHalfABinEmptied() {
        double[] expected = IntStream.range(0, 100).asDoubleStream().toArray();
        assertThat(Statistics.psi(expected, expected, 10)).isCloseTo(0, within(1e-12));
        // Two bins split at 50; everything now lies below it: shares (0.5, 0.5) -> (1, floor).
        double[] actual = IntStream.range(0, 100).map(i -> i / 2).asDoubleStream().toArray();
        double floor = Statistics.PSI_FLOOR;
        double byHand = (1 - 0.5) * Math.log(1 / 0.5) + (floor - 0.5) * Math.log(floor / 0.5);
        assertThat(Statistics.psi(expected, actual, 2)).isCloseTo(byHand, within(1e-12));
    }

    @Test
    void psiIsBlindInsideTiedBinsWhereKsIsNot() {
        double[] constant = new double[50];
        double[] shifted = IntStream.range(0, 50).mapToDouble(i -> i < 25 ? 0 : 1).toArray();
        // All of blue at one value: its bins merge into one, and PSI cannot see half of green move.
        assertThat(Statistics.psi(constant, shifted, 10)).isCloseTo(0, within(1e-12));
        // KS does: half of green lies above all of blue.
        assertThat(Statistics.ks(constant, shifted)).isEqualTo(0.5);
    }

    @Test
    void jaccardOfFlagSets() {
        assertThat(Statistics.jaccard(Set.of("a", "b"), Set.of("b", "c"))).isEqualTo(1.0 / 3);
        assertThat(Statistics.jaccard(Set.of(), Set.of())).isEqualTo(1.0);
        assertThat(Statistics.jaccard(Set.of("a"), Set.of())).isZero();
    }

    @Test
    void emptySamplesAreRefused() {
        assertThatThrownBy(() -> Statistics.ks(new double[0], new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-empty");
    }
}
