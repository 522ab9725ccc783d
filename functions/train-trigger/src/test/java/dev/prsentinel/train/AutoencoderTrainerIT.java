package dev.prsentinel.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.prsentinel.core.anomaly.Autoencoder;
import dev.prsentinel.core.anomaly.Detector;
import dev.prsentinel.core.anomaly.ModelPackage;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.features.Quantiles;
import dev.prsentinel.core.features.RepositoryNorms;
import dev.prsentinel.core.features.RobustScaler;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real DJL (PyTorch engine, offline) on a small synthetic set. */
class AutoencoderTrainerIT {

    private static float[][] train;
    private static float[][] validation;
    private static RobustScaler scaler;
    private static RepositoryNorms norms;

    @BeforeAll
    static void data() {
        // 10,000 training rows: the fewest that resolve the extreme reading's own p99.99 (Detector.Budgets).
        List<PullRequest> prs = SyntheticPullRequests.generate(17, 10_500, 4, 0.0,
                Instant.parse("2026-11-01T00:00:00Z")).pullRequests();
        norms = FeatureSpecs.CURRENT.fitNorms(prs);
        double[][] raw = prs.stream().map(pr -> FeatureSpecs.CURRENT.extract(pr, norms)).toArray(double[][]::new);
        scaler = RobustScaler.fit(FeatureSpecs.CURRENT, raw);
        float[][] scaled = java.util.Arrays.stream(raw).map(scaler::transformToFloat).toArray(float[][]::new);
        train = java.util.Arrays.copyOfRange(scaled, 0, 10_000);
        validation = java.util.Arrays.copyOfRange(scaled, 10_000, 10_500);
    }

    private static AutoencoderTrainer.Settings settings() {
        return new AutoencoderTrainer.Settings(1e-3f, 128, 6, 2, 42, 99);
    }

    @Test
    void trainsLearnsAndCalibratesTheThresholdOnHeldOutRows() {
        AutoencoderTrainer.Result r = AutoencoderTrainer.train(train, validation, scaler, norms, settings(),
                Map.of("feature_set_id", "fs-v1-test"));
        assertThat(r.validationLoss()).isNotEmpty();
        assertThat(r.validationLoss().get(r.bestEpoch())).isLessThan(r.validationLoss().get(0) + 1e-9);
        assertThat(r.trainLoss().get(r.trainLoss().size() - 1)).isLessThan(r.trainLoss().get(0));
        // p99 of the validation errors: about 1% of validation rows lie above it.
        assertThat(r.flaggedFraction()).isCloseTo(0.01, within(0.006));
        ModelPackage pkg = r.model();
        assertThat(pkg.threshold()).isPositive();
        assertThat(pkg.training()).containsEntry("feature_set_id", "fs-v1-test").containsEntry("seed", 42L);
        assertThat(r.engineParameters()).isNotEmpty();
    }

    /**
     * The package's layers are the settings' widths: by default the wider bottleneck from 10,000
     * training rows on and the narrower one below, and any widths asked for at any size.
     */
    @Test
    void thePackagesLayersFollowTheSettingsWidths() {
        int n = FeatureSpecs.CURRENT.size();
        ModelPackage wide = AutoencoderTrainer.train(train, validation, scaler, norms, settings(), Map.of()).model();
        assertThat(wide.layers()).extracting(ModelPackage.Layer::out).containsExactly(16, 8, 16, n);
        float[][] fewer = Arrays.copyOf(train, AutoencoderTrainer.WIDE_MIN_ROWS - 1);
        ModelPackage narrow = AutoencoderTrainer.train(fewer, validation, scaler, norms, settings(), Map.of()).model();
        assertThat(narrow.layers()).extracting(ModelPackage.Layer::out).containsExactly(16, 4, 16, n);
        ModelPackage asked = AutoencoderTrainer.train(fewer, validation, scaler, norms,
                settings().withHidden(List.of(12, 3, 12)), Map.of()).model();
        assertThat(asked.layers()).extracting(ModelPackage.Layer::in).containsExactly(n, 12, 3, 12);
        assertThat(asked.layers()).extracting(ModelPackage.Layer::out).containsExactly(12, 3, 12, n);
    }

