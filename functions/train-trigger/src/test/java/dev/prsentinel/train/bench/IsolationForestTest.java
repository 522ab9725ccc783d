package dev.prsentinel.train.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class IsolationForestTest {

    @Test
    void theAveragePathIsThePapersCOfN() {
        assertThat(IsolationForest.averagePath(1)).isZero();
        assertThat(IsolationForest.averagePath(2)).isEqualTo(1);
        // c(256) = 2 H(255) - 2 * 255 / 256, H(i) ~ ln(i) + Euler's constant: 10.24.
        assertThat(IsolationForest.averagePath(256)).isCloseTo(10.24, within(0.01));
    }

    @Test
    void aPointFarFromAGaussianCloudScoresHighAndItsCentreLow() {
        Random random = new Random(5);
        float[][] cloud = new float[5_000][];
        for (int i = 0; i < cloud.length; i++) {
            cloud[i] = new float[] {(float) random.nextGaussian(), (float) random.nextGaussian(),
                (float) random.nextGaussian()};
        }
        IsolationForest forest = IsolationForest.fit(cloud, 100, 256, 42);
        double centre = forest.score(new float[] {0, 0, 0});
        double far = forest.score(new float[] {6, -6, 6});
        double oneAxis = forest.score(new float[] {0, 8, 0});
        assertThat(centre).isLessThan(0.5);
        assertThat(far).isGreaterThan(0.65).isGreaterThan(centre);
        // Far out on one axis of three: isolated only by splits on that axis, so less clearly than a
        // point far out on all three (why the forest misses single-feature anomalies among 30 features).
        assertThat(oneAxis).isGreaterThan(0.5).isGreaterThan(centre).isLessThan(far);
    }

    @Test
    void theSameSeedGivesTheSameForest() {
        Random random = new Random(9);
        float[][] rows = new float[1_000][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new float[] {random.nextFloat(), random.nextFloat()};
        }
        float[] probe = {0.3f, 0.9f};
        assertThat(IsolationForest.fit(rows, 50, 128, 1).score(probe))
                .isEqualTo(IsolationForest.fit(rows, 50, 128, 1).score(probe));
    }
}
