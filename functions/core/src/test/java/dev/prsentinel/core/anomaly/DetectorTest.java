package dev.prsentinel.core.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.prsentinel.core.features.Feature;
import dev.prsentinel.core.features.FeatureSpec;
import dev.prsentinel.core.features.FeatureSpecV4;
import dev.prsentinel.core.features.RepositoryNorms;
import dev.prsentinel.core.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The two detectors' arithmetic on a hand-made v4 package whose autoencoder always outputs zero and
 * whose scaler is the identity: a row's reconstruction error is the mean of its squares, and its tail
 * z-score its largest absolute value among the tail features.
 */
class DetectorTest {

    private static final FeatureSpec SPEC = FeatureSpecV4.SPEC;
    private static final int N = SPEC.size();
    private static final RepositoryNorms NORMS = SPEC.fitNorms(TestModels.PRS);
    private static final double RECONSTRUCTION_CUT = 1.0;
    private static final double TAIL_CUT = 4.0;

    private static ModelPackage model(ModelPackage.Detectors detectors, double threshold) {
        List<ModelPackage.Layer> layers = List.of(new ModelPackage.Layer(N, 2, "relu", new float[2 * N],
                new float[2]), new ModelPackage.Layer(2, N, "linear", new float[2 * N], new float[N]));
        double[] scale = new double[N];
        Arrays.fill(scale, 1);
        return new ModelPackage(ModelPackage.FORMAT, SPEC.version(), SPEC.names(), layers, new double[N], scale,
                threshold, 99, new double[N], new double[N], new double[N], new double[N], Map.of(), NORMS,
                detectors);
    }

    private static ModelPackage hybrid() {
        return model(new ModelPackage.Detectors(Detector.tailFeatures(SPEC), RECONSTRUCTION_CUT, 99.2, TAIL_CUT, 99.8),
                1.0);
    }

    /** The same with the extreme reading: how long a PR is open judged against 2, its commits against 10. */
    private static ModelPackage withExtremes() {
        return model(new ModelPackage.Detectors(Detector.tailFeatures(SPEC), RECONSTRUCTION_CUT, 99.4, TAIL_CUT, 99.8,
                new ModelPackage.Extreme(List.of("log_hours_open", "log_commits"), List.of(2.0, 10.0), 0.9999, 1.5,
                        99.85)), 1.0);
    }

    private static int index(String name) {
        int j = SPEC.names().indexOf(name);
        assertThat(j).as(name).isNotNegative();
        return j;
    }

    private static float[] row(Map<String, Double> values) {
        float[] x = new float[N];
        values.forEach((name, v) -> x[index(name)] = v.floatValue());
        return x;
    }

    @Test
    void theTailReadsMeasuredQuantitiesNotFlagsNorTheRepositorysOwnCenter() {
        List<String> tail = Detector.tailFeatures(SPEC);
        assertThat(tail).contains("log_changed_lines", "log_changed_lines_vs_repo", "log_lines_per_merge_minute",
                "log_unreviewed_merged_lines");
        assertThat(tail).doesNotContain("repo_log_changed_lines", "draft");
        for (Feature f : SPEC.features()) {
            boolean descriptor = f.name().startsWith("repo_");
            assertThat(tail.contains(f.name())).as(f.name())
                    .isEqualTo(f.scaling() == Feature.Scaling.ROBUST && !descriptor);
        }
    }

    @Test
    void oneQuantityFarOutIsTheTailsAndItsRatioIsTheScore() {
        Detector d = new Detector(hybrid());
        float[] x = row(Map.of("log_lines_per_merge_minute", 8.0));
        // Reconstruction: 64 / N, well under its cut of 1; tail: 8 / 4 = 2.
        assertThat(d.tailZ(x)).isEqualTo(8.0);
        assertThat(d.score(x)).isEqualTo(2.0);
        assertThat(d.leader(64.0 / N, x)).isEqualTo(Detector.TAIL);
    }

