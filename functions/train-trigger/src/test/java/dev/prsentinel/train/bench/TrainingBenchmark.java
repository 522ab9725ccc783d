package dev.prsentinel.train.bench;

import dev.prsentinel.core.anomaly.Autoencoder;
import dev.prsentinel.core.anomaly.Detector;
import dev.prsentinel.core.anomaly.ModelPackage;
import dev.prsentinel.core.features.FeatureSpec;
import dev.prsentinel.core.features.FeatureSpecV3;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.features.Quantiles;
import dev.prsentinel.core.features.RepositoryNorms;
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
import java.util.LinkedHashMap;
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
 * would scale them. Reported, for three models side by side (the shipped autoencoder, the largest
 * per-feature robust z-score, an Isolation Forest), each thresholded at the p99 of its own
 * validation scores: the loss curves; the flagged share of normal later PRs (target 1%) overall,
 * per quarter of the later period and per repository; the recall on injected anomalies of every
 * documented kind (real later PRs turned into the kind by core's generator, the same rows for every
 * model); ROC-AUC and PR-AUC of normal later PRs against injected ones; and the targets,
 * met or not.
 *
 * <p>Selection: the detector budgets chosen again without the later PRs, on anomalies injected into
 * the validation period, with each budget's later figures beside (see {@link #selectBudgets}).
 *
 * <p>Throughput: 10 epochs over all rows (no early stopping) with the shipped settings, beside the
 * plain-Java forward pass over the same rows (what scoring costs), measured in the same run.
 */
public final class TrainingBenchmark {

    private static final int INJECTED_PER_KIND = 2_000;
    /** Of them, how many per kind are ranked against the normal later PRs (ROC-AUC, PR-AUC). */
    private static final int RANKED_PER_KIND = 200;
    /** A repository's flagged share is reported when it has this many later PRs. */
    private static final int MIN_REPO_PRS = 200;

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
        // Every model reads the same PRs, each in the spec it was built for.
        Map<Integer, Split> bySpec = new LinkedHashMap<>();
        for (FeatureSpec spec : List.of(FeatureSpecs.CURRENT, FeatureSpecV3.SPEC)) {
            bySpec.put(spec.version(), Split.of(spec, prs, trainEnd, validationEnd));
        }
        Split current = bySpec.get(FeatureSpecs.CURRENT.version());
        Split previous = bySpec.get(FeatureSpecV3.VERSION);
        RobustScaler scaler = current.scaler();
        float[][] all = current.all();
        float[][] train = current.train();
        float[][] validation = current.validation();
        float[][] later = current.later();
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
        AutoencoderTrainer.Result result = AutoencoderTrainer.train(train, validation, scaler, current.norms(),
                settings, Map.of("feature_set_id", "pullreqs-time-split"));
        double trainSecs = secs(t);
        ModelPackage model = result.model();
        Autoencoder ae = model.autoencoder();
        Detector detector = new Detector(model);
        // The model before this one: the same spec, detectors and settings, the autoencoder's bottleneck 4 wide.
        AutoencoderTrainer.Result narrowResult = AutoencoderTrainer.train(train, validation, scaler, current.norms(),
                settings.withHidden(NARROW), Map.of("feature_set_id", "pullreqs-time-split"));
        ModelPackage narrowModel = narrowResult.model();
        // The tail as it read before the extreme reading: the same autoencoder, its tail reading z alone at the
        // budgets it shipped with.
        ModelPackage zAloneModel = recalibrated(model, current, Z_ALONE);
        Detector zAlone = new Detector(zAloneModel);
        // The model before v4: the autoencoder alone, as shipped through spec v3 (bottleneck 4).
        AutoencoderTrainer.Result previousResult = AutoencoderTrainer.train(previous.train(), previous.validation(),
                previous.scaler(), previous.norms(), settings.withHidden(NARROW).autoencoderOnly(),
                Map.of("feature_set_id", "pullreqs-time-split"));
        ModelPackage previousModel = previousResult.model();
        Autoencoder previousAe = previousModel.autoencoder();
        line(md, "");
        line(md, "## Training (shipped settings: lr %s, batch %d, at most %d epochs, patience %d, seed %d)",
                settings.learningRate(), settings.batchSize(), settings.maxEpochs(), settings.patience(),
                settings.seed());
        line(md, "");
        line(md, "Spec v%d (shipped, layers %s): %d epochs in %.1f s, best epoch %d (kept). Detector cuts:"
                + " reconstruction error %.4f (validation p%s), tail z-score %.2f (p%s) over %d measured"
                + " features, each of %d features against its own extreme (its |z| at the training p%s) %.3f"
                + " (p%s). Threshold (p%s of the validation scores, the largest ratio to a cut): %.4f. The model"
                + " before it, layers %s, the same otherwise: %d epochs, best epoch %d, threshold %.4f. Spec v%d"
                + " (the autoencoder alone, the model before v4), the same settings: %d epochs, best epoch %d,"
                + " threshold %.4f.",
                model.specVersion(), settings.layers(FeatureSpecs.CURRENT.size(), train.length),
                result.trainLoss().size(), trainSecs, result.bestEpoch() + 1,
                model.detectors().reconstructionCut(), model.detectors().reconstructionPercentile(),
                model.detectors().tailCut(), model.detectors().tailPercentile(),
                model.detectors().tailFeatures().size(), model.detectors().extreme().features().size(),
                100 * model.detectors().extreme().quantile(), model.detectors().extreme().cut(),
                model.detectors().extreme().percentile(), settings.thresholdPercentile(), model.threshold(),
                settings.withHidden(NARROW).layers(FeatureSpecs.CURRENT.size(), train.length),
                narrowResult.trainLoss().size(), narrowResult.bestEpoch() + 1, narrowModel.threshold(),
                previousModel.specVersion(), previousResult.trainLoss().size(), previousResult.bestEpoch() + 1,
                previousModel.threshold());
        line(md, "");
        line(md, "Spec v%d's losses:", model.specVersion());
        line(md, "");
        line(md, "| epoch | train loss | validation loss |");
        line(md, "|---:|---:|---:|");
        for (int e = 0; e < result.trainLoss().size(); e++) {
            line(md, "| %d | %.5f | %.5f |", e + 1, result.trainLoss().get(e), result.validationLoss().get(e));
        }

