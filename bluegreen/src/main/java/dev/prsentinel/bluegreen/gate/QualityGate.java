package dev.prsentinel.bluegreen.gate;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The model-quality gate: the same recent PRs scored by blue (the serving model) and by green (the
 * candidate), compared. A candidate has passed train-trigger's gate on held-out rows already; this
 * one asks whether, on what the service sees now, it behaves like a successor rather than a
 * different detector: how many PRs it flags, how its scores are distributed, and whether it flags
 * the same PRs.
 *
 * <p>Scores are compared as score / the model's own threshold: two models' raw reconstruction
 * errors are on different scales, while "how far past its own line" means the same for both.
 */
public final class QualityGate {

    /**
     * The gate's bounds (environment QUALITY_*).
     *
     * @param minSample       fewer PRs scored by both fails the gate: too few to judge
     * @param maxFlaggedDelta largest allowed |green's flagged share - blue's|, absolute
     * @param maxKs           largest allowed KS statistic between the two score distributions
     * @param maxPsi          largest allowed PSI of green's scores against blue's (0.25: a large shift)
     * @param minOverlap      smallest allowed Jaccard overlap of the flagged sets, judged only
     *                        when together they flag at least {@code overlapMinFlagged} PRs
     * @param overlapMinFlagged below this many flagged PRs the overlap is noise, and not judged
     */
    public record Bounds(int minSample, double maxFlaggedDelta, double maxKs, double maxPsi, double minOverlap,
            int overlapMinFlagged) {

        public static final Bounds DEFAULT = new Bounds(100, 0.02, 0.25, 0.25, 0.5, 5);

        public static Bounds fromEnvironment(Map<String, String> env) {
            return new Bounds(
                    Integer.parseInt(env.getOrDefault("QUALITY_MIN_SAMPLE", Integer.toString(DEFAULT.minSample))),
                    Double.parseDouble(env.getOrDefault("QUALITY_MAX_FLAGGED_DELTA",
                            Double.toString(DEFAULT.maxFlaggedDelta))),
                    Double.parseDouble(env.getOrDefault("QUALITY_MAX_KS", Double.toString(DEFAULT.maxKs))),
                    Double.parseDouble(env.getOrDefault("QUALITY_MAX_PSI", Double.toString(DEFAULT.maxPsi))),
                    Double.parseDouble(env.getOrDefault("QUALITY_MIN_OVERLAP", Double.toString(DEFAULT.minOverlap))),
                    Integer.parseInt(env.getOrDefault("QUALITY_OVERLAP_MIN_FLAGGED",
                            Integer.toString(DEFAULT.overlapMinFlagged))));
        }
    }

    /**
     * One PR's score from one model.
     *
     * @param key       the PR (repo#number)
     * @param ratio     score / that model's threshold; +infinity when the score overflowed
     * @param anomalous whether that model flags it
     */
    public record Scored(String key, double ratio, boolean anomalous) {
    }

    private QualityGate() {
    }

    /** Judges green against blue on the PRs both scored. */
    public static GateResult judge(List<Scored> blue, List<Scored> green, Bounds bounds) {
        Map<String, Scored> byKey = new java.util.HashMap<>();
        green.forEach(s -> byKey.put(s.key(), s));
        List<Scored> b = new ArrayList<>();
        List<Scored> g = new ArrayList<>();
        for (Scored s : blue) {
            Scored other = byKey.get(s.key());
            if (other != null) {
                b.add(s);
                g.add(other);
            }
        }
        List<Check> checks = new ArrayList<>();
        int n = b.size();
        checks.add(new Check("sample", n, ">=" + bounds.minSample(), n >= bounds.minSample(),
                n + " recent PRs scored by both models"));
        if (n == 0) {
            return GateResult.of("quality", checks);
        }
        double blueShare = b.stream().filter(Scored::anomalous).count() / (double) n;
        double greenShare = g.stream().filter(Scored::anomalous).count() / (double) n;
        double delta = Math.abs(greenShare - blueShare);
        checks.add(new Check("flagged_share_delta", delta, "<=" + bounds.maxFlaggedDelta(),
                delta <= bounds.maxFlaggedDelta(), String.format(java.util.Locale.ROOT,
                        "green flags %.2f%% of the sample, blue %.2f%%", 100 * greenShare, 100 * blueShare)));
        double[] br = b.stream().mapToDouble(s -> finite(s.ratio())).toArray();
        double[] gr = g.stream().mapToDouble(s -> finite(s.ratio())).toArray();
        double ks = Statistics.ks(br, gr);
        checks.add(new Check("ks", ks, "<=" + bounds.maxKs(), ks <= bounds.maxKs(),
                "largest gap between the two distributions of score/threshold"));
        double psi = Statistics.psi(br, gr, 10);
        checks.add(new Check("psi", psi, "<=" + bounds.maxPsi(), psi <= bounds.maxPsi(),
                "green's score/threshold over blue's deciles (0.1: moderate shift, 0.25: large)"));
        Set<String> bf = flagged(b);
        Set<String> gf = flagged(g);
        Set<String> union = new HashSet<>(bf);
        union.addAll(gf);
        double overlap = Statistics.jaccard(bf, gf);
        if (union.size() < bounds.overlapMinFlagged()) {
            checks.add(new Check("flag_overlap", overlap, ">=" + bounds.minOverlap(), true,
                    union.size() + " PRs flagged by either: too few for the overlap to mean anything, not judged"));
        } else {
            checks.add(new Check("flag_overlap", overlap, ">=" + bounds.minOverlap(), overlap >= bounds.minOverlap(),
                    bf.size() + " flagged by blue, " + gf.size() + " by green, " + (bf.size() + gf.size() - union.size(
                            ))
                            + " by both"));
        }
        return GateResult.of("quality", checks);
    }

    private static Set<String> flagged(List<Scored> scored) {
        Set<String> keys = new HashSet<>();
        scored.stream().filter(Scored::anomalous).forEach(s -> keys.add(s.key()));
        return keys;
    }

    /** An overflowed score ranks above every finite one, which is all KS and PSI use of it. */
    private static double finite(double v) {
        return Double.isFinite(v) ? v : Double.MAX_VALUE;
    }
}
