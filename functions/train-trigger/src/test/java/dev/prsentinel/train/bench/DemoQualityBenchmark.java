package dev.prsentinel.train.bench;

import dev.prsentinel.core.anomaly.ModelPackage;
import dev.prsentinel.core.anomaly.Scorer;
import dev.prsentinel.core.features.Feature;
import dev.prsentinel.core.features.FeatureSpec;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.features.Quantiles;
import dev.prsentinel.core.features.RepositoryNorms;
import dev.prsentinel.core.features.RobustScaler;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import dev.prsentinel.train.AutoencoderTrainer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * What the demo's model can catch on the demo's own synthetic set, and what the demo's measurement
 * lets any model catch. Run: {@code benchmarks/run-demo-quality.sh [report.md]}.
 *
 * <p>The set is generated as the demo generates it (core's generator, 6 repositories, the demo's
 * window end), then read as featurize and train-trigger read it: rows ordered by the time each PR
 * was last observed, repository norms and the scaler fitted on every row, the oldest 80% train,
 * the next 10% validate (early stopping and the p99 threshold), the shipped settings. Each PR is
 * scored with the plain-Java forward pass score serves.
 *
 * <p>Beside each model, the ceiling of the measurement: an oracle that ranks every injected PR
 * above every normal one, thresholded by the same rule (the p99 of its validation scores). When the
 * validation rows hold more injected PRs than the 1% the threshold lets through, the threshold
 * lands among the anomalies and not even the oracle catches them all.
 */
public final class DemoQualityBenchmark {

    private static final Instant WINDOW_END = SyntheticPullRequests.DEMO_WINDOW_END;
    private static final int REPOS = SyntheticPullRequests.DEMO_REPOS;
    private static final long GENERATOR_SEED = SyntheticPullRequests.DEMO_SEED;
    private static final long[] SEEDS = {42, 7, 2026};
    private static final int TOP = 10;
    private static final int DRAWS = 200;
    /** The demo's shape (its defaults: 2,000 PRs, 1% injected), then two with fewer anomalies per PR. */
    private static final List<Shape> SHAPES = List.of(
            new Shape(SyntheticPullRequests.DEMO_PRS, SyntheticPullRequests.DEMO_ANOMALY_RATE),
            new Shape(2000, 0.005), new Shape(4000, 0.005));

    /** A demo shape: PRs generated and the share turned into anomalies. */
    private record Shape(int prs, double rate) {
    }

