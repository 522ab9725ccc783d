package dev.prsentinel.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.anomaly.ModelPackage;
import dev.prsentinel.core.features.Feature;
import dev.prsentinel.core.features.FeatureSpecV1;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The gate's rule on hand-made models: an identity-like net and a net that outputs zeros. */
class GateTest {

    private static final int N = FeatureSpecV1.size();

    /** Reconstructs x * gain through one hidden layer as wide as the input (so gain 1 is perfect). */
    private static ModelPackage model(float gain, double threshold) {
        float[] w1 = new float[N * N];
        float[] w2 = new float[N * N];
        for (int i = 0; i < N; i++) {
            w1[i * N + i] = 1;
            w2[i * N + i] = gain;
        }
        float[] b = new float[N];
        List<ModelPackage.Layer> layers = List.of(new ModelPackage.Layer(N, N, "linear", w1, b),
                new ModelPackage.Layer(N, N, "linear", w2, b));
        double[] ones = new double[N];
        Arrays.fill(ones, 1);
        return new ModelPackage(ModelPackage.FORMAT, 1, FeatureSpecV1.FEATURES.stream().map(Feature::name).toList(),
                layers, new double[N], ones, threshold, 99, new double[N], ones, new double[N], ones, Map.of());
    }

    private static float[][] rows() {
        return rows(5000);
    }

    private static float[][] rows(int n) {
        Random r = new Random(5);
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] row = new float[N];
            for (int j = 0; j < N; j++) {
                row[j] = (float) r.nextGaussian();
            }
            rows.add(row);
        }
        return rows.toArray(float[][]::new);
    }

    @Test
    void aBetterCalibratedChallengerGoesForward() {
        float[][] rows = rows();
        // gain 0.9: error per row = mean(0.01 x^2) ~ 0.01; a threshold at ~0.02 flags a few rows.
        Gate.Verdict v = Gate.defaults().judge(model(0.9f, 0.019), model(0.5f, 0.3), rows);
        assertThat(v.reasons()).isEmpty();
        assertThat(v.candidate()).isTrue();
        assertThat(v.challengerLoss()).isLessThan(v.championLoss());
    }

    @Test
    void aWorseChallengerIsRejectedWithTheReason() {
        Gate.Verdict v = Gate.defaults().judge(model(0.5f, 0.3), model(0.9f, 0.019), rows());
        assertThat(v.candidate()).isFalse();
        assertThat(v.reasons()).anyMatch(r -> r.contains("worse than the champion"));
    }

    @Test
    void aMiscalibratedThresholdIsRejectedEvenWithoutAChampion() {
        Gate.Verdict flagsAll = Gate.defaults().judge(model(0.9f, 1e-6), null, rows());
        assertThat(flagsAll.candidate()).isFalse();
        assertThat(flagsAll.reasons()).singleElement().asString().contains("outside");
        Gate.Verdict flagsNone = Gate.defaults().judge(model(0.9f, 100), null, rows());
        assertThat(flagsNone.candidate()).isFalse();
        assertThat(flagsNone.reasons()).singleElement().asString().contains("(0 of 5000)");
        assertThat(Double.isNaN(flagsNone.championLoss())).isTrue();
    }

    @Test
    void onASmallHeldOutSetOnlyAnImplausibleCountFails() {
        // 20 rows: flagging none is what a 1% model does two times in three.
        assertThat(Gate.defaults().judge(model(0.9f, 100), null, rows(20)).candidate()).isTrue();
        assertThat(Gate.defaults().judge(model(0.9f, 1e-6), null, rows(20)).candidate()).isFalse();
    }

    @Test
    void theBinomialTailMatchesHandValues() {
        assertThat(Gate.binomialCdf(0, 20, 0.05)).isCloseTo(Math.pow(0.95, 20), org.assertj.core.data.Offset
                .offset(1e-12));
        assertThat(Gate.binomialCdf(1, 10, 0.5)).isCloseTo(11.0 / 1024, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(Gate.binomialCdf(280, 28_000, 0.01)).isBetween(0.5, 0.6);
        assertThat(Gate.binomialCdf(-1, 10, 0.5)).isZero();
    }
}
