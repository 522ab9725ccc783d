package dev.prsentinel.train;

import dev.prsentinel.core.features.Drift;
import dev.prsentinel.core.store.TrainingReference;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a new feature set should be trained on: never twice for one set; the first set always;
 * afterwards when enough rows were added since the last training, when a feature has drifted (PSI
 * of the new set's values in the training set's bins above a threshold), or when the model is old.
 *
 * @param minNewRows   rows added since the last training that make one due
 * @param maxPsi       drift of any feature beyond this makes one due
 * @param maxModelAge  a model older than this is retrained on the next set
 */
public record TrainPolicy(long minNewRows, double maxPsi, Duration maxModelAge) {

    public static TrainPolicy defaults() {
        return new TrainPolicy(10_000, 0.25, Duration.ofDays(7));
    }

    /**
     * A decision and why.
     *
     * @param train  whether to train
     * @param reason for logs, events and tests
     */
    public record Decision(boolean train, String reason) {
    }

    /**
     * @param featureSetId the new set
     * @param rows         its rows
     * @param current      its values counted into the last training set's bins, by feature (empty when
     *                     they were counted against another reference, or none existed)
     * @param last         the last training, empty before the first
     */
    public Decision decide(String featureSetId, long rows, Map<String, List<Long>> current,
            Optional<TrainingReference> last, Instant now) {
        if (last.isEmpty()) {
            return new Decision(true, "no model yet");
        }
        if (last.get().featureSetId().equals(featureSetId)) {
            return new Decision(false, "already trained on " + featureSetId);
        }
        long added = rows - last.get().rows();
        if (added >= minNewRows) {
            return new Decision(true, added + " rows since the last training");
        }
        String worst = null;
        double worstPsi = 0;
        for (Map.Entry<String, List<Long>> e : last.get().binCounts().entrySet()) {
            List<Long> counts = current.get(e.getKey());
            if (counts == null || counts.size() != e.getValue().size()) {
                continue;
            }
            double psi = Drift.psi(e.getValue(), counts);
            if (psi > worstPsi) {
                worstPsi = psi;
                worst = e.getKey();
            }
        }
        if (worstPsi > maxPsi) {
            return new Decision(true, String.format(Locale.ROOT, "%s drifted: PSI %.3f > %.2f", worst, worstPsi,
                    maxPsi));
        }
        Duration age = Duration.between(last.get().trainedAt(), now);
        if (age.compareTo(maxModelAge) >= 0) {
            return new Decision(true, "the model is " + age.toDays() + " days old");
        }
        return new Decision(false, String.format(Locale.ROOT, "%d new rows, largest PSI %.3f (%s), model %d days old",
                added, worstPsi, worst, age.toDays()));
    }
}
