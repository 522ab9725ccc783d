package dev.prsentinel.core.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RobustScalerTest {

    @Test
    void centersOnTheMedianAndScalesByTheInterquartileRange() {
        double[][] rows = {{1}, {2}, {3}, {4}, {5}};
        RobustScaler s = RobustScaler.fit(1, rows);
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
        RobustScaler a = RobustScaler.fit(1, clean);
        RobustScaler b = RobustScaler.fit(1, dirty);
        assertThat(b.center()[0]).isCloseTo(a.center()[0], within(1.0));
        assertThat(b.scale()[0]).isCloseTo(a.scale()[0], within(2.0));
    }

    @Test
    void missingValuesAreIgnoredWhenFittingAndImputedWithTheMedian() {
        RobustScaler s = RobustScaler.fit(1, new double[][] {{1}, {Double.NaN}, {3}, {5}});
        assertThat(s.center()).containsExactly(3);
        assertThat(s.transform(new double[] {Double.NaN})).containsExactly(0);
    }

    @Test
    void aRareFlagWithZeroIqrIsScaledByItsSpreadSoItsOnesStayVisible() {
        double[][] rows = new double[100][1];
        rows[0][0] = 1;
        RobustScaler s = RobustScaler.fit(1, rows);
        assertThat(s.scale()[0]).isCloseTo(0.1, within(1e-12));
        assertThat(s.transform(new double[] {1})[0]).isCloseTo(10, within(1e-9));
        RobustScaler constant = RobustScaler.fit(1, new double[][] {{4}, {4}});
        assertThat(constant.scale()).containsExactly(1);
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