    @Test
    void aQuantityPastItsOwnExtremeIsTheTailsThoughItsZIsSmall() {
        Detector d = new Detector(withExtremes());
        float[] x = row(Map.of("log_hours_open", 3.5));
        // z 3.5 is under the tail's cut of 4; 3.5 / 2 = 1.75 is past the extreme cut of 1.5.
        assertThat(d.tailZ(x)).isEqualTo(3.5);
        assertThat(d.extremeRatio(x)).isEqualTo(1.75);
        assertThat(d.score(x)).isCloseTo(1.75 / 1.5, within(1e-12));
        assertThat(d.leader(12.25 / N, x)).isEqualTo(Detector.TAIL);
        Scorer.Score s = new Scorer(withExtremes()).explain(toRaw(x), 2);
        assertThat(s.detector()).isEqualTo(Detector.TAIL);
        assertThat(s.anomalous()).isTrue();
        assertThat(s.category()).isEqualTo("timing");
        assertThat(s.top().get(0).feature()).isEqualTo("log_hours_open");
        assertThat(s.top().get(0).error()).isEqualTo(1.75 * 1.75);
        assertThat(s.top().get(0).share()).isEqualTo(1.0);
    }

    @Test
    void belowItsCutTheExtremeReadingAddsNothing() {
        Detector d = new Detector(withExtremes());
        // 2.8 / 2 = 1.4, under the extreme cut of 1.5: the score is the z's 2.8 / 4, as without the reading.
        float[] x = row(Map.of("log_hours_open", 2.8));
        assertThat(d.score(x)).isCloseTo(new Detector(hybrid()).score(x), within(1e-12)).isCloseTo(0.7, within(1e-6));
        // A feature the reading does not hold (log_changed_lines) is the z's alone.
        float[] y = row(Map.of("log_changed_lines", 5.0));
        assertThat(d.extremeRatio(y)).isZero();
        assertThat(d.score(y)).isEqualTo(1.25);
    }

    @Test
    void calibrationReadsEachFeaturesExtremeOnTheTrainingRowsAndEachCutOnTheValidationRows() {
        float[][] train = new float[10_000][N];
        for (int r = 0; r < train.length; r++) {
            train[r][index("log_commits")] = r / 1000f;
            train[r][index("log_hours_open")] = (r % 10) / 20f;
        }
        float[][] validation = new float[1000][N];
        double[] errors = new double[validation.length];
        for (int r = 0; r < validation.length; r++) {
            validation[r][index("log_commits")] = r / 50f;
            errors[r] = r / 1000.0;
        }
        Detector.Calibration c = Detector.calibrate(SPEC, train, validation, errors, Detector.Budgets.SHIPPED);
        ModelPackage.Extreme e = c.detectors().extreme();
        // Only the two features the training rows moved; hours open never reached 1, so its scale is 1.
        assertThat(e.features()).containsExactly("log_commits", "log_hours_open");
        double[] commits = new double[train.length];
        for (int r = 0; r < train.length; r++) {
            commits[r] = train[r][index("log_commits")];
        }
        assertThat(e.scales()).containsExactly(dev.prsentinel.core.features.Quantiles.sorted(commits, 0.9999), 1.0);
        double[] z = new double[validation.length];
        double[] ratio = new double[validation.length];
        for (int r = 0; r < validation.length; r++) {
            z[r] = validation[r][index("log_commits")];
            ratio[r] = z[r] / e.scales().get(0);
        }
        // The percentiles as the calibration reads them (p / 100), not rounded by hand.
        assertThat(c.detectors().reconstructionCut())
                .isEqualTo(dev.prsentinel.core.features.Quantiles.sorted(errors, 99.4 / 100));
        assertThat(c.detectors().tailCut()).isEqualTo(dev.prsentinel.core.features.Quantiles.sorted(z, 99.8 / 100));
        assertThat(e.cut()).isEqualTo(dev.prsentinel.core.features.Quantiles.sorted(ratio, 99.85 / 100));
        ModelPackage pkg = model(c.detectors(), 1.0);
        Detector d = new Detector(pkg);
        for (int r = 0; r < validation.length; r += 97) {
            assertThat(c.validationScores()[r]).as("row %d", r).isEqualTo(d.combine(errors[r], validation[r]));
        }
        Detector.Calibration zAlone = Detector.calibrate(SPEC, train, validation, errors,
                new Detector.Budgets(99.4, 99.8, Double.NaN, 0.9999));
        assertThat(zAlone.detectors().extreme()).isNull();
        assertThat(e.quantile()).isEqualTo(0.9999);
        // One row short of the 10,000 that resolve a p99.99: each extreme is read at 1 - 1 / 9,999, the
        // highest quantile those rows resolve.
        float[][] fewer = Arrays.copyOf(train, 9_999);
        ModelPackage.Extreme read = Detector.calibrate(SPEC, fewer, validation, errors, Detector.Budgets.SHIPPED)
                .detectors().extreme();
        assertThat(read.quantile()).isEqualTo(1 - 1.0 / 9_999).isLessThan(0.9999);
        assertThat(read.scales().get(0)).isEqualTo(
                dev.prsentinel.core.features.Quantiles.sorted(Arrays.copyOf(commits, 9_999), 1 - 1.0 / 9_999));
        // Below the fewest rows the reading is fitted on: z alone, the other cuts as before.
        Detector.Calibration few = Detector.calibrate(SPEC,
                Arrays.copyOf(train, Detector.Budgets.EXTREME_MIN_ROWS - 1), validation, errors,
                Detector.Budgets.SHIPPED);
        assertThat(few.detectors().extreme()).isNull();
        assertThat(few.detectors().tailCut()).isEqualTo(c.detectors().tailCut());
        assertThat(Detector.calibrate(SPEC, Arrays.copyOf(train, Detector.Budgets.EXTREME_MIN_ROWS), validation,
                errors, Detector.Budgets.SHIPPED).detectors().extreme().quantile()).isEqualTo(0.999);
    }

