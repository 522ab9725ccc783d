package dev.prsentinel.core.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.prsentinel.core.features.Feature;
import dev.prsentinel.core.features.FeatureSpecV1;
import dev.prsentinel.core.features.RobustScaler;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scorer's arithmetic on a hand-made model whose output is always zero: the error is x squared. */
class ScorerTest {

    private static final int N = FeatureSpecV1.size();

    private static ModelPackage zeroModel(double threshold) {
        List<ModelPackage.Layer> layers = List.of(new ModelPackage.Layer(N, 2, "relu", new float[2 * N],
                new float[2]), new ModelPackage.Layer(2, N, "linear", new float[2 * N], new float[N]));
        double[] center = new double[N];
        double[] scale = new double[N];
        Arrays.fill(center, 1);
        Arrays.fill(scale, 2);
        double[] low = new double[N];
        double[] high = new double[N];
        Arrays.fill(high, 3);
        return new ModelPackage(ModelPackage.FORMAT, 1, FeatureSpecV1.FEATURES.stream().map(Feature::name).toList(),
                layers, center, scale, threshold, 99, new double[N], new double[N], low, high, Map.of(), null);
    }

    private static int index(String name) {
        for (int j = 0; j < N; j++) {
            if (FeatureSpecV1.FEATURES.get(j).name().equals(name)) {
                return j;
            }
        }
        throw new IllegalArgumentException(name);
    }

    @Test
    void theFeatureFarthestFromTypicalDominatesAndNamesTheCategory() {
        Scorer scorer = new Scorer(zeroModel(1.0));
        double[] raw = new double[N];
        Arrays.fill(raw, 1);
        int commits = index("log_commits");
        raw[commits] = 21;                  // scaled (21 - 1) / 2 = 10: error 100
        raw[index("log_comments")] = 5;     // scaled 2: error 4
        raw[index("log_title_length")] = Double.NaN;

        Scorer.Score s = scorer.explain(raw, 3);

        assertThat(s.score()).isCloseTo(104.0 / N, within(1e-9));
        assertThat(s.anomalous()).isTrue();
        assertThat(s.category()).isEqualTo(FeatureSpecV1.FEATURES.get(commits).group().wireName());
        assertThat(s.top()).hasSize(3);
        Scorer.Contribution top = s.top().get(0);
        assertThat(top.feature()).isEqualTo("log_commits");
        assertThat(top.value()).isEqualTo(21);
        assertThat(top.typicalLow()).isZero();
        assertThat(top.typicalHigh()).isEqualTo(3);
        assertThat(top.share()).isCloseTo(100.0 / 104, within(1e-9));
        assertThat(s.top().get(1).feature()).isEqualTo("log_comments");
        assertThat(scorer.score(raw)).isCloseTo(s.score(), within(1e-12));
    }

    @Test
    void belowTheThresholdTheCategoryIsNormal() {
        double[] raw = new double[N];
        Arrays.fill(raw, 1.5);
        Scorer.Score s = new Scorer(zeroModel(1.0)).explain(raw, 2);
        assertThat(s.anomalous()).isFalse();
        assertThat(s.category()).isEqualTo(Scorer.NORMAL);
    }

    @Test
    void scalesAsTrainingDid() {
        ModelPackage model = zeroModel(1.0);
        double[] raw = new double[N];
        for (int j = 0; j < N; j++) {
            raw[j] = j % 3 == 0 ? Double.NaN : j * 0.37;
        }
        double[] scaled = new RobustScaler(1, model.center(), model.scale()).transform(raw);
        float[] x = new float[N];
        for (int j = 0; j < N; j++) {
            x[j] = (float) scaled[j];
        }
        assertThat(new Scorer(model).score(raw)).isEqualTo(model.autoencoder().errors(x, new double[N]));
    }

    @Test
    void anErrorBeyondADoubleIsAnomalousNeverNormal() {
        // The zero model reconstructs 0: an input of 1e300 (scaled by 2) squares to infinity.
        double[] raw = new double[N];
        Arrays.fill(raw, 1);
        raw[index("log_commits")] = 1e300;
        Scorer.Score s = new Scorer(zeroModel(1.0)).explain(raw, 2);
        assertThat(Double.isFinite(s.score())).as("overflowed: %s", s.score()).isFalse();
        assertThat(s.anomalous()).isTrue();
        assertThat(s.category()).isEqualTo(Scorer.OUT_OF_RANGE);
        raw[index("log_commits")] = Double.NaN;
        assertThat(new Scorer(zeroModel(1.0)).explain(raw, 2).category()).as("NaN as missing: median, finite")
                .isNotEqualTo(Scorer.OUT_OF_RANGE);
    }
}