        // Three models scored the same way on the same rows: each flags above the p99 of its own
        // scores on the validation rows.
        IsolationForest forest = IsolationForest.fit(train, 100, 256, settings.seed());
        int shipped = FeatureSpecs.CURRENT.version();
        Detector narrow = new Detector(narrowModel);
        List<Scorer> models = List.of(
                Scorer.of("autoencoder + tail v" + shipped + " (shipped)", detector),
                Scorer.of("bottleneck 4 (before)", narrow),
                Scorer.of("tail z alone", zAlone),
                new Scorer("its autoencoder alone", shipped, ae::scores, Double.NaN, false),
                Scorer.of("autoencoder v" + FeatureSpecV3.VERSION + " (before v4)", new Detector(previousModel)),
                new Scorer("max robust z", shipped, TrainingBenchmark::maxAbsZ, Double.NaN, true),
                new Scorer("Isolation Forest", shipped,
                        rows -> Arrays.stream(rows).mapToDouble(forest::score).toArray(), Double.NaN, true));
        double[] thresholds = new double[models.size()];
        double[][] laterScores = new double[models.size()][];
        for (int m = 0; m < models.size(); m++) {
            Scorer scorer = models.get(m);
            Split split = bySpec.get(scorer.spec());
            thresholds[m] = !Double.isNaN(scorer.threshold()) ? scorer.threshold()
                    : Quantiles.percentile(scorer.score().apply(split.validation()), settings.thresholdPercentile());
            laterScores[m] = scorer.score().apply(split.later());
        }
        line(md, "");
        line(md, "## Models compared");
        line(md, "");
        line(md, "Each flags a PR above the p%s of its own scores on the validation rows. The shipped model"
                + " (spec v" + shipped + ") is an autoencoder with a tail detector beside it, each with its own"
                + " budget (core's Detector); the tail reads the largest robust z and, with a budget of its own,"
                + " each feature against its own training extreme. \"Bottleneck 4 (before)\" is the model it"
                + " replaces: the same in every way but its autoencoder's layers (16-4-16). \"Tail z alone\" is"
                + " the shipped autoencoder calibrated as the first v4 models were (its cut at p99.2, the tail's z"
                + " at p99.8, no extreme reading). Its autoencoder alone is thresholded on its errors, to show what"
                + " the tail adds. Spec v3's autoencoder alone (its layers as it shipped, 16-4-16; the same"
                + " training settings otherwise) is the model before v4. The"
                + " baselines read the shipped spec's scaled features: the max robust z is the largest"
                + " per-feature robust z-score, the Isolation Forest (Liu et al. 2008; 100 trees of 256 rows,"
                + " seed %d) is fitted on the training rows.",
                settings.thresholdPercentile(), settings.seed());
        line(md, "");
        line(md, "| model | threshold |");
        line(md, "|---|---:|");
        for (int m = 0; m < models.size(); m++) {
            line(md, "| %s | %.4f |", models.get(m).name(), thresholds[m]);
        }

