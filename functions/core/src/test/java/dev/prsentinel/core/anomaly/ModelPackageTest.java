package dev.prsentinel.core.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.prsentinel.core.features.Feature;
import dev.prsentinel.core.features.FeatureSpecV1;
import dev.prsentinel.core.features.FeatureSpecV2;
import dev.prsentinel.core.features.FeatureSpecV3;
import dev.prsentinel.core.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelPackageTest {

    @TempDir
    Path dir;

    private static final List<String> NAMES = FeatureSpecV1.FEATURES.stream().map(Feature::name).toList();

    /** A 31-16-8-16-31 package with seeded random weights. */
    static ModelPackage sample(long seed) {
        Random r = new Random(seed);
        int[] sizes = {31, 16, 8, 16, 31};
        List<ModelPackage.Layer> layers = new ArrayList<>();
        for (int l = 0; l + 1 < sizes.length; l++) {
            float[] w = new float[sizes[l] * sizes[l + 1]];
            float[] b = new float[sizes[l + 1]];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (r.nextGaussian() * 0.3);
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) (r.nextGaussian() * 0.1);
            }
            layers.add(new ModelPackage.Layer(sizes[l], sizes[l + 1], l + 2 < sizes.length ? "relu" : "linear", w, b));
        }
        double[] ones = new double[31];
        java.util.Arrays.fill(ones, 1);
        return new ModelPackage(ModelPackage.FORMAT, 1, NAMES, layers, new double[31], ones, 0.5, 99,
                new double[31], ones, new double[31], ones, Map.of("seed", 42), null);
    }

    @Test
    void aTinyNetComputesWhatItShould() {
        DenseLayer encode = new DenseLayer(2, 1, true, new float[] {1, -1}, new float[] {0.5f});
        DenseLayer decode = new DenseLayer(1, 2, false, new float[] {2, 3}, new float[] {0, 1});
        Autoencoder ae = new Autoencoder(List.of(encode, decode));
        // h = relu(1*3 - 1*1 + 0.5) = 2.5; out = (5, 8.5)
        assertThat(ae.reconstruct(new float[] {3, 1})).containsExactly(5f, 8.5f);
        // h = relu(1 - 3 + 0.5) = 0; out = (0, 1)
        double[] errors = new double[2];
        double score = ae.errors(new float[] {1, 3}, errors);
        assertThat(errors).containsExactly(1, 4);
        assertThat(score).isCloseTo(2.5, within(1e-12));
        // (3, 1) reconstructs as (5, 8.5): errors 4 and 56.25, mean 30.125.
        assertThat(ae.scores(new float[][] {{1, 3}, {3, 1}})).containsExactly(2.5, 30.125);

        Autoencoder fromFile = ModelPackage.Layer.autoencoder(List.of(
                new ModelPackage.Layer(2, 1, "relu", new float[] {1, -1}, new float[] {0.5f}),
                new ModelPackage.Layer(1, 2, "linear", new float[] {2, 3}, new float[] {0, 1})));
        assertThat(fromFile.reconstruct(new float[] {3, 1})).containsExactly(5f, 8.5f);
        assertThat(fromFile.reconstruct(new float[] {1, 3})).containsExactly(0f, 1f);
    }

    @Test
    void roundTripsThroughItsFile() throws IOException {
        ModelPackage model = sample(7);
        model.write(dir);
        ModelPackage back = ModelPackage.read(dir);
        assertThat(back.layers()).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(back.layers().get(i).weight()).containsExactly(model.layers().get(i).weight());
            assertThat(back.layers().get(i).bias()).containsExactly(model.layers().get(i).bias());
        }
        assertThat(back.threshold()).isEqualTo(0.5);
        assertThat(back.training()).containsEntry("seed", 42);
        float[] x = new float[31];
        x[3] = 1.5f;
        assertThat(back.autoencoder().reconstruct(x)).containsExactly(model.autoencoder().reconstruct(x));
    }

    @Test
    void aMissingCorruptOrIncompatiblePackageIsRefusedWithTheReason() throws IOException {
        assertThatThrownBy(() -> ModelPackage.read(dir)).isInstanceOf(ModelPackage.InvalidModelException.class)
                .hasMessageContaining("no model.json");
        Files.writeString(dir.resolve("model.json"), "{\"format\": \"prsentinel-autoencoder/1\", \"spec_ver");
        assertThatThrownBy(() -> ModelPackage.read(dir)).hasMessageContaining("unreadable");

        sample(1).write(dir);
        String good = Files.readString(dir.resolve("model.json"));
        Files.writeString(dir.resolve("model.json"), good.replace("\"spec_version\" : 1", "\"spec_version\" : 9"));
        assertThatThrownBy(() -> ModelPackage.read(dir))
                .hasMessage("trained on feature spec v9, which this build does not know (it serves v1, v2, v3, v4)");
        // A known spec whose features are not the ones the package lists: v1's names labelled v2.
        Files.writeString(dir.resolve("model.json"), good.replace("\"spec_version\" : 1", "\"spec_version\" : 2"));
        assertThatThrownBy(() -> ModelPackage.read(dir)).hasMessage("feature names differ from spec v2");
        Files.writeString(dir.resolve("model.json"), good.replace("log_commits", "log_kommits"));
        assertThatThrownBy(() -> ModelPackage.read(dir)).hasMessageContaining("feature names differ");
        Files.writeString(dir.resolve("model.json"), good.replace("\"threshold\" : 0.5", "\"threshold\" : -1"));
        assertThatThrownBy(() -> ModelPackage.read(dir)).hasMessageContaining("threshold must be positive");
    }

    /** A v3 package carries its repository norms; a PR is scored the same after the file as before it. */
    @Test
    void repositoryNormsTravelWithAV3PackageAndOnlyWithOne() throws IOException {
        ModelPackage v3 = TestModels.calibrated(FeatureSpecV3.SPEC, 5, 0.99);
        assertThat(v3.repositories().repositories()).isNotEmpty();
        v3.write(dir);
        ModelPackage read = ModelPackage.read(dir);
        assertThat(read.repositories()).isEqualTo(v3.repositories());
        assertThat(read.toJson()).isEqualTo(v3.toJson());
        for (var pr : TestModels.PRS.subList(0, 50)) {
            assertThat(new Scorer(read).explain(pr, 3).score()).isEqualTo(new Scorer(v3).explain(pr, 3).score());
        }
        String json = Files.readString(dir.resolve("model.json"));
        Files.writeString(dir.resolve("model.json"), json.replaceFirst("\"repositories\" : \\{", "\"unused\" : {"));
        assertThatThrownBy(() -> ModelPackage.read(dir)).hasMessage(
                "spec v3 reads PRs against their repository's norms, and the package carries none");
        ModelPackage v2 = TestModels.calibrated(FeatureSpecV2.SPEC, 5, 0.99);
        assertThat(v2.repositories()).isNull();
        assertThatThrownBy(() -> new ModelPackage(v2.format(), 2, v2.features(), v2.layers(), v2.center(),
                v2.scale(), v2.threshold(), 99, v2.featureErrorMean(), v2.featureErrorP99(), v2.typicalLow(),
                v2.typicalHigh(), Map.of(), v3.repositories()))
                .hasMessage("spec v2 reads no repository norms, and the package carries some");
    }

    @Test
    void layersMustChainAndCloseTheLoop() {
        ModelPackage good = sample(3);
        List<ModelPackage.Layer> broken = new ArrayList<>(good.layers());
        broken.remove(2);
        assertThatThrownBy(() -> new ModelPackage(ModelPackage.FORMAT, 1, NAMES, broken, good.center(), good.scale(),
                0.5, 99, good.featureErrorMean(), good.featureErrorP99(), good.typicalLow(), good.typicalHigh(),
                Map.of(), null))
                .isInstanceOf(ModelPackage.InvalidModelException.class).hasMessageContaining("layer 2 takes");
    }

    @Test
    void aNonFiniteNumberAnywhereIsRefusedNamingWhere() throws IOException {
        ModelPackage good = sample(4);
        List<ModelPackage.Layer> layers = new ArrayList<>(good.layers());
        float[] w = layers.get(1).weight().clone();
        w[5] = Float.POSITIVE_INFINITY;
        layers.set(1, new ModelPackage.Layer(layers.get(1).in(), layers.get(1).out(), layers.get(1).activation(), w,
                layers.get(1).bias()));
        assertThatThrownBy(() -> new ModelPackage(ModelPackage.FORMAT, 1, NAMES, layers, good.center(), good.scale(),
                0.5, 99, good.featureErrorMean(), good.featureErrorP99(), good.typicalLow(), good.typicalHigh(),
                Map.of(), null)).isInstanceOf(ModelPackage.InvalidModelException.class)
                .hasMessageContaining("layer 1 weight [5] is Infinity");
        double[] scale = good.scale().clone();
        scale[2] = Double.NaN;
        assertThatThrownBy(() -> new ModelPackage(ModelPackage.FORMAT, 1, NAMES, good.layers(), good.center(), scale,
                0.5, 99, good.featureErrorMean(), good.featureErrorP99(), good.typicalLow(), good.typicalHigh(),
                Map.of(), null)).hasMessageContaining("scaler scale [2] is NaN");
        good.write(dir);
        String json = Files.readString(dir.resolve("model.json"));
        Files.writeString(dir.resolve("model.json"), json.replace("\"threshold\" : 0.5", "\"threshold\" : 1e400"));
        assertThatThrownBy(() -> ModelPackage.read(dir)).hasMessageContaining("threshold must be positive and finite");
    }
}