    /**
     * From spec v4 on each detector's cut is its own percentile of the validation rows, and the
     * threshold the p99 of the larger ratio; without the tail the package is the autoencoder alone.
     */
    @Test
    void eachDetectorIsCalibratedOnTheValidationRowsWithItsOwnBudget() {
        AutoencoderTrainer.Result both = AutoencoderTrainer.train(train, validation, scaler, norms, settings(),
                Map.of());
        ModelPackage pkg = both.model();
        ModelPackage.Detectors d = pkg.detectors();
        assertThat(d).isNotNull();
        assertThat(d.tailFeatures()).isEqualTo(Detector.tailFeatures(FeatureSpecs.CURRENT));
        assertThat(d.reconstructionPercentile()).isEqualTo(99.4);
        assertThat(d.tailPercentile()).isEqualTo(99.8);
        assertThat(d.extreme().percentile()).isEqualTo(99.85);
        assertThat(d.extreme().quantile()).isEqualTo(0.9999);
        assertThat(d.tailFeatures()).containsAll(d.extreme().features());
        Detector detector = new Detector(pkg);
        Autoencoder ae = pkg.autoencoder();
        double[] errors = new double[FeatureSpecs.CURRENT.size()];
        int pastReconstruction = 0;
        int pastTail = 0;
        int pastExtreme = 0;
        double[] ratios = new double[validation.length];
        for (int r = 0; r < validation.length; r++) {
            float[] row = validation[r];
            pastReconstruction += ae.errors(row, errors) > d.reconstructionCut() ? 1 : 0;
            pastTail += detector.tailZ(row) > d.tailCut() ? 1 : 0;
            ratios[r] = detector.extremeRatio(row);
            pastExtreme += ratios[r] > d.extreme().cut() ? 1 : 0;
        }
        // 500 validation rows: 0.6% is 3 past the autoencoder's cut, 0.2% is 1 past the tail's z cut.
        assertThat(pastReconstruction).isEqualTo(3);
        assertThat(pastTail).isEqualTo(1);
        // 0.15% is at most 1 past the extreme cut: the ratios of discrete features tie at the top.
        Arrays.sort(ratios);
        assertThat(d.extreme().cut()).isEqualTo(Quantiles.sorted(ratios, 99.85 / 100));
        assertThat(pastExtreme).isLessThanOrEqualTo(1);
        // Each feature's own extreme is its |z| at the p99.99 of the training rows.
        List<String> names = FeatureSpecs.CURRENT.names();
        for (int i = 0; i < d.extreme().features().size(); i++) {
            int j = names.indexOf(d.extreme().features().get(i));
            double[] column = Arrays.stream(train).mapToDouble(row -> Math.abs(row[j])).sorted().toArray();
            assertThat(d.extreme().scales().get(i)).as(names.get(j))
                    .isEqualTo(Math.max(1, Quantiles.sorted(column, 0.9999)));
        }
        assertThat(detector.flaggedFraction(validation)).isCloseTo(0.01, within(0.004));

        AutoencoderTrainer.Result aloneResult = AutoencoderTrainer.train(train, validation, scaler, norms,
                settings().autoencoderOnly(), Map.of());
        ModelPackage alone = aloneResult.model();
        assertThat(alone.detectors()).isNull();
        // The same net: the tail changes how it is thresholded, not how it is trained.
        assertThat(aloneResult.parametersHash()).isEqualTo(both.parametersHash());
        assertThat(new Detector(alone).score(validation[0])).isEqualTo(ae.errors(validation[0], errors));
    }

    @Test
    void theSameDataAndSeedGiveTheSameParameters() {
        AutoencoderTrainer.Result a = AutoencoderTrainer.train(train, validation, scaler, norms, settings(), Map.of());
        AutoencoderTrainer.Result b = AutoencoderTrainer.train(train, validation, scaler, norms, settings(), Map.of());
        assertThat(b.parametersHash()).isEqualTo(a.parametersHash());
        AutoencoderTrainer.Settings other = new AutoencoderTrainer.Settings(1e-3f, 128, 6, 2, 43, 99);
        assertThat(AutoencoderTrainer.train(train, validation, scaler, norms, other, Map.of()).parametersHash())
                .isNotEqualTo(a.parametersHash());
    }

    /** The plain-Java forward pass score uses against DJL's, with the same weights. */
    @Test
    void thePlainJavaForwardPassMatchesDjl() {
        ModelPackage pkg = AutoencoderTrainer.train(train, validation, scaler, norms, settings(), Map.of()).model();
        SequentialBlock net = new SequentialBlock();
        for (int units : AutoencoderTrainer.hiddenFor(train.length)) {
            net.add(Linear.builder().setUnits(units).build()).add(Activation::relu);
        }
        net.add(Linear.builder().setUnits(FeatureSpecs.CURRENT.size()).build());
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            net.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, FeatureSpecs.CURRENT.size()));
            int i = 0;
            for (Pair<String, Parameter> p : net.getParameters()) {
                ModelPackage.Layer layer = pkg.layers().get(i / 2);
                p.getValue().getArray().set(i % 2 == 0 ? layer.weight() : layer.bias());
                i++;
            }
            NDArray input = manager.create(validation);
            float[] djl = net.forward(new ParameterStore(manager, false), new NDList(input), false)
                    .singletonOrThrow().toFloatArray();
            double worst = 0;
            for (int r = 0; r < validation.length; r++) {
                float[] plain = pkg.autoencoder().reconstruct(validation[r]);
                for (int j = 0; j < plain.length; j++) {
                    worst = Math.max(worst, Math.abs(plain[j] - djl[r * plain.length + j]));
                }
            }
            // Float sums in another order (DJL's batched kernels): 1.6e-5 at most over these rows with the
            // 8-wide bottleneck, 2.5e-6 with the 4-wide one; a wrong weight or layer is off by far more.
            assertThat(worst).isLessThan(5e-5);
        }
    }
}
