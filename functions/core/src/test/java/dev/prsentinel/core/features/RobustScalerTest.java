package dev.prsentinel.core.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class RobustScalerTest {

    private static final List<Feature.Scaling> ROBUST = List.of(Feature.Scaling.ROBUST);

    @Test
    void centersOnTheMedianAndScalesByTheInterquartileRange() {
        double[][] rows = {{1}, {2}, {3}, {4}, {5}};
        RobustScaler s = RobustScaler.fit(1, ROBUST, rows);
        assertThat(s.center()).containsExactly(3);
        assertThat(s.scale()).containsExactly(2);
        assertThat(s.transform(new double[] {7})).containsExactly(2);
    }

    @Test
    void outliersInTheTrainingWindowBarelyMoveIt() {
        double[][] clean = new double[1000][1];
        double[][] dirty = new double[1000][1];
        for (int i = 0; i < 1000; i++) {
            clean[i][0] = i % 100;
            dirty[i][0] = i < 10 ? 1e6 : i % 100;
        }
        RobustScaler a = RobustScaler.fit(1, ROBUST, clean);
        RobustScaler b = RobustScaler.fit(1, ROBUST, dirty);
        assertThat(b.center()[0]).isCloseTo(a.center()[0], within(1.0));
        assertThat(b.scale()[0]).isCloseTo(a.scale()[0], within(2.0));
    }

    @Test
    void missingValuesAreIgnoredWhenFittingAndImputedWithTheMedian() {
        RobustScaler s = RobustScaler.fit(1, ROBUST, new double[][] {{1}, {Double.NaN}, {3}, {5}});
        assertThat(s.center()).containsExactly(3);
        assertThat(s.transform(new double[] {Double.NaN})).containsExactly(0);
    }

    @Test
    void aRareFlagWithZeroIqrIsScaledByItsSpreadSoItsOnesStayVisible() {
        double[][] rows = new double[100][1];
        rows[0][0] = 1;
        RobustScaler s = RobustScaler.fit(1, ROBUST, rows);
        assertThat(s.scale()[0]).isCloseTo(0.1, within(1e-12));
        assertThat(s.transform(new double[] {1})[0]).isCloseTo(10, within(1e-9));
        RobustScaler constant = RobustScaler.fit(1, ROBUST, new double[][] {{4}, {4}});
        assertThat(constant.scale()).containsExactly(1);
    }

    @Test
    void aFlagIsScaledByItsSpreadThenHeldWithinTheLimit() {
        double[][] rows = new double[100][2];
        rows[0][0] = 1;
        for (int i = 0; i < 70; i++) {
            rows[i][1] = 1;
        }
        RobustScaler s = RobustScaler.fit(2, List.of(Feature.Scaling.FLAG, Feature.Scaling.FLAG), rows);
        assertThat(s.center()).containsExactly(0, 1);
        assertThat(s.scale()[0]).isCloseTo(0.1, within(1e-12));
        assertThat(s.transform(new double[] {1, 0})).as("the rare 1 would be 10").containsExactly(3, -1);
        assertThat(s.transformToFloat(new double[] {1, 0})).containsExactly(3f, -1f);
        assertThat(s.limit()).containsExactly(3, 3);
    }

    @Test
    void aScalerHasTheLimitsOfItsSpecAndRowsMustFitIt() {
        int draft = FeatureSpecV2.SPEC.names().indexOf("draft");
        int lines = FeatureSpecV2.SPEC.names().indexOf("log_changed_lines");
        double[][] rows = new double[100][FeatureSpecV2.SPEC.size()];
        rows[0][draft] = 1;
        for (int i = 0; i < rows.length; i++) {
            rows[i][lines] = i % 10;
        }
        RobustScaler v2 = RobustScaler.fit(FeatureSpecV2.SPEC, rows);
        assertThat(v2.transform(rows[0])[draft]).isEqualTo(3);
        assertThat(v2.limit()[lines]).isInfinite();
        // Rebuilt from a package's center and scale, it has the same limits: they come from the spec.
        assertThat(new RobustScaler(2, v2.center(), v2.scale())).isEqualTo(v2);
        double[][] v1Rows = new double[100][FeatureSpecV1.size()];
        v1Rows[0][draft] = 1;
        RobustScaler v1 = RobustScaler.fit(FeatureSpecV1.SPEC, v1Rows);
        assertThat(v1.transform(v1Rows[0])[draft]).as("v1 as it always was").isCloseTo(10, within(1e-9));
        assertThat(v1.limit()).containsOnly(Double.POSITIVE_INFINITY);
        assertThatThrownBy(() -> RobustScaler.fit(FeatureSpecV2.SPEC, new double[1][FeatureSpecV1.size()]))
                .hasMessage("rows have 31 features, spec v2 has 32");
    }

    /**
     * A constant column (every PR of a single-repository set has its repository's center) is scaled
     * by 1: its mean misses the constant by a bit, and the standard deviation of that rounding,
     * about 1e-15, would turn a PR of another repository into a z of 1e15.
     */
    @Test
    void aConstantColumnIsScaledByOneNotByItsRoundingError() {
        double[][] rows = new double[300][];
        double mean = 0;
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new double[] {Math.log1p(2)};
            mean += rows[i][0] / rows.length;
        }
        assertThat(mean).as("the rounding this is about").isNotEqualTo(Math.log1p(2));
        RobustScaler scaler = RobustScaler.fit(99, List.of(Feature.Scaling.ROBUST), rows);
        assertThat(scaler.scale()[0]).isEqualTo(1);
        assertThat(scaler.transform(new double[] {Math.log1p(2) + 1})[0]).isCloseTo(1, within(1e-12));
    }

    @Test
    void scalesMustBePositive() {
        assertThatThrownBy(() -> new RobustScaler(1, new double[] {0}, new double[] {0}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new RobustScaler(1, new double[] {1}, new double[] {2}))
                .isEqualTo(new RobustScaler(1, new double[] {1}, new double[] {2}));
    }

    @Test
    void theFloatRowIsTheDoubleRowRoundedToFloat() {
        RobustScaler s = new RobustScaler(1, new double[] {1, 2, 3}, new double[] {0.3, 7, 1e-3});
        double[] raw = {1.7, Double.NaN, 3.1234567};
        double[] d = s.transform(raw);
        float[] f = s.transformToFloat(raw);
        for (int j = 0; j < raw.length; j++) {
            assertThat(f[j]).isEqualTo((float) d[j]);
        }
    }
}
