package dev.prsentinel.train.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RankingTest {

    @Test
    void aPerfectRankingScoresOneAndAReversedOneZero() {
        double[] normal = {0.1, 0.2, 0.3};
        double[] anomalous = {0.8, 0.9};
        assertThat(Ranking.rocAuc(normal, anomalous)).isEqualTo(1.0);
        assertThat(Ranking.averagePrecision(normal, anomalous)).isEqualTo(1.0);
        assertThat(Ranking.rocAuc(anomalous, normal)).isEqualTo(0.0);
    }

    @Test
    void handWorkedExamples() {
        // Anomalies at 0.9 and 0.4; normals 0.5 and 0.1: of the 4 pairs, 3 are ordered right.
        double[] normal = {0.5, 0.1};
        double[] anomalous = {0.9, 0.4};
        assertThat(Ranking.rocAuc(normal, anomalous)).isEqualTo(0.75);
        // Ranked 0.9 (hit, precision 1), 0.5, 0.4 (hit, precision 2/3): AP = (1 + 2/3) / 2.
        assertThat(Ranking.averagePrecision(normal, anomalous)).isCloseTo(5.0 / 6, within(1e-12));
    }

    @Test
    void tiesCountHalfAndAreNotBrokenInTheModelsFavour() {
        double[] same = {1, 1, 1, 1};
        assertThat(Ranking.rocAuc(same, new double[] {1, 1})).isEqualTo(0.5);
        // Every row at one score: precision is the prevalence, 2 of 6.
        assertThat(Ranking.averagePrecision(same, new double[] {1, 1})).isCloseTo(1.0 / 3, within(1e-12));
    }

    @Test
    void randomScoresGiveAboutOneHalf() {
        Random random = new Random(1);
        double[] normal = random.doubles(20_000).toArray();
        double[] anomalous = random.doubles(2_000).toArray();
        assertThat(Ranking.rocAuc(normal, anomalous)).isCloseTo(0.5, within(0.02));
        assertThat(Ranking.averagePrecision(normal, anomalous)).isCloseTo(2_000 / 22_000.0, within(0.01));
    }
}
