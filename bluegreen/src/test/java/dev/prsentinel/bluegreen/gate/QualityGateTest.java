package dev.prsentinel.bluegreen.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/** The quality gate on hand-made score sets whose verdicts are known. */
class QualityGateTest {

    private static final QualityGate.Bounds BOUNDS = QualityGate.Bounds.DEFAULT;

    private static List<QualityGate.Scored> scores(int n, IntToDoubleFunction ratio, IntPredicate flagged) {
        List<QualityGate.Scored> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new QualityGate.Scored("o/r#" + i, ratio.applyAsDouble(i), flagged.test(i)));
        }
        return out;
    }

    private static Check check(GateResult r, String name) {
        return r.checks().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aSuccessorThatScoresAlikePasses() {
        // Same ranking, scores 5% higher, the same 2% flagged.
        var blue = scores(500, i -> i / 500.0, i -> i >= 490);
        var green = scores(500, i -> 1.05 * i / 500.0, i -> i >= 490);
        GateResult r = QualityGate.judge(blue, green, BOUNDS);
        assertThat(r.passed()).as(r.checks().toString()).isTrue();
        assertThat(check(r, "flag_overlap").value()).isEqualTo(1.0);
        assertThat(check(r, "flagged_share_delta").value()).isZero();
    }

    @Test
    void flaggingFivePointsMoreFailsTheFlaggedShare() {
        var blue = scores(500, i -> i / 500.0, i -> i >= 490);
        var green = scores(500, i -> i / 500.0, i -> i >= 465);
        GateResult r = QualityGate.judge(blue, green, BOUNDS);
        assertThat(r.passed()).isFalse();
        assertThat(check(r, "flagged_share_delta").value()).isCloseTo(0.05, org.assertj.core.api.Assertions.within(
                1e-9));
        // Green's 35 flagged hold blue's 10: the overlap (10/35) is below its bound as well.
        assertThat(r.failed()).extracting(Check::name).containsExactlyInAnyOrder("flagged_share_delta", "flag_overlap");
    }

    @Test
    void aShiftedScoreDistributionFailsKsAndPsi() {
        var blue = scores(500, i -> i / 500.0, i -> false);
        var green = scores(500, i -> 0.5 + i / 500.0, i -> false);
        GateResult r = QualityGate.judge(blue, green, BOUNDS);
        // Shifted by half the range: the CDFs are 0.5 apart over half of it.
        assertThat(check(r, "ks").value()).isCloseTo(0.5, org.assertj.core.api.Assertions.within(0.01));
        assertThat(r.failed()).extracting(Check::name).contains("ks", "psi");
    }

    @Test
    void flaggingOtherPrsFailsTheOverlap() {
        var blue = scores(500, i -> i / 500.0, i -> i < 10);
        var green = scores(500, i -> i / 500.0, i -> i >= 490);
        GateResult r = QualityGate.judge(blue, green, BOUNDS);
        assertThat(check(r, "flag_overlap").value()).isZero();
        assertThat(r.failed()).extracting(Check::name).containsExactly("flag_overlap");
    }

    @Test
    void tooFewFlaggedIsNotJudgedOnOverlapButTooFewScoredFails() {
        var blue = scores(500, i -> i / 500.0, i -> i == 1);
        var green = scores(500, i -> i / 500.0, i -> i == 2);
        GateResult few = QualityGate.judge(blue, green, BOUNDS);
        assertThat(check(few, "flag_overlap").ok()).isTrue();
        assertThat(check(few, "flag_overlap").why()).contains("not judged");

        GateResult small = QualityGate.judge(scores(50, i -> i, i -> false), scores(50, i -> i, i -> false), BOUNDS);
        assertThat(small.passed()).isFalse();
        assertThat(small.failed()).extracting(Check::name).containsExactly("sample");
    }

    @Test
    void onlyPrsBothScoredAreCompared() {
        var blue = scores(200, i -> i, i -> false);
        var green = new ArrayList<>(scores(150, i -> i, i -> false));
        GateResult r = QualityGate.judge(blue, green, BOUNDS);
        assertThat(check(r, "sample").value()).isEqualTo(150);
        assertThat(r.passed()).isTrue();
    }
}
