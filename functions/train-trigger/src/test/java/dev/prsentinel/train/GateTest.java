package dev.prsentinel.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.anomaly.ModelPackage;
import dev.prsentinel.core.features.FeatureSpec;
import dev.prsentinel.core.features.FeatureSpecV1;
import dev.prsentinel.core.features.FeatureSpecV2;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The gate's rule on hand-made models: an identity-like net and a net that outputs zeros. */
class GateTest {

    private static final int N = FeatureSpecV1.size();

    private static ModelPackage model(float gain, double threshold) {
        return model(FeatureSpecV1.SPEC, gain, threshold);
    }

    /** Reconstructs x * gain through one hidden layer as wide as the input (so gain 1 is perfect). */
    private static ModelPackage model(FeatureSpec spec, float gain, double threshold) {
        int n = spec.size();
        float[] w1 = new float[n * n];
        float[] w2 = new float[n * n];
        for (int i = 0; i < n; i++) {
            w1[i * n + i] = 1;
            w2[i * n + i] = gain;
        }
        float[] b = new float[n];
        List<ModelPackage.Layer> layers = List.of(new ModelPackage.Layer(n, n, "linear", w1, b),
                new ModelPackage.Layer(n, n, "linear", w2, b));
        double[] ones = new double[n];
        Arrays.fill(ones, 1);
        return new ModelPackage(ModelPackage.FORMAT, spec.version(), spec.names(), layers, new double[n], ones,
                threshold, 99, new double[n], ones, new double[n], ones, Map.of(), null);
    }

    private static float[][] rows() {
        return rows(5000);
    }

    private static float[][] rows(int n) {
        return rows(n, N);
    }

    private static float[][] rows(int n, int width) {
        Random r = new Random(5);
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] row = new float[width];
            for (int j = 0; j < width; j++) {
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

    /**
     * Against a champion of an older spec the losses are not compared: they are errors over other
     * inputs. A challenger whose loss would lose to it still goes forward when it is calibrated.
     */
    @Test
    void aChampionOfAnotherSpecIsNotComparedByLoss() {
        float[][] rows = rows(5000, FeatureSpecV2.SPEC.size());
        // gain 0.5: error per row = 0.25 mean(x^2); mean(x^2) over 32 columns passes 1.67 in about 1% of rows.
        ModelPackage challenger = model(FeatureSpecV2.SPEC, 0.5f, 0.42);
        Gate.Verdict v = Gate.defaults().judge(challenger, model(0.9f, 0.019), rows);
        assertThat(v.reasons()).isEmpty();
        assertThat(v.candidate()).isTrue();
        assertThat(Double.isNaN(v.championLoss())).isTrue();
        Gate.Verdict sameSpec = Gate.defaults().judge(challenger, model(FeatureSpecV2.SPEC, 0.9f, 0.019), rows);
        assertThat(sameSpec.reasons()).anyMatch(r -> r.contains("worse than the champion"));
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