    private DemoQualityBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path report = Path.of(args.length > 0 ? args[0] : "target/demo-quality.md");
        StringBuilder md = new StringBuilder();
        line(md, "# What the demo's model catches on the demo's synthetic set");
        line(md, "");
        line(md, "Written by `benchmarks/run-demo-quality.sh`; rerun it to refresh this file. Machine: %d cores,"
                + " Java %s. Spec v%d, the shipped training settings, generator seed %d, %d repositories.",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                FeatureSpecs.CURRENT.version(), GENERATOR_SEED, REPOS);
        line(md, "");
        line(md, "Each row: one demo shape (PRs, share injected) and one training seed. *validation* is how many"
                + " of the 200-odd validation rows are injected PRs; the threshold is the p99 of the validation"
                + " rows' scores, as train-trigger sets it. *ceiling* is what an oracle ranking every injected"
                + " PR first catches under that same rule. *flag-led in the top %d* counts top-scored PRs whose"
                + " largest error share is a 0/1 flag.", TOP);
        line(md, "");
        StringBuilder header = new StringBuilder("| PRs | injected | seed | validation | threshold | flagged | caught"
                + " | ceiling | ROC-AUC | flag-led in the top " + TOP);
        StringBuilder rule = new StringBuilder("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:");
        for (SyntheticPullRequests.Kind kind : SyntheticPullRequests.Kind.DEMO) {
            header.append(" | ").append(kind);
            rule.append("|---:");
        }
        line(md, "%s |", header);
        line(md, "%s|", rule);
        Prepared demoSet = null;
        ModelPackage demoModel = null;
        for (Shape shape : SHAPES) {
            Prepared set = Prepared.of(shape);
            for (long seed : SEEDS) {
                ModelPackage model = set.train(seed);
                line(md, "%s", row(set, seed, model));
                if (demoModel == null) {
                    demoSet = set;
                    demoModel = model;
                }
            }
        }
        whereMissesSit(md, demoSet, demoModel, SEEDS[0]);
        line(md, "");
        line(md, "## How often the measurement itself caps the demo");
        line(md, "");
        line(md, "The p99 threshold of n validation rows lets the top 1%% of them through. When more injected PRs"
                + " than that land in the validation slice, the threshold falls among the anomalies, whatever the"
                + " model. Over generator seeds 1 to %d (the demo's shapes, no training needed):", DRAWS);
        line(md, "");
        line(md, "| PRs | injected | generator seeds whose validation slice holds more injected PRs than its 1%% |");
        line(md, "|---:|---:|---:|");
        for (Shape shape : SHAPES) {
            int capped = 0;
            for (long g = 1; g <= DRAWS; g++) {
                var generated = SyntheticPullRequests.generate(g, shape.prs(), REPOS, shape.rate(), WINDOW_END);
                List<PullRequest> prs = ordered(generated.pullRequests());
                boolean[] injected = injected(prs, generated.kindByKey());
                int trainEnd = trainEnd(prs.size());
                int validationEnd = validationEnd(prs.size());
                capped += count(injected, trainEnd, validationEnd) > (validationEnd - trainEnd) / 100 ? 1 : 0;
            }
            line(md, "| %,d | %.1f%% | %d of %d |", shape.prs(), 100 * shape.rate(), capped, DRAWS);
        }
        Files.writeString(report, md.toString(), StandardCharsets.UTF_8);
        System.out.print(md);
    }

    /**
     * One shape's set, read as featurize reads it: what every training seed of that shape shares.
     *
     * @param injected whether each row (in {@code prs} order) is an injected PR
     */
    private record Prepared(Shape shape, List<PullRequest> prs, Map<String, SyntheticPullRequests.Kind> kinds,
            boolean[] injected, RepositoryNorms norms, RobustScaler scaler, double[][] raw, float[][] scaled,
            int trainEnd, int validationEnd) {

        static Prepared of(Shape shape) {
            var generated = SyntheticPullRequests.generate(GENERATOR_SEED, shape.prs(), REPOS, shape.rate(),
                    WINDOW_END);
            Map<String, SyntheticPullRequests.Kind> kinds = generated.kindByKey();
            List<PullRequest> prs = ordered(generated.pullRequests());
            FeatureSpec spec = FeatureSpecs.CURRENT;
            RepositoryNorms norms = spec.fitNorms(prs);
            double[][] raw = prs.stream().map(pr -> spec.extract(pr, norms)).toArray(double[][]::new);
            RobustScaler scaler = RobustScaler.fit(spec, raw);
            float[][] scaled = Arrays.stream(raw).map(scaler::transformToFloat).toArray(float[][]::new);
            return new Prepared(shape, prs, kinds, DemoQualityBenchmark.injected(prs, kinds), norms, scaler, raw,
                    scaled, DemoQualityBenchmark.trainEnd(raw.length), DemoQualityBenchmark.validationEnd(raw.length));
        }

        /** The model train-trigger trains on this set with the shipped settings at {@code seed}. */
        ModelPackage train(long seed) {
            return AutoencoderTrainer.train(Arrays.copyOfRange(scaled, 0, trainEnd),
                    Arrays.copyOfRange(scaled, trainEnd, validationEnd), scaler, norms,
                    AutoencoderTrainer.Settings.defaults(seed), Map.of()).model();
        }
    }

    private static String row(Prepared set, long seed, ModelPackage model) {
        Shape shape = set.shape();
        List<PullRequest> prs = set.prs();
        Map<String, SyntheticPullRequests.Kind> kinds = set.kinds();
        double[][] raw = set.raw();
        boolean[] injected = set.injected();
        int trainEnd = set.trainEnd();
        int validationEnd = set.validationEnd();
        FeatureSpec spec = FeatureSpecs.CURRENT;
        Scorer scorer = new Scorer(model);
        double[] scores = Arrays.stream(raw).mapToDouble(scorer::score).toArray();
        int total = count(injected, 0, raw.length);
        Map<SyntheticPullRequests.Kind, int[]> byKind = new EnumMap<>(SyntheticPullRequests.Kind.class);
        int flagged = 0;
        for (int i = 0; i < raw.length; i++) {
            boolean flag = scores[i] > model.threshold();
            flagged += flag ? 1 : 0;
            if (injected[i]) {
                int[] c = byKind.computeIfAbsent(kinds.get(prs.get(i).key()), k -> new int[2]);
                c[0] += flag ? 1 : 0;
                c[1]++;
            }
        }
        int caught = byKind.values().stream().mapToInt(c -> c[0]).sum();
        // The oracle keeps each group's own order (the model's) and puts every injected PR first.
        double[] oracle = new double[raw.length];
        for (int i = 0; i < raw.length; i++) {
            oracle[i] = (injected[i] ? 1 : 0) + scores[i] / (1 + scores[i]);
        }
        double[] validation = Arrays.copyOfRange(oracle, trainEnd, validationEnd);
        Arrays.sort(validation);
        double oracleThreshold = Quantiles.sorted(validation, model.thresholdPercentile() / 100);
        int ceiling = 0;
        for (int i = 0; i < raw.length; i++) {
            ceiling += injected[i] && oracle[i] > oracleThreshold ? 1 : 0;
        }
        double[] normal = IntStream.range(0, raw.length).filter(i -> !injected[i]).mapToDouble(i -> scores[i])
                .toArray();
        double[] anomalous = IntStream.range(0, raw.length).filter(i -> injected[i]).mapToDouble(i -> scores[i])
                .toArray();
        Integer[] order = IntStream.range(0, raw.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> -scores[i]));
        List<String> flags = spec.features().stream().filter(f -> f.scaling() == Feature.Scaling.FLAG)
                .map(Feature::name).toList();
        int flagLed = 0;
        for (int t = 0; t < TOP; t++) {
            Scorer.Score s = scorer.explain(raw[order[t]], 1);
            flagLed += flags.contains(s.top().get(0).feature()) ? 1 : 0;
        }
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "| %,d | %d (%.2f%%) | %d | %d of %d | %.3f | %d (%.2f%%) | %d (%.0f%%) | %d (%.0f%%) | %.4f | %d",
                shape.prs(), total, 100.0 * total / raw.length, seed, count(injected, trainEnd, validationEnd),
                validationEnd - trainEnd, model.threshold(), flagged, 100.0 * flagged / raw.length, caught,
                100.0 * caught / total, ceiling, 100.0 * ceiling / total, Ranking.rocAuc(normal, anomalous),
                flagLed));
        for (SyntheticPullRequests.Kind kind : SyntheticPullRequests.Kind.DEMO) {
            int[] c = byKind.getOrDefault(kind, new int[2]);
            out.append(String.format(Locale.ROOT, " | %d/%d", c[0], c[1]));
        }
        return out.append(" |").toString();
    }

    /**
     * The demo's shape at one seed, read detector by detector: each cut, the validation rows it falls
     * between (a percentile of about 200 rows is one or two of them), and how far each kind's injected
     * PRs reach towards each cut. A kind far below both is missed by the model; one just below a cut
     * that an anomaly or one unusual normal row set is missed by the calibration.
     */
    private static void whereMissesSit(StringBuilder md, Prepared set, ModelPackage model, long seed) {
        float[][] scaled = set.scaled();
        int trainEnd = set.trainEnd();
        int validationEnd = set.validationEnd();
        ModelPackage.Detectors detectors = model.detectors();
        List<String> names = model.features();
        int[] tail = detectors.tailFeatures().stream().mapToInt(names::indexOf).toArray();
        double[] reconstruction = model.autoencoder().scores(scaled);
        double[] z = new double[scaled.length];
        String[] leader = new String[scaled.length];
        for (int i = 0; i < scaled.length; i++) {
            for (int t : tail) {
                if (Math.abs(scaled[i][t]) >= z[i]) {
                    z[i] = Math.abs(scaled[i][t]);
                    leader[i] = names.get(t);
                }
            }
        }
        line(md, "");
        line(md, "## Where the misses sit (%,d PRs, %.0f%% injected, seed %d)", set.shape().prs(),
                100 * set.shape().rate(), seed);
        line(md, "");
        line(md, "Each detector's cut is a percentile of its reading on the %d validation rows%s. Set by: the"
                + " validation rows the percentile falls between, counted from the top.",
                validationEnd - trainEnd, detectors.extreme() == null
                        ? " (with fewer training rows than the extreme reading needs, the tail reads z alone)" : "");
        line(md, "");
        line(md, "| detector | cut | percentile | set by |");
        line(md, "|---|---:|---:|---|");
        line(md, "| reconstruction error | %.3f | p%s | %s |", detectors.reconstructionCut(),
                detectors.reconstructionPercentile(), setBy(set, reconstruction, detectors.reconstructionPercentile(),
                        null));
        line(md, "| largest tail z | %.2f | p%s | %s |", detectors.tailCut(), detectors.tailPercentile(),
                setBy(set, z, detectors.tailPercentile(), leader));
        ModelPackage.Extreme extreme = detectors.extreme();
        double[] ratio = new double[scaled.length];
        String[] extremeLeader = new String[scaled.length];
        if (extreme != null) {
            for (int i = 0; i < scaled.length; i++) {
                for (int f = 0; f < extreme.features().size(); f++) {
                    double r = Math.abs(scaled[i][names.indexOf(extreme.features().get(f))]) / extreme.scales().get(f);
                    if (r >= ratio[i]) {
                        ratio[i] = r;
                        extremeLeader[i] = extreme.features().get(f);
                    }
                }
            }
            line(md, "| each feature over its own extreme (training quantile %.5f) | %.3f | p%s | %s |",
                    extreme.quantile(), extreme.cut(), extreme.percentile(),
                    setBy(set, ratio, extreme.percentile(), extremeLeader));
        }
        line(md, "");
        line(md, "Each kind's injected PRs (all of them, wherever they fall in the split): caught at the threshold"
                + " (%.3f), and the median of each reading over its cut.", model.threshold());
        line(md, "");
        line(md, "| kind | caught | reconstruction / cut, median | tail z / cut, median | tail z led by |%s",
                extreme == null ? "" : " extreme / cut, median | extreme led by |");
        line(md, "|---|---:|---:|---:|---|%s", extreme == null ? "" : "---:|---|");
        Scorer scorer = new Scorer(model);
        for (SyntheticPullRequests.Kind kind : SyntheticPullRequests.Kind.DEMO) {
            int[] rows = IntStream.range(0, scaled.length)
                    .filter(i -> kind == set.kinds().get(set.prs().get(i).key())).toArray();
            long caught = Arrays.stream(rows).filter(i -> scorer.score(set.raw()[i]) > model.threshold()).count();
            String extremeColumns = extreme == null ? "" : String.format(Locale.ROOT, " %.2f | %s |",
                    Quantiles.percentile(Arrays.stream(rows).mapToDouble(i -> ratio[i]).toArray(), 50)
                            / extreme.cut(), counts(rows, extremeLeader));
            line(md, "| %s | %d/%d | %.2f | %.2f | %s |%s", kind, caught, rows.length,
                    Quantiles.percentile(Arrays.stream(rows).mapToDouble(i -> reconstruction[i]).toArray(), 50)
                            / detectors.reconstructionCut(),
                    Quantiles.percentile(Arrays.stream(rows).mapToDouble(i -> z[i]).toArray(), 50)
                            / detectors.tailCut(), counts(rows, leader), extremeColumns);
        }
    }

    /** How many of the rows each feature leads. */
    private static Map<String, Long> counts(int[] rows, String[] leader) {
        Map<String, Long> out = new java.util.TreeMap<>();
        Arrays.stream(rows).forEach(i -> out.merge(leader[i], 1L, Long::sum));
        return out;
    }

    /** The two validation rows a percentile of {@code reading} lies between: rank, normal or kind, leader. */
    private static String setBy(Prepared set, double[] reading, double percentile, String[] leader) {
        Integer[] order = IntStream.range(set.trainEnd(), set.validationEnd()).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> -reading[i]));
        double h = (order.length - 1) * (1 - percentile / 100);
        StringBuilder out = new StringBuilder();
        for (int rank = (int) Math.floor(h); rank <= Math.min((int) Math.ceil(h), order.length - 1); rank++) {
            int i = order[rank];
            SyntheticPullRequests.Kind kind = set.kinds().get(set.prs().get(i).key());
            out.append(out.length() == 0 ? "" : " and ").append(String.format(Locale.ROOT, "#%d, %s, %.2f%s",
                    rank + 1, kind == null ? "normal" : kind, reading[i], leader == null ? "" : " on " + leader[i]));
        }
        return out.toString();
    }

    /** In train-trigger's order: by the time each PR was last observed, then repository and number. */
    private static List<PullRequest> ordered(List<PullRequest> generated) {
        List<PullRequest> prs = new ArrayList<>(generated);
        prs.sort(Comparator.comparing(PullRequest::observedAt).thenComparing(PullRequest::repo)
                .thenComparing(PullRequest::number));
        return prs;
    }

    /** train-trigger's time split (TrainingJob): the oldest 80% train, the next 10% validate. */
    private static int trainEnd(int rows) {
        return (int) (rows * 0.8);
    }

    private static int validationEnd(int rows) {
        return (int) (rows * 0.9);
    }

    private static boolean[] injected(List<PullRequest> prs, Map<String, SyntheticPullRequests.Kind> kinds) {
        boolean[] out = new boolean[prs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = kinds.containsKey(prs.get(i).key());
        }
        return out;
    }

    private static int count(boolean[] values, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            n += values[i] ? 1 : 0;
        }
        return n;
    }

    private static void line(StringBuilder md, String format, Object... args) {
        md.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