    private static double[] toRaw(float[] x) {
        double[] raw = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            raw[j] = x[j];
        }
        return raw;
    }

    @Test
    void manyModerateDeviationsAreTheAutoencoders() {
        Detector d = new Detector(hybrid());
        float[] x = new float[N];
        for (int j = 0; j < 32; j++) {
            x[j] = 2;
        }
        // Reconstruction 32 * 4 / N past its cut; no single z past half of the tail's.
        double reconstruction = 128.0 / N;
        assertThat(d.score(x)).isCloseTo(reconstruction / RECONSTRUCTION_CUT, within(1e-12));
        assertThat(d.leader(reconstruction, x)).isEqualTo(Detector.RECONSTRUCTION);
    }

    @Test
    void aRareFlagOrAnUnusualRepositoryIsNoTailEvidence() {
        Detector d = new Detector(hybrid());
        float[] x = row(Map.of("repo_log_changed_lines", 40.0, "draft", 3.0));
        assertThat(d.tailZ(x)).isZero();
        assertThat(d.score(x)).isCloseTo((1600.0 + 9) / N, within(1e-9));
    }

    @Test
    void withoutDetectorsTheScoreIsTheReconstructionErrorAlone() {
        Detector d = new Detector(model(null, 1.0));
        float[] x = row(Map.of("log_lines_per_merge_minute", 8.0));
        assertThat(d.hasTail()).isFalse();
        assertThat(d.tailZ(x)).isZero();
        assertThat(d.score(x)).isCloseTo(64.0 / N, within(1e-12));
    }

    @Test
    void theFlaggedShareCountsRowsAboveTheThreshold() {
        Detector d = new Detector(hybrid());
        float[][] rows = {row(Map.of()), row(Map.of("log_commits", 3.0)), row(Map.of("log_commits", 5.0)),
            row(Map.of("log_comments_vs_repo", -9.0))};
        // Scores 0, 0.75, 1.25 and 2.25 against a threshold of 1.
        assertThat(d.scores(rows)).containsExactly(0, 0.75, 1.25, 2.25);
        assertThat(d.flaggedFraction(rows)).isEqualTo(0.5);
    }

    @Test
    void theScorerNamesTheTailAndTheFeatureThatTrippedIt() {
        Scorer scorer = new Scorer(hybrid());
        double[] raw = new double[N];
        raw[index("log_lines_per_merge_minute")] = 8;
        raw[index("log_commits")] = 1;
        Scorer.Score s = scorer.explain(raw, 3);
        assertThat(s.detector()).isEqualTo(Detector.TAIL);
        assertThat(s.score()).isEqualTo(2.0);
        assertThat(s.anomalous()).isTrue();
        assertThat(s.category()).isEqualTo("review");
        assertThat(s.top().get(0).feature()).isEqualTo("log_lines_per_merge_minute");
        assertThat(s.top().get(0).error()).isEqualTo(64.0);
        assertThat(s.top().get(0).share()).isCloseTo(64.0 / 65, within(1e-12));
        assertThat(s.top().get(1).feature()).isEqualTo("log_commits");

        double[] spread = new double[N];
        for (int j = 0; j < 32; j++) {
            spread[j] = 2;
        }
        Scorer.Score r = scorer.explain(spread, 3);
        assertThat(r.detector()).isEqualTo(Detector.RECONSTRUCTION);
        assertThat(r.anomalous()).isTrue();
        assertThat(scorer.score(spread)).isEqualTo(r.score());
    }

    @Test
    void aPackageWithDetectorsRoundTripsAndABrokenOneIsRefusedNamingTheField() {
        ModelPackage good = hybrid();
        ModelPackage read = ModelPackage.parse(good.toJson(), "test");
        assertThat(read.detectors()).isEqualTo(good.detectors());
        assertThat(read.toJson()).isEqualTo(good.toJson());
        String json = new String(good.toJson(), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ModelPackage.parse(json.replace("\"tail_cut\" : 4.0", "\"tail_cut\" : 0.0")
                .getBytes(StandardCharsets.UTF_8), "test"))
                .hasMessage("detectors: tailCut must be positive and finite, was 0.0");
        assertThatThrownBy(() -> model(new ModelPackage.Detectors(List.of("log_changed_lines", "log_velocity"), 1,
                99.2, 4, 99.8), 1)).hasMessage("detectors: tail features [log_velocity] are not features of spec v4");
        assertThatThrownBy(() -> model(new ModelPackage.Detectors(List.of(), 1, 99.2, 4, 99.8), 1))
                .hasMessage("detectors: the tail detector reads no features");
        ModelPackage extremes = withExtremes();
        assertThat(ModelPackage.parse(extremes.toJson(), "test").detectors()).isEqualTo(extremes.detectors());
        String withExtremes = new String(extremes.toJson(), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ModelPackage.parse(withExtremes.replaceFirst("\"cut\" : 1.5", "\"cut\" : -1.0")
                .getBytes(StandardCharsets.UTF_8), "test"))
                .hasMessage("detectors.extreme: cut must be positive and finite, was -1.0");
        // What a build from before the extreme reading says of such a package: the field is named.
        assertThatThrownBy(() -> ModelPackage.parse(withExtremes.replaceFirst("\"tail_cut\"",
                "\"tail_shape\" : 2.0, \"tail_cut\"").getBytes(StandardCharsets.UTF_8), "model.json"))
                .hasMessage("model.json has a field this build does not know, detectors.tail_shape: if a newer"
                        + " train-trigger wrote it, serve it with the score image of the same release");
        assertThatThrownBy(() -> ModelPackage.parse("[1, 2]".getBytes(StandardCharsets.UTF_8), "model.json"))
                .hasMessage("model.json is not a model package: not a JSON object");
        assertThatThrownBy(() -> ModelPackage.parse(withExtremes.replaceFirst("\"tail_cut\"", "\"tail_cutoff\"")
                .getBytes(StandardCharsets.UTF_8), "model.json"))
                .hasMessage("model.json: detectors.tail_cut is missing or not of type double");
        assertThatThrownBy(() -> new ModelPackage.Extreme(List.of("log_commits"), List.of(0.5), 0.9999, 1, 99.85))
                .hasMessage("detectors.extreme: scales [0] must be finite and at least 1, was 0.5");
        assertThatThrownBy(() -> new ModelPackage.Extreme(List.of("log_commits"), List.of(2.0, 3.0), 0.9999, 1, 99.85))
                .hasMessage("detectors.extreme: scales must have 1 entries, one per feature");
        assertThatThrownBy(() -> new ModelPackage.Detectors(List.of("log_commits"), 1, 99.4, 4, 99.8,
                new ModelPackage.Extreme(List.of("draft"), List.of(2.0), 0.9999, 1, 99.85)))
                .hasMessage("detectors: extreme features [draft] are not tail features");
    }

    /** A package written before the tail detector existed has no such field, and is the autoencoder alone. */
    @Test
    void aPackageFromBeforeTheTailDetectorReadsAsTheAutoencoderAlone() {
        ModelPackage v3 = TestModels.calibrated(dev.prsentinel.core.features.FeatureSpecV3.SPEC, 5, 0.99);
        String json = new String(v3.toJson(), StandardCharsets.UTF_8);
        assertThat(json).contains("\"detectors\" : null");
        String before = json.replaceAll(",\\s*\"detectors\" : null", "");
        assertThat(before).doesNotContain("detectors");
        ModelPackage read = ModelPackage.parse(before.getBytes(StandardCharsets.UTF_8), "test");
        assertThat(read.detectors()).isNull();
        assertThat(new Detector(read).hasTail()).isFalse();
        assertThat(TestModels.calibrated(5).detectors()).isNotNull();
        assertThat(TestModels.calibrated(5).detectors().extreme()).isNotNull();
    }
}
