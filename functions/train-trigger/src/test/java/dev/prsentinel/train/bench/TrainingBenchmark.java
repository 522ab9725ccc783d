package dev.prsentinel.train.bench;

import dev.prsentinel.core.anomaly.Autoencoder;
import dev.prsentinel.core.anomaly.ModelPackage;
import dev.prsentinel.core.features.FeatureSpecV1;
import dev.prsentinel.core.features.Quantiles;
import dev.prsentinel.core.features.RobustScaler;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import dev.prsentinel.core.testing.SharedData;
import dev.prsentinel.train.AutoencoderTrainer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Model quality and training throughput on the pullreqs data set (280k real PRs), written as one
 * Markdown report. Run: {@code benchmarks/run-train.sh [pullreqs.csv.gz] [report.md]}.
 *
 * <p>Quality: PRs ordered by the time they were last observed, the oldest 80% train, the next 10%
 * validate (early stopping, the threshold), the newest 10% are the "later PRs" nothing was fitted
 * on. The scaler is fitted on the training rows only, so later PRs are scaled as a deployed model
 * would scale them. Reported: the loss curves; calibration (the share of later PRs above the p99
 * threshold, target 1%, overall and per quarter of the later period); the recall on injected
 * anomalies (real later PRs turned into each documented kind by core's generator), beside a simple
 * baseline measured on the same rows: the largest per-feature robust z-score (median/IQR scaling),
 * thresholded at its own p99 on the same validation rows.
 *
 * <p>Throughput: 10 epochs over all rows (no early stopping) with the shipped settings, beside the
 * plain-Java forward pass over the same rows (what scoring costs), measured in the same run.
 */
public final class TrainingBenchmark {

    private static final int INJECTED_PER_KIND = 2_000;

    private TrainingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path csv = Path.of(args.length > 0 ? args[0] : "../../../shared/datasets/pullreqs/pullreqs.csv.gz");
        Path report = Path.of(args.length > 1 ? args[1] : "target/training-report.md");
        if (!Files.exists(csv)) {
            throw new IllegalArgumentException("no pullreqs file at " + csv.toAbsolutePath());
        }
        StringBuilder md = new StringBuilder();
        List<PullRequest> prs = new ArrayList<>(SharedData.pullreqs(csv, Integer.MAX_VALUE));
        prs.sort(Comparator.comparing(PullRequest::observedAt).thenComparing(pr -> pr.key()));
        int n = prs.size();
        int trainEnd = (int) (n * 0.8);
        int validationEnd = (int) (n * 0.9);
        double[][] raw = new double[n][];
        for (int i = 0; i < n; i++) {
            raw[i] = FeatureSpecV1.extract(prs.get(i));
        }
        RobustScaler scaler = RobustScaler.fit(FeatureSpecV1.VERSION, Arrays.copyOfRange(raw, 0, trainEnd));
        float[][] all = scale(scaler, raw);
        float[][] train = Arrays.copyOfRange(all, 0, trainEnd);
        float[][] validation = Arrays.copyOfRange(all, trainEnd, validationEnd);
        float[][] later = Arrays.copyOfRange(all, validationEnd, n);
        line(md, "# Model quality and training throughput on pullreqs");
        line(md, "");
        line(md, "Written by `benchmarks/run-train.sh`; rerun it to refresh this file.");
        line(md, "");
        line(md, "Machine: %d cores, Java %s, %s. Data: %s, %,d PRs; train %,d (observed %s to %s), validation %,d,"
                + " later %,d (observed %s to %s).", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), System.getProperty("os.name"), csv.getFileName(), n, trainEnd,
                day(prs.get(0)), day(prs.get(trainEnd - 1)), validationEnd - trainEnd, n - validationEnd,
                day(prs.get(validationEnd)), day(prs.get(n - 1)));

        AutoencoderTrainer.Settings settings = AutoencoderTrainer.Settings.defaults(42);
        long t = System.nanoTime();
        AutoencoderTrainer.Result result = AutoencoderTrainer.train(train, validation, scaler, settings,
                Map.of("feature_set_id", "pullreqs-time-split"));
        double trainSecs = secs(t);
        ModelPackage model = result.model();
        Autoencoder ae = model.autoencoder();
        line(md, "");
        line(md, "## Training (shipped settings: lr %s, batch %d, at most %d epochs, patience %d, seed %d)",
                settings.learningRate(), settings.batchSize(), settings.maxEpochs(), settings.patience(),
                settings.seed());
        line(md, "");
        line(md, "%d epochs in %.1f s, best epoch %d (kept). Threshold (p%s of validation errors): %.4f.",
                result.trainLoss().size(), trainSecs, result.bestEpoch() + 1, settings.thresholdPercentile(),
                model.threshold());
        line(md, "");
        line(md, "| epoch | train loss | validation loss |");
        line(md, "|---:|---:|---:|");
        for (int e = 0; e < result.trainLoss().size(); e++) {
            line(md, "| %d | %.5f | %.5f |", e + 1, result.trainLoss().get(e), result.validationLoss().get(e));
        }

        double[] baselineValidation = maxAbsZ(validation);
        double baselineThreshold = percentile(baselineValidation, settings.thresholdPercentile());
        line(md, "");
        line(md, "## Calibration on later PRs (target: %.1f%% flagged)", 100 - settings.thresholdPercentile());
        line(md, "");
        line(md, "| later PRs | rows | autoencoder flagged | baseline flagged |");
        line(md, "|---|---:|---:|---:|");
        line(md, "| all | %,d | %.2f%% | %.2f%% |", later.length, 100 * ae.flaggedFraction(later, model.threshold()),
                100 * above(maxAbsZ(later), baselineThreshold));
        int quarter = later.length / 4;
        for (int q = 0; q < 4; q++) {
            int from = q * quarter;
            int to = q == 3 ? later.length : from + quarter;
            float[][] part = Arrays.copyOfRange(later, from, to);
            line(md, "| quarter %d (%s to %s) | %,d | %.2f%% | %.2f%% |", q + 1, day(prs.get(validationEnd + from)),
                    day(prs.get(validationEnd + to - 1)), part.length,
                    100 * ae.flaggedFraction(part, model.threshold()), 100 * above(maxAbsZ(part), baselineThreshold));
        }

        line(md, "");
        line(md, "## Recall on injected anomalies (%,d later PRs per kind, each turned into the kind)",
                INJECTED_PER_KIND);
        line(md, "");
        line(md, "Baseline: the largest per-feature robust z-score, flagged above its own p%s on the validation"
                + " rows (%.2f).", settings.thresholdPercentile(), baselineThreshold);
        line(md, "");
        line(md, "| kind | autoencoder recall | baseline recall |");
        line(md, "|---|---:|---:|");
        Random random = new Random(7);
        Instant end = prs.get(n - 1).observedAt();
        List<PullRequest> laterPrs = prs.subList(validationEnd, n);
        for (SyntheticPullRequests.Kind kind : SyntheticPullRequests.Kind.values()) {
            double[][] injected = new double[INJECTED_PER_KIND][];
            for (int i = 0; i < INJECTED_PER_KIND; i++) {
                PullRequest pr = laterPrs.get(random.nextInt(laterPrs.size()));
                injected[i] = FeatureSpecV1.extract(SyntheticPullRequests.inject(random, pr, kind, end));
            }
            float[][] rows = scale(scaler, injected);
            line(md, "| %s | %.1f%% | %.1f%% |", kind, 100 * ae.flaggedFraction(rows, model.threshold()),
                    100 * above(maxAbsZ(rows), baselineThreshold));
        }

        // Throughput: 10 full epochs over every row (the validation pass each epoch included).
        AutoencoderTrainer.Settings tenEpochs = new AutoencoderTrainer.Settings(settings.learningRate(),
                settings.batchSize(), 10, 10, settings.seed(), settings.thresholdPercentile());
        t = System.nanoTime();
        AutoencoderTrainer.Result ten = AutoencoderTrainer.train(all, validation, scaler, tenEpochs, Map.of());
        double tenSecs = secs(t);
        double forwardBest = Double.MAX_VALUE;
        double checksum = 0;
        for (int round = 0; round < 3; round++) {
            long s = System.nanoTime();
            checksum += ten.model().autoencoder().meanError(all);
            forwardBest = Math.min(forwardBest, secs(s));
        }
        double trainRate = 10.0 * n / tenSecs;
        double forwardRate = n / forwardBest;
        line(md, "");
        line(md, "## Throughput (target: 10 epochs over the 280k rows in at most 90 s)");
        line(md, "");
        line(md, "| measure | time | rows/s |");
        line(md, "|---|---:|---:|");
        line(md, "| 10 epochs over %,d rows (DJL, PyTorch, 1 intra-op thread) | %.1f s | %,.0f |", n, tenSecs,
                trainRate);
        line(md, "| baseline: plain-Java forward pass over the same rows, best of 3 | %.2f s | %,.0f |", forwardBest,
                forwardRate);
        line(md, "");
        line(md, "Training costs %.1fx the forward pass per row and epoch (checksum %.3f).", forwardRate / trainRate,
                checksum);
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, md, StandardCharsets.UTF_8);
        System.out.print(md);
    }

    private static float[][] scale(RobustScaler scaler, double[][] raw) {
        return Arrays.stream(raw).map(scaler::transformToFloat).toArray(float[][]::new);
    }

    /** The baseline's score: the largest absolute scaled value, i.e. robust z-score, of a row. */
    private static double[] maxAbsZ(float[][] rows) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            double m = 0;
            for (float v : rows[i]) {
                m = Math.max(m, Math.abs(v));
            }
            out[i] = m;
        }
        return out;
    }

    private static double above(double[] scores, double threshold) {
        return scores.length == 0 ? 0 : (double) Arrays.stream(scores).filter(s -> s > threshold).count()
                / scores.length;
    }

    private static double percentile(double[] values, double p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return Quantiles.sorted(sorted, p / 100);
    }

    private static String day(PullRequest pr) {
        return pr.observedAt().toString().substring(0, 10);
    }

    private static double secs(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static void line(StringBuilder md, String format, Object... args) {
        md.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
