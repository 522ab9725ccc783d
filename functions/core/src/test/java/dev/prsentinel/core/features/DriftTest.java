package dev.prsentinel.core.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DriftTest {

    private static double[][] column(double mean, int n, long seed) {
        Random r = new Random(seed);
        double[][] rows = new double[n][1];
        for (int i = 0; i < n; i++) {
            rows[i][0] = mean + r.nextGaussian();
        }
        return rows;
    }

    @Test
    void theSameDistributionIsStableAndAShiftIsLarge() {
        FeatureStatistics reference = FeatureStatistics.of("x", column(0, 20_000, 1), 0);
        double[] same = new double[20_000];
        double[] shifted = new double[20_000];
        double[][] a = column(0, 20_000, 2);
        double[][] b = column(1, 20_000, 3);
        for (int i = 0; i < same.length; i++) {
            same[i] = a[i][0];
            shifted[i] = b[i][0];
        }
        double stable = Drift.psi(reference.binCounts(), Drift.recount(reference.binEdges(), same));
        double drifted = Drift.psi(reference.binCounts(), Drift.recount(reference.binEdges(), shifted));
        assertThat(stable).isLessThan(0.01);
        assertThat(drifted).isGreaterThan(0.25);
    }

    @Test
    void matchesAHandComputedValue() {
        // p = (0.5, 0.5), q = (0.25, 0.75): (0.25-0.5) ln(0.5) + (0.75-0.5) ln(1.5)
        double expected = -0.25 * Math.log(0.5) + 0.25 * Math.log(1.5);
        assertThat(Drift.psi(List.of(50L, 50L), List.of(25L, 75L))).isCloseTo(expected, within(1e-12));
        assertThat(Drift.psi(List.of(10L, 0L), List.of(10L, 0L))).isCloseTo(0, within(1e-12));
    }
}
