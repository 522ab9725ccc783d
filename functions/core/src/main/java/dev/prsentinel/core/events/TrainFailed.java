package dev.prsentinel.core.events;

/**
 * Data of {@value EventTypes#TRAIN_FAILED} (schema v1).
 *
 * @param featureSetId the set it was asked to train on
 * @param reason       what went wrong; nothing was registered
 */
public record TrainFailed(String featureSetId, String reason) {

    public static final int VERSION = 1;
}
