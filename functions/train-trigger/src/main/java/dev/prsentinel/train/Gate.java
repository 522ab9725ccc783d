package dev.prsentinel.train;

import dev.prsentinel.core.anomaly.Detector;
import dev.prsentinel.core.anomaly.ModelPackage;
import java.util.ArrayList;
import java.util.List;

/**
 * Champion against challenger on the same held-out rows: the challenger goes forward only if its
 * loss there is not worse than the champion's beyond a tolerance, and the share of those rows it
 * flags stays within bounds (a model that flags almost nothing, or too much, is miscalibrated
 * whatever its loss). With no champion yet, only the flagged-share bound applies, and so it does
 * against a champion trained on another feature spec: the two losses are errors over different
 * inputs (v2 has one more feature and bounds its flags), and comparing them would judge the spec,
 * not the model. Blue/green's score comparison on the same PRs judges such a candidate.
 *
 * <p>The share is judged by how many rows were flagged out of how many: it fails only when that count
 * is implausible (binomial tail below {@link #ALPHA}) for every rate between the bounds. On a large
 * held-out set that is the share rule itself; on a small one (a first feature set of 200 PRs holds
 * out 20) flagging none or two is no evidence of miscalibration, and a fixed share would reject a
 * sound model by chance.
 *
 * @param lossTolerance relative: 0.05 lets the challenger be up to 5% worse
 * @param minFlagged    the least share of held-out rows a sane model flags
 * @param maxFlagged    the most
 */
public record Gate(double lossTolerance, double minFlagged, double maxFlagged) {

    /** How improbable a flagged count must be, at the nearest bound, to fail the gate. */
    static final double ALPHA = 0.01;

    public static Gate defaults() {
        return new Gate(0.05, 0.002, 0.05);
    }

    /**
     * The verdict.
     *
     * @param candidate          whether the challenger goes forward
     * @param challengerLoss     its mean reconstruction error on the held-out rows
     * @param championLoss       the champion's on the same rows, or NaN without a champion of the same spec
     * @param challengerFlagged  share of held-out rows the challenger flags ({@link Detector}: score above threshold)
     * @param reasons            why it was rejected (empty when it is a candidate)
     */
    public record Verdict(boolean candidate, double challengerLoss, double championLoss, double challengerFlagged,
            List<String> reasons) {
    }

    public Verdict judge(ModelPackage challenger, ModelPackage champion, float[][] heldOut) {
        double challengerLoss = challenger.autoencoder().meanError(heldOut);
        boolean comparable = champion != null && champion.specVersion() == challenger.specVersion();
        double championLoss = comparable ? champion.autoencoder().meanError(heldOut) : Double.NaN;
        double flagged = new Detector(challenger).flaggedFraction(heldOut);
        List<String> reasons = new ArrayList<>();
        if (comparable && challengerLoss > championLoss * (1 + lossTolerance)) {
            reasons.add(String.format(java.util.Locale.ROOT,
                    "held-out loss %.6f is worse than the champion's %.6f beyond the %.0f%% tolerance",
                    challengerLoss, championLoss, lossTolerance * 100));
        }
        int n = heldOut.length;
        long k = Math.round(flagged * n);
        double tooFew = binomialCdf(k, n, minFlagged);
        double tooMany = k == 0 ? 1 : 1 - binomialCdf(k - 1, n, maxFlagged);
        if (tooFew < ALPHA || tooMany < ALPHA) {
            reasons.add(String.format(java.util.Locale.ROOT,
                    "flags %.2f%% of held-out rows (%d of %d), outside [%.2f%%, %.2f%%] (p = %.2g)",
                    flagged * 100, k, n, minFlagged * 100, maxFlagged * 100, Math.min(tooFew, tooMany)));
        }
        return new Verdict(reasons.isEmpty(), challengerLoss, championLoss, flagged, List.copyOf(reasons));
    }

    /** P(X <= k) for X ~ Binomial(n, p), summed in log space (n reaches hundreds of thousands). */
    static double binomialCdf(long k, int n, double p) {
        if (k < 0) {
            return 0;
        }
        if (k >= n || p <= 0) {
            return 1;
        }
        double logTerm = n * Math.log1p(-p);
        double logRatio = Math.log(p) - Math.log1p(-p);
        double max = logTerm;
        double[] logs = new double[(int) k + 1];
        logs[0] = logTerm;
        for (int i = 0; i < k; i++) {
            logTerm += Math.log(n - i) - Math.log(i + 1) + logRatio;
            logs[i + 1] = logTerm;
            max = Math.max(max, logTerm);
        }
        double sum = 0;
        for (double l : logs) {
            sum += Math.exp(l - max);
        }
        return Math.min(1, Math.exp(max + Math.log(sum)));
    }
}
