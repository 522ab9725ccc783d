package dev.prsentinel.train;

import dev.prsentinel.core.anomaly.ModelPackage;
import java.util.ArrayList;
import java.util.List;

/**
 * Champion against challenger on the same held-out rows: the challenger goes forward only if its
 * loss there is not worse than the champion's beyond a tolerance, and the share of those rows it
 * flags stays within bounds (a model that flags almost nothing, or too much, is miscalibrated
 * whatever its loss). With no champion yet, only the flagged-share bound applies.
 *
 * @param lossTolerance relative: 0.05 lets the challenger be up to 5% worse
 * @param minFlagged    the least share of held-out rows a sane model flags
 * @param maxFlagged    the most
 */
public record Gate(double lossTolerance, double minFlagged, double maxFlagged) {

    public static Gate defaults() {
        return new Gate(0.05, 0.002, 0.05);
    }

    /**
     * The verdict.
     *
     * @param candidate          whether the challenger goes forward
     * @param challengerLoss     its mean reconstruction error on the held-out rows
     * @param championLoss       the champion's on the same rows, or NaN without a champion
     * @param challengerFlagged  share of held-out rows above the challenger's threshold
     * @param reasons            why it was rejected (empty when it is a candidate)
     */
    public record Verdict(boolean candidate, double challengerLoss, double championLoss, double challengerFlagged,
            List<String> reasons) {
    }

    public Verdict judge(ModelPackage challenger, ModelPackage champion, float[][] heldOut) {
        double challengerLoss = challenger.autoencoder().meanError(heldOut);
        double championLoss = champion == null ? Double.NaN : champion.autoencoder().meanError(heldOut);
        double flagged = challenger.autoencoder().flaggedFraction(heldOut, challenger.threshold());
        List<String> reasons = new ArrayList<>();
        if (champion != null && challengerLoss > championLoss * (1 + lossTolerance)) {
            reasons.add(String.format(java.util.Locale.ROOT,
                    "held-out loss %.6f is worse than the champion's %.6f beyond the %.0f%% tolerance",
                    challengerLoss, championLoss, lossTolerance * 100));
        }
        if (flagged < minFlagged || flagged > maxFlagged) {
            reasons.add(String.format(java.util.Locale.ROOT, "flags %.2f%% of held-out rows, outside [%.2f%%, %.2f%%]",
                    flagged * 100, minFlagged * 100, maxFlagged * 100));
        }
        return new Verdict(reasons.isEmpty(), challengerLoss, championLoss, flagged, List.copyOf(reasons));
    }
}