        line(md, "");
        line(md, "## Flagged share of normal later PRs (target: %.1f%% ± 0.5 overall, p90 per repository at most 2%%)",
                100 - settings.thresholdPercentile());
        line(md, "");
        StringBuilder header = new StringBuilder("| later PRs | rows |");
        StringBuilder rule = new StringBuilder("|---|---:|");
        for (Scorer m : models) {
            header.append(' ').append(m.name()).append(" |");
            rule.append("---:|");
        }
        line(md, "%s", header);
        line(md, "%s", rule);
        double[] overallShare = new double[models.size()];
        StringBuilder allRow = new StringBuilder(String.format(Locale.ROOT, "| all | %,d |", later.length));
        for (int m = 0; m < models.size(); m++) {
            overallShare[m] = above(laterScores[m], thresholds[m]);
            allRow.append(String.format(Locale.ROOT, " %.2f%% |", 100 * overallShare[m]));
        }
        line(md, "%s", allRow);
        int quarter = later.length / 4;
        for (int q = 0; q < 4; q++) {
            int from = q * quarter;
            int to = q == 3 ? later.length : from + quarter;
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| quarter %d (%s to %s) | %,d |", q + 1,
                    day(prs.get(validationEnd + from)), day(prs.get(validationEnd + to - 1)), to - from));
            for (int m = 0; m < models.size(); m++) {
                row.append(String.format(Locale.ROOT, " %.2f%% |",
                        100 * above(Arrays.copyOfRange(laterScores[m], from, to), thresholds[m])));
            }
            line(md, "%s", row);
        }
        List<PullRequest> laterPrs = prs.subList(validationEnd, n);
        Map<String, List<Integer>> byRepo = new java.util.TreeMap<>();
        for (int i = 0; i < laterPrs.size(); i++) {
            byRepo.computeIfAbsent(laterPrs.get(i).repo(), r -> new ArrayList<>()).add(i);
        }
        byRepo.values().removeIf(rows -> rows.size() < MIN_REPO_PRS);
        double[] repoP90 = new double[models.size()];
        String[] stats = {"min", "median", "p90", "max"};
        double[] levels = {0, 0.5, 0.9, 1};
        for (int k = 0; k < stats.length; k++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| per repository, %s (%d repositories"
                    + " with %d or more later PRs) | |", stats[k], byRepo.size(), MIN_REPO_PRS));
            for (int m = 0; m < models.size(); m++) {
                double v = repoShare(laterScores[m], thresholds[m], byRepo, levels[k]);
                if (k == 2) {
                    repoP90[m] = v;
                }
                row.append(String.format(Locale.ROOT, " %.2f%% |", 100 * v));
            }
            line(md, "%s", row);
        }

        // Each kind injected into the same real later PRs for every model.
        Random random = new Random(7);
        Instant end = prs.get(n - 1).observedAt();
        SyntheticPullRequests.Kind[] kinds = SyntheticPullRequests.Kind.values();
        double[][] recall = new double[models.size()][kinds.length];
        double[][] rankedAnomalies = new double[models.size()][kinds.length * RANKED_PER_KIND];
        double[] overallRecall = new double[models.size()];
        List<Map<Integer, float[][]>> injectedRows = new ArrayList<>();
        List<List<PullRequest>> injectedPrs = new ArrayList<>();
        for (int k = 0; k < kinds.length; k++) {
            List<PullRequest> injected = new ArrayList<>(INJECTED_PER_KIND);
            for (int i = 0; i < INJECTED_PER_KIND; i++) {
                PullRequest pr = laterPrs.get(random.nextInt(laterPrs.size()));
                injected.add(SyntheticPullRequests.inject(random, pr, kinds[k], end));
            }
            Map<Integer, float[][]> rows = new LinkedHashMap<>();
            bySpec.forEach((version, split) -> rows.put(version, split.scale(injected)));
            injectedRows.add(rows);
            injectedPrs.add(injected);
            for (int m = 0; m < models.size(); m++) {
                double[] scores = models.get(m).score().apply(rows.get(models.get(m).spec()));
                recall[m][k] = above(scores, thresholds[m]);
                overallRecall[m] += recall[m][k] / kinds.length;
                System.arraycopy(scores, 0, rankedAnomalies[m], k * RANKED_PER_KIND, RANKED_PER_KIND);
            }
        }
        line(md, "");
        line(md, "## Recall on injected anomalies (target: every kind at least 90%%)");
        line(md, "");
        line(md, "%,d later PRs per kind, each turned into the kind by core's generator (SyntheticPullRequests.inject),"
                + " the same rows for every model.", INJECTED_PER_KIND);
        line(md, "");
        line(md, "%s", header.toString().replace("| later PRs | rows |", "| kind |"));
        line(md, "%s", rule.toString().replace("|---|---:|", "|---|"));
        for (int k = 0; k < kinds.length; k++) {
            StringBuilder row = new StringBuilder("| " + kinds[k] + " |");
            for (int m = 0; m < models.size(); m++) {
                row.append(String.format(Locale.ROOT, " %.1f%% |", 100 * recall[m][k]));
            }
            line(md, "%s", row);
        }
        StringBuilder overall = new StringBuilder("| all kinds |");
        for (int m = 0; m < models.size(); m++) {
            overall.append(String.format(Locale.ROOT, " %.1f%% |", 100 * overallRecall[m]));
        }
        line(md, "%s", overall);

        line(md, "");
        line(md, "## Ranking (target: ROC-AUC at least 0.98)");
        line(md, "");
        line(md, "The %,d normal later PRs against the first %d injected PRs of each kind (%,d anomalies, %.1f%% of the"
                + " rows): ROC-AUC, and PR-AUC as average precision, which depends on that share.", later.length,
                RANKED_PER_KIND, kinds.length * RANKED_PER_KIND,
                100.0 * kinds.length * RANKED_PER_KIND / (later.length + kinds.length * RANKED_PER_KIND));
        line(md, "");
        line(md, "| model | ROC-AUC | PR-AUC |");
        line(md, "|---|---:|---:|");
        double[] roc = new double[models.size()];
        double[] pr = new double[models.size()];
        for (int m = 0; m < models.size(); m++) {
            roc[m] = Ranking.rocAuc(laterScores[m], rankedAnomalies[m]);
            pr[m] = Ranking.averagePrecision(laterScores[m], rankedAnomalies[m]);
            line(md, "| %s | %.4f | %.4f |", models.get(m).name(), roc[m], pr[m]);
        }

        line(md, "");
        line(md, "## Targets (the shipped model; the models after it are what it must beat)");
        line(md, "");
        line(md, "| target | value | met |");
        line(md, "|---|---:|---|");
        double worstKind = Arrays.stream(recall[0]).min().orElse(0);
        line(md, "| every kind at least 90%% caught | worst %.1f%% | %s |", 100 * worstKind, yes(worstKind >= 0.9));
        line(md, "| ROC-AUC at least 0.98 | %.4f | %s |", roc[0], yes(roc[0] >= 0.98));
        line(md, "| flagged share 1.0%% ± 0.5 overall | %.2f%% | %s |", 100 * overallShare[0],
                yes(Math.abs(overallShare[0] - 0.01) <= 0.005));
        line(md, "| per repository, p90 at most 2%% | %.2f%% | %s |", 100 * repoP90[0], yes(repoP90[0] <= 0.02));
        boolean ahead = true;
        for (int m = 1; m < models.size(); m++) {
            if (!models.get(m).baseline()) {
                continue;
            }
            ahead &= roc[0] > roc[m] && pr[0] > pr[m] && overallRecall[0] > overallRecall[m];
            for (int k = 0; k < kinds.length; k++) {
                ahead &= recall[0][k] >= recall[m][k];
            }
        }
        line(md, "| ahead of both baselines (ROC-AUC, PR-AUC, overall recall, no kind behind) | | %s |", yes(ahead));

        fewerPrs(md, prs, trainEnd, validationEnd, injectedPrs);
        selectBudgets(md, model, current, prs.subList(trainEnd, validationEnd), prs.get(validationEnd - 1).observedAt(),
                injectedRows);

        // The same training with other seeds on the same rows: how much of a difference between two
        // models is the seed's.
        long[] seeds = {settings.seed(), 7, 2026};
        line(md, "");
        line(md, "## Seed sensitivity");
        line(md, "");
        line(md, "The shipped model, the one before it (bottleneck 4) and spec v3's trained again with other seeds"
                + " (their settings otherwise), scored on the same later and injected rows. A difference between two"
                + " models smaller than the spread across seeds is not the models'.");
        line(md, "");
        kindTable(md, "| spec | seed | threshold | flagged | per repository, p90 | ROC-AUC | all kinds |",
                "|---|---:|---:|---:|---:|---:|---:|");
        for (Split split : List.of(current, previous)) {
            for (long seed : seeds) {
                AutoencoderTrainer.Result r = seed == settings.seed()
                        ? (split == current ? result : previousResult)
                        : AutoencoderTrainer.train(split.train(), split.validation(), split.scaler(), split.norms(),
                                split == current ? reseeded(settings, seed)
                                        : reseeded(settings, seed).withHidden(NARROW).autoencoderOnly(),
                                Map.of());
                List<ModelPackage> calibrations = new ArrayList<>(List.of(r.model()));
                if (split == current) {
                    calibrations.add(recalibrated(r.model(), split, Z_ALONE));
                    calibrations.add(seed == settings.seed() ? narrowModel
                            : AutoencoderTrainer.train(split.train(), split.validation(), split.scaler(),
                                    split.norms(), reseeded(settings, seed).withHidden(NARROW), Map.of()).model());
                }
                for (ModelPackage calibrated : calibrations) {
                    Detector a = new Detector(calibrated);
                    double threshold = calibrated.threshold();
                    double[] laterErrors = a.scores(split.later());
                    KindRecall caught = KindRecall.of(a, threshold,
                            injectedRows.stream().map(rows -> rows.get(split.spec().version())).toList());
                    boolean zOnly = calibrated.detectors() != null && calibrated.detectors().extreme() == null;
                    String name = "v" + split.spec().version() + (zOnly ? ", tail z alone"
                            : split == current && bottleneck(calibrated) == 4 ? ", bottleneck 4 (before)" : "");
                    line(md, "| %s | %d | %.4f | %.2f%% | %.2f%% | %.4f | %.1f%% |%s", name, seed, threshold,
                            100 * above(laterErrors, threshold), 100 * repoShare(laterErrors, threshold, byRepo, 0.9),
                            Ranking.rocAuc(laterErrors, caught.ranked()), 100 * caught.allKinds(), caught.columns());
                }
            }
        }

        // Throughput: 10 full epochs over every row (the validation pass each epoch included).
        AutoencoderTrainer.Settings tenEpochs = new AutoencoderTrainer.Settings(settings.learningRate(),
                settings.batchSize(), 10, 10, settings.seed(), settings.thresholdPercentile());
        t = System.nanoTime();
        AutoencoderTrainer.Result ten = AutoencoderTrainer.train(all, validation, scaler, current.norms(), tenEpochs,
                Map.of());
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

    /**
     * Training set sizes: below the 10,000 rows that resolve the extreme reading's own p99.99 and that
     * train the wider bottleneck ({@link AutoencoderTrainer#WIDE_MIN_ROWS}), and two above them.
     */
    private static final int[] FEWER = {Detector.Budgets.EXTREME_MIN_ROWS, 1_600, 4_000, 8_000, 12_000, 40_000};

    /**
     * A user's own, smaller data: the newest {@code size} training PRs and the next size / 8
     * validation PRs, norms and scaler fitted on those training rows, scored on the same later and
     * injected PRs as the tables above. Each trained model is read twice: as shipped (the extreme
     * reading at the highest quantile the rows resolve) and with its tail reading z alone, which is
     * what every model under 10,000 training rows did before.
     */
    private static void fewerPrs(StringBuilder md, List<PullRequest> prs, int trainEnd, int validationEnd,
            List<List<PullRequest>> injectedPrs) {
        line(md, "");
        line(md, "## Training on fewer PRs");
        line(md, "");
        line(md, "The newest training PRs of each size below, the next eighth as many validation PRs (the demo's"
                + " and train-trigger's 80/10 proportion), norms and scaler fitted on those training rows, the shipped"
                + " settings; scored on the same %,d later PRs and the same injected ones. Each model is read as"
                + " shipped and with its tail reading z alone, as every model trained on fewer than 10,000 rows was"
                + " once. The shipped autoencoder's bottleneck is 8 from %,d training rows on and 4 below; the other"
                + " width is trained on the same rows beside it, to show what that rule chooses between.",
                prs.size() - validationEnd, AutoencoderTrainer.WIDE_MIN_ROWS);
        line(md, "");
        kindTable(md, "| training PRs | seed | tail | extreme quantile | flagged | ROC-AUC | all kinds |",
                "|---:|---:|---|---:|---:|---:|---:|");
        for (int size : FEWER) {
            List<PullRequest> subset = new ArrayList<>(prs.subList(trainEnd - size, trainEnd + size / 8));
            subset.addAll(prs.subList(validationEnd, prs.size()));
            Split split = Split.of(FeatureSpecs.CURRENT, subset, size, size + size / 8);
            List<float[][]> injected = injectedPrs.stream().map(split::scale).toList();
            for (long seed : new long[] {42, 7}) {
                ModelPackage shipped = AutoencoderTrainer.train(split.train(), split.validation(), split.scaler(),
                        split.norms(), AutoencoderTrainer.Settings.defaults(seed), Map.of()).model();
                ModelPackage zAlone = recalibrated(shipped, split, new Detector.Budgets(
                        Detector.Budgets.SHIPPED.reconstructionPercentile(), Detector.Budgets.SHIPPED.tailPercentile(),
                        Double.NaN, Detector.Budgets.SHIPPED.extremeQuantile()));
                List<Integer> other = AutoencoderTrainer.hiddenFor(size).equals(AutoencoderTrainer.HIDDEN)
                        ? AutoencoderTrainer.HIDDEN_FEW_ROWS : AutoencoderTrainer.HIDDEN;
                ModelPackage unshipped = AutoencoderTrainer.train(split.train(), split.validation(), split.scaler(),
                        split.norms(), AutoencoderTrainer.Settings.defaults(seed).withHidden(other), Map.of()).model();
                for (ModelPackage m : List.of(shipped, zAlone, unshipped)) {
                    Detector d = new Detector(m);
                    double[] later = d.scores(split.later());
                    KindRecall recall = KindRecall.of(d, m.threshold(), injected);
                    ModelPackage.Extreme e = m.detectors().extreme();
                    line(md, "| %,d | %d | %s | %s | %.2f%% | %.4f | %.1f%% |%s", size, seed,
                            e == null ? "z alone" : "both readings, bottleneck " + bottleneck(m)
                                    + (m == unshipped ? " (not shipped at this size)" : " (shipped)"),
                            e == null ? "" : String.format(Locale.ROOT, "%.5f", e.quantile()),
                            100 * above(later, m.threshold()), Ranking.rocAuc(later, recall.ranked()),
                            100 * recall.allKinds(), recall.columns());
                }
            }
        }
    }

    /** A table's header and rule, then a column for each kind. */
    private static void kindTable(StringBuilder md, String header, String rule) {
        StringBuilder h = new StringBuilder(header);
        StringBuilder r = new StringBuilder(rule);
        for (SyntheticPullRequests.Kind kind : SyntheticPullRequests.Kind.values()) {
            h.append(' ').append(kind).append(" |");
            r.append("---:|");
        }
        line(md, "%s", h);
        line(md, "%s", r);
    }

    /**
     * A model's recall of each kind at its threshold, as table columns, their mean, and the first
     * {@link #RANKED_PER_KIND} scores of each kind, which are ranked against the normal later PRs.
     */
    private record KindRecall(double[] kinds, double[] ranked) {

        static KindRecall of(Detector d, double threshold, List<float[][]> injected) {
            double[] kinds = new double[injected.size()];
            double[] ranked = new double[injected.size() * RANKED_PER_KIND];
            for (int k = 0; k < injected.size(); k++) {
                double[] scores = d.scores(injected.get(k));
                kinds[k] = above(scores, threshold);
                System.arraycopy(scores, 0, ranked, k * RANKED_PER_KIND, RANKED_PER_KIND);
            }
            return new KindRecall(kinds, ranked);
        }

        double allKinds() {
            return Arrays.stream(kinds).average().orElse(0);
        }

        double worst() {
            return Arrays.stream(kinds).min().orElse(0);
        }

        String columns() {
            StringBuilder columns = new StringBuilder();
            for (double caught : kinds) {
                columns.append(String.format(Locale.ROOT, " %.1f%% |", 100 * caught));
            }
            return columns.toString();
        }
    }

    /** Injected PRs per kind in the validation period, where the budgets are chosen. */
    private static final int SELECTION_PER_KIND = 1_000;

    /**
     * The budgets chosen without looking at the later PRs. Every kind is injected into validation PRs
     * instead (their own generator seed), the shipped autoencoder is calibrated at every budget of a
     * grid, and the budgets with the best all-kinds recall there, among those whose validation ROC-AUC
     * meets the 0.98 target, are the selection. The later columns show what each choice does on the
     * rows the report's figures come from, so whether the shipped budgets were fitted to them can be
     * read off: the selection's later figures are the honest ones.
     */
    private static void selectBudgets(StringBuilder md, ModelPackage model, Split current,
            List<PullRequest> validationPrs, Instant validationEnd, List<Map<Integer, float[][]>> laterInjected) {
        SyntheticPullRequests.Kind[] kinds = SyntheticPullRequests.Kind.values();
        int spec = current.spec().version();
        Random random = new Random(11);
        List<float[][]> selection = new ArrayList<>();
        for (int k = 0; k < kinds.length; k++) {
            List<PullRequest> injected = new ArrayList<>(SELECTION_PER_KIND);
            for (int i = 0; i < SELECTION_PER_KIND; i++) {
                PullRequest pr = validationPrs.get(random.nextInt(validationPrs.size()));
                injected.add(SyntheticPullRequests.inject(random, pr, kinds[k], validationEnd));
            }
            selection.add(current.scale(injected));
        }
        List<float[][]> later = laterInjected.stream().map(rows -> rows.get(spec)).toList();
        double[] validationErrors = model.autoencoder().scores(current.validation());
        double[] reconstruction = {99.0, 99.2, 99.3, 99.4, 99.5, 99.6};
        double[] tail = {99.6, 99.7, 99.8, 99.9};
        double[] extreme = {Double.NaN, 99.7, 99.8, 99.85, 99.9};
        List<BudgetTrial> trials = new ArrayList<>();
        for (double r : reconstruction) {
            for (double t : tail) {
                for (double e : extreme) {
                    Detector.Budgets budgets = new Detector.Budgets(r, t, e,
                            Detector.Budgets.SHIPPED.extremeQuantile());
                    ModelPackage m = recalibrated(model, current, budgets, validationErrors);
                    Detector d = new Detector(m);
                    KindRecall onValidation = KindRecall.of(d, m.threshold(), selection);
                    KindRecall onLater = KindRecall.of(d, m.threshold(), later);
                    double[] laterNormal = d.scores(current.later());
                    trials.add(new BudgetTrial(budgets, onValidation.allKinds(),
                            Ranking.rocAuc(d.scores(current.validation()), onValidation.ranked()), onLater,
                            Ranking.rocAuc(laterNormal, onLater.ranked()), above(laterNormal, m.threshold())));
                }
            }
        }
        Comparator<BudgetTrial> byValidation = Comparator.comparing(BudgetTrial::missesAuc)
                .thenComparing(Comparator.comparingDouble(BudgetTrial::validationRecall).reversed());
        List<BudgetTrial> ranked = trials.stream().sorted(byValidation).toList();
        BudgetTrial selected = ranked.get(0);
        BudgetTrial shipped = trials.stream().filter(b -> b.budgets().equals(Detector.Budgets.SHIPPED)).findFirst()
                .orElseThrow(() -> new IllegalStateException("the grid must hold the shipped budgets"));
        line(md, "");
        line(md, "## Budget selection on the validation period");
        line(md, "");
        line(md, "The shipped budgets (%s) were first chosen on this report's later PRs. Here they are chosen"
                + " without them: %,d validation PRs per kind turned into the kind (generator seed 11), the shipped"
                + " autoencoder calibrated at each of %d budgets (reconstruction x tail z x extreme, none for no"
                + " extreme reading), and the best all-kinds recall there among those with a validation ROC-AUC of"
                + " at least 0.98 is the selection. The later columns read the same rows as the tables above.",
                budgetName(Detector.Budgets.SHIPPED), SELECTION_PER_KIND, trials.size());
        line(md, "");
        line(md, "| budgets (reconstruction / tail z / extreme) | validation: all kinds | validation: ROC-AUC"
                + " | later: all kinds | later: worst kind | later: ROC-AUC | later: flagged |");
        line(md, "|---|---:|---:|---:|---:|---:|---:|");
        for (int i = 0; i < ranked.size(); i++) {
            BudgetTrial b = ranked.get(i);
            if (i < 8 || b == shipped) {
                line(md, "| %s%s%s | %.1f%% | %.4f | %.1f%% | %.1f%% | %.4f | %.2f%% |", budgetName(b.budgets()),
                        b == selected ? " (selected)" : "", b == shipped ? " (shipped)" : "",
                        100 * b.validationRecall(), b.validationAuc(), 100 * b.laterRecall(), 100 * b.laterWorst(),
                        b.laterAuc(), 100 * b.laterFlagged());
            }
        }
        double bestLater = trials.stream().mapToDouble(BudgetTrial::laterRecall).max().orElse(0);
        double[] gap = trials.stream().mapToDouble(b -> Math.abs(b.laterRecall() - b.validationRecall())).toArray();
        line(md, "");
        line(md, "Selected: %s, rank %d of %d on later PRs' all-kinds recall. Shipped: rank %d by the"
                + " validation criterion. On later PRs the selection catches %.1f%% of all kinds at a ROC-AUC of"
                + " %.4f; the shipped budgets %.1f%% and %.4f; the best of the grid, chosen on the later PRs"
                + " themselves, %.1f%%. Over the %d budgets a budget's all-kinds recall on the validation"
                + " injections and on the later ones differ by %.2f points on average, %.2f at most.",
                budgetName(selected.budgets()), rankOnLater(trials, selected), trials.size(),
                ranked.indexOf(shipped) + 1, 100 * selected.laterRecall(), selected.laterAuc(),
                100 * shipped.laterRecall(), shipped.laterAuc(), 100 * bestLater, trials.size(),
                100 * Arrays.stream(gap).average().orElse(0), 100 * Arrays.stream(gap).max().orElse(0));
        // Each kind at the budget best for it alone, read on the later PRs: a bound on what moving the budgets
        // could reach for that kind, since no one budget does better on it.
        line(md, "");
        line(md, "| kind | shipped budgets, later | the grid's best for this kind alone, later | at budgets |");
        line(md, "|---|---:|---:|---|");
        for (int k = 0; k < kinds.length; k++) {
            int kind = k;
            BudgetTrial best = trials.stream().max(Comparator.comparingDouble(b -> b.later().kinds()[kind]))
                    .orElseThrow();
            line(md, "| %s | %.1f%% | %.1f%% | %s |", kinds[k], 100 * shipped.later().kinds()[k],
                    100 * best.later().kinds()[k], budgetName(best.budgets()));
        }
    }

    /** One budget of the selection grid, read on the validation injections and on the later rows. */
    private record BudgetTrial(Detector.Budgets budgets, double validationRecall, double validationAuc,
            KindRecall later, double laterAuc, double laterFlagged) {

        double laterRecall() {
            return later.allKinds();
        }

        double laterWorst() {
            return later.worst();
        }

        boolean missesAuc() {
            return validationAuc < 0.98;
        }
    }

    private static int rankOnLater(List<BudgetTrial> trials, BudgetTrial trial) {
        return 1 + (int) trials.stream().filter(b -> b.laterRecall() > trial.laterRecall()).count();
    }

    private static String budgetName(Detector.Budgets b) {
        return String.format(Locale.ROOT, "p%s / p%s / %s", b.reconstructionPercentile(), b.tailPercentile(),
                Double.isNaN(b.extremePercentile()) ? "none" : "p" + b.extremePercentile());
    }

    /**
     * A model's name, the spec whose scaled rows it reads, its scores of them (higher: more anomalous),
     * its own threshold (NaN: the p99 of its validation scores), and whether it is a baseline the
     * shipped model must beat.
     */
    private record Scorer(String name, int spec, java.util.function.Function<float[][], double[]> score,
            double threshold, boolean baseline) {

        /** A trained package, at the threshold it carries. */
        static Scorer of(String name, Detector d) {
            return new Scorer(name, d.model().specVersion(), d::scores, d.model().threshold(), false);
        }
    }

    /**
     * The time split in one spec: the repository norms (from spec v3 on) and the scaler fitted on
     * the training rows only, so the later PRs are read as a deployed model would read them.
     */
    private record Split(FeatureSpec spec, RepositoryNorms norms, RobustScaler scaler, float[][] all,
            float[][] train, float[][] validation, float[][] later) {

        static Split of(FeatureSpec spec, List<PullRequest> prs, int trainEnd, int validationEnd) {
            RepositoryNorms norms = spec.fitNorms(prs.subList(0, trainEnd));
            double[][] raw = prs.stream().map(pr -> spec.extract(pr, norms)).toArray(double[][]::new);
            RobustScaler scaler = RobustScaler.fit(spec, Arrays.copyOfRange(raw, 0, trainEnd));
            float[][] all = TrainingBenchmark.scale(scaler, raw);
            return new Split(spec, norms, scaler, all, Arrays.copyOfRange(all, 0, trainEnd),
                    Arrays.copyOfRange(all, trainEnd, validationEnd), Arrays.copyOfRange(all, validationEnd,
                    all.length));
        }

        float[][] scale(List<PullRequest> prs) {
            return TrainingBenchmark.scale(scaler, prs.stream().map(pr -> spec.extract(pr, norms))
                    .toArray(double[][]::new));
        }
    }

    private static AutoencoderTrainer.Settings reseeded(AutoencoderTrainer.Settings s, long seed) {
        return new AutoencoderTrainer.Settings(s.learningRate(), s.batchSize(), s.maxEpochs(), s.patience(), seed,
                s.thresholdPercentile(), s.reconstructionPercentile(), s.tailPercentile(), s.extremePercentile());
    }

    /** The autoencoder's layers before the bottleneck was widened to 8: what fewer rows still train. */
    private static final List<Integer> NARROW = AutoencoderTrainer.HIDDEN_FEW_ROWS;

    /** The width of a package's narrowest layer. */
    private static int bottleneck(ModelPackage m) {
        return m.layers().stream().mapToInt(ModelPackage.Layer::out).min().orElse(0);
    }

    /** The budgets the first v4 models shipped with: no extreme reading. */
    private static final Detector.Budgets Z_ALONE = new Detector.Budgets(99.2, 99.8, Double.NaN, 0.9999);

    /** The same autoencoder with its detectors calibrated again at other budgets, as the trainer would. */
    private static ModelPackage recalibrated(ModelPackage m, Split split, Detector.Budgets budgets) {
        return recalibrated(m, split, budgets, m.autoencoder().scores(split.validation()));
    }

    private static ModelPackage recalibrated(ModelPackage m, Split split, Detector.Budgets budgets,
            double[] validationErrors) {
        Detector.Calibration c = Detector.calibrate(split.spec(), split.train(), split.validation(), validationErrors,
                budgets);
        return new ModelPackage(m.format(), m.specVersion(), m.features(), m.layers(), m.center(), m.scale(),
                Quantiles.percentile(c.validationScores(), m.thresholdPercentile()), m.thresholdPercentile(),
                m.featureErrorMean(), m.featureErrorP99(), m.typicalLow(), m.typicalHigh(), m.training(),
                m.repositories(), c.detectors());
    }

    private static String yes(boolean met) {
        return met ? "yes" : "**no**";
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

    /** A quantile over repositories of the share of each one's later PRs scored above the threshold. */
    private static double repoShare(double[] laterScores, double threshold, Map<String, List<Integer>> byRepo,
            double level) {
        double[] shares = new double[byRepo.size()];
        int r = 0;
        for (List<Integer> rows : byRepo.values()) {
            double[] s = new double[rows.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = laterScores[rows.get(i)];
            }
            shares[r++] = above(s, threshold);
        }
        Arrays.sort(shares);
        return shares.length == 0 ? Double.NaN : Quantiles.sorted(shares, level);
    }

    private static double above(double[] scores, double threshold) {
        return scores.length == 0 ? 0 : (double) Arrays.stream(scores).filter(s -> s > threshold).count()
                / scores.length;
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
