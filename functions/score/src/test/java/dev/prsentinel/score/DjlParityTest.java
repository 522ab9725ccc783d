package dev.prsentinel.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
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
import dev.prsentinel.core.anomaly.Detector;
import dev.prsentinel.core.anomaly.ModelPackage;
import dev.prsentinel.core.anomaly.Scorer;
import dev.prsentinel.core.features.FeatureSpec;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.testing.TestModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The plain-Java scorer against DJL's own layers (PyTorch engine) with the same weights: equal
 * reconstruction errors within 1e-5 on 500 PRs, and from spec v4 on the detectors' score built on
 * them. DJL is a test dependency only; score serves without it.
 */
class DjlParityTest {

    /** For a model of every spec this build serves: an older model keeps being scored as it was trained. */
    @Test
    void plainJavaScoresEqualDjlsForwardPass() {
        for (FeatureSpec spec : FeatureSpecs.KNOWN) {
            assertSameScores(TestModels.calibrated(spec, 3, 0.99));
        }
    }

    private static void assertSameScores(ModelPackage model) {
        Scorer scorer = new Scorer(model);
        FeatureSpec spec = model.spec();
        int n = spec.size();
        List<PullRequest> prs = TestModels.PRS.subList(0, 500);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), Engine.getEngine("PyTorch").getEngineName())) {
            SequentialBlock net = new SequentialBlock();
            for (ModelPackage.Layer layer : model.layers()) {
                net.add(Linear.builder().setUnits(layer.out()).build());
                if ("relu".equals(layer.activation())) {
                    net.add(Activation::relu);
                }
            }
            net.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, n));
            int i = 0;
            for (Pair<String, Parameter> p : net.getParameters()) {
                ModelPackage.Layer layer = model.layers().get(i / 2);
                NDArray array = p.getValue().getArray();
                array.set(i % 2 == 0 ? layer.weight() : layer.bias());
                i++;
            }
            float[][] x = new float[prs.size()][n];
            for (int r = 0; r < prs.size(); r++) {
                double[] raw = spec.extract(prs.get(r), model.repositories());
                double[] s = model.scaler().transform(raw);
                for (int j = 0; j < n; j++) {
                    x[r][j] = (float) s[j];
                }
            }
            NDArray input = manager.create(x);
            NDArray out = net.forward(new ParameterStore(manager, false), new NDList(input), false)
                    .singletonOrThrow();
            float[] djlScores = out.sub(input).square().mean(new int[] {1}).toFloatArray();
            // The reconstruction error is DJL's; a package with a tail detector divides it by its cut and
            // takes the largest of that and the tail's ratios, arithmetic on the same scaled row.
            Detector detector = new Detector(model);
            ModelPackage.Detectors d = model.detectors();
            for (int r = 0; r < prs.size(); r++) {
                double expected = detector.combine(djlScores[r], x[r]);
                double tolerance = d == null ? 1e-5 : 1e-5 / Math.min(1, d.reconstructionCut());
                assertThat(scorer.score(spec.extract(prs.get(r), model.repositories())))
                        .as("spec v%d, PR %d", spec.version(), r).isCloseTo(expected, within(tolerance));
            }
        }
    }
}
