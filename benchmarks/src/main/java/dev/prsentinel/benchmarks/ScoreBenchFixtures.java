package dev.prsentinel.benchmarks;

import dev.prsentinel.core.anomaly.Autoencoder;
import dev.prsentinel.core.anomaly.Detector;
import dev.prsentinel.core.anomaly.ModelPackage;
import dev.prsentinel.core.features.Quantiles;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.features.RepositoryNorms;
import dev.prsentinel.core.features.RobustScaler;
import dev.prsentinel.core.github.GitHubPullRequests;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What benchmarks/run-score.sh serves and sends: {@code model DIR} writes a model package of the
 * shipped shape (the current spec's width, then 16-8-16; seeded random weights, a scaler fitted on
 * synthetic PRs; the tail detector beside the autoencoder, both its readings calibrated as the
 * trainer calibrates them on 10,000 synthetic PRs); {@code body FILE} writes one synthetic PR as
 * GitHub's JSON, the request body.
 */
public final class ScoreBenchFixtures {

    private ScoreBenchFixtures() {
    }

    static ModelPackage model() {
        return model(true);
    }

    /**
     * The benchmark's package.
     *
     * @param detectors with the tail detector beside the autoencoder, as trained from spec v4 on; without,
     *                  the autoencoder alone (a package of spec v3 or before, and v4's reconstruction path)
     */
    static ModelPackage model(boolean detectors) {
        List<PullRequest> prs = SyntheticPullRequests.generate(3, 2000, 4, 0.01,
                Instant.parse("2026-11-01T00:00:00Z")).pullRequests();
        RepositoryNorms norms = FeatureSpecs.CURRENT.fitNorms(prs);
        RobustScaler scaler = RobustScaler.fit(FeatureSpecs.CURRENT,
                prs.stream().map(pr -> FeatureSpecs.CURRENT.extract(pr, norms)).toArray(double[][]::new));
        int n = FeatureSpecs.CURRENT.size();
        int[] sizes = {n, 16, 8, 16, n};
        Random random = new Random(1);
        List<ModelPackage.Layer> layers = new ArrayList<>();
        for (int l = 0; l + 1 < sizes.length; l++) {
            float[] w = new float[sizes[l] * sizes[l + 1]];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) random.nextGaussian() * 0.3f;
            }
            layers.add(new ModelPackage.Layer(sizes[l], sizes[l + 1], l + 2 < sizes.length ? "relu" : "linear", w,
                    new float[sizes[l + 1]]));
        }
        double[] ones = new double[n];
        Arrays.fill(ones, 1);
        ModelPackage.Detectors fitted = null;
        double threshold = 1.0;
        if (detectors) {
            Autoencoder ae = ModelPackage.Layer.autoencoder(layers);
            float[][] rows = SyntheticPullRequests.generate(4, 10_000, 4, 0.01,
                    Instant.parse("2026-11-01T00:00:00Z")).pullRequests().stream()
                    .map(pr -> scaler.transformToFloat(FeatureSpecs.CURRENT.extract(pr, norms)))
                    .toArray(float[][]::new);
            Detector.Calibration c = Detector.calibrate(FeatureSpecs.CURRENT, rows, rows, ae.scores(rows),
                    Detector.Budgets.SHIPPED);
            fitted = c.detectors();
            double[] sorted = c.validationScores().clone();
            Arrays.sort(sorted);
            threshold = Quantiles.sorted(sorted, 0.99);
        }
        return new ModelPackage(ModelPackage.FORMAT, FeatureSpecs.CURRENT.version(),
                FeatureSpecs.CURRENT.names(), layers, scaler.center(), scaler.scale(),
                threshold, 99, ones, ones, new double[n], ones, Map.of("purpose", "benchmark"), norms, fitted);
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 2 && args[0].equals("model")) {
            model().write(Path.of(args[1]));
        } else if (args.length == 2 && args[0].equals("body")) {
            PullRequest pr = SyntheticPullRequests.generate(5, 10, 1, 0, Instant.parse("2026-11-01T00:00:00Z"))
                    .pullRequests().get(3);
            Files.writeString(Path.of(args[1]), GitHubPullRequests.toJson(pr).toString());
        } else {
            throw new IllegalArgumentException("usage: model DIR | body FILE");
        }
    }
}
