package dev.prsentinel.core.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class FeatureStatisticsTest {

    @Test
    void countsMomentsQuantilesAndAHistogramThatAddsUp() {
        double[][] rows = new double[102][1];
        for (int i = 0; i < 101; i++) {
            rows[i][0] = i;
        }
        rows[101][0] = Double.NaN;
        FeatureStatistics s = FeatureStatistics.of("x", rows, 0);
        assertThat(s.count()).isEqualTo(101);
        assertThat(s.missing()).isEqualTo(1);
        assertThat(s.mean()).isCloseTo(50, within(1e-12));
        assertThat(s.std()).isCloseTo(29.3002, within(1e-4));
        assertThat(s.quantiles().get(FeatureStatistics.LEVELS.indexOf(0.5))).isEqualTo(50.0);
        assertThat(s.quantiles().get(FeatureStatistics.LEVELS.indexOf(0.99))).isEqualTo(99.0);
        assertThat(s.binEdges()).hasSize(FeatureStatistics.BINS + 1);
        assertThat(s.binCounts().stream().mapToLong(Long::longValue).sum()).isEqualTo(101);
        assertThat(s.binCounts().get(FeatureStatistics.BINS - 1)).isEqualTo(6);
    }

    @Test
    void aConstantOrEmptyColumnIsDescribedWithoutFailing() {
        FeatureStatistics constant = FeatureStatistics.of("c", new double[][] {{2}, {2}}, 0);
        assertThat(constant.binCounts()).containsExactly(2L);
        FeatureStatistics empty = FeatureStatistics.of("e", new double[][] {{Double.NaN}}, 0);
        assertThat(empty.count()).isZero();
        assertThat(empty.missing()).isEqualTo(1);
        assertThat(empty.binCounts()).isEmpty();
    }

    @Test
    void valuesOutsideTheEdgesFallIntoTheOuterBins() {
        double[] edges = {0, 1, 2, 3};
        assertThat(FeatureStatistics.bin(edges, -5)).isZero();
        assertThat(FeatureStatistics.bin(edges, 1.5)).isEqualTo(1);
        assertThat(FeatureStatistics.bin(edges, 3)).isEqualTo(2);
        assertThat(FeatureStatistics.bin(edges, 99)).isEqualTo(2);
    }
}
