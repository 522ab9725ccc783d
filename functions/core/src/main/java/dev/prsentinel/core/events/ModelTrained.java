package dev.prsentinel.core.events;

import java.util.List;

/**
 * Data of {@value EventTypes#MODEL_TRAINED}, {@value EventTypes#MODEL_CANDIDATE} and
 * {@value EventTypes#MODEL_REJECTED} (schema v1).
 *
 * @param featureSetId        the set it was trained on
 * @param runId               the MLflow run
 * @param modelVersion        the registered version, or null when not registered (rejected)
 * @param alias               champion, challenger, or null
 * @param validationLoss      best validation loss
 * @param heldOutLoss         mean reconstruction error on the held-out rows
 * @param championHeldOutLoss the champion's on the same rows, or null without a champion
 * @param threshold           the anomaly threshold
 * @param flaggedFraction     share of held-out rows above the threshold
 * @param reasons             why the gate rejected it (empty otherwise)
 */
public record ModelTrained(String featureSetId, String runId, String modelVersion, String alias,
        double validationLoss, double heldOutLoss, Double championHeldOutLoss, double threshold,
        double flaggedFraction, List<String> reasons) {

    public static final int VERSION = 1;

    public ModelTrained {
        reasons = List.copyOf(reasons);
    }
}
