package dev.prsentinel.core.events;

/**
 * Data of {@value EventTypes#ROLLOUT_REQUESTED} (schema v1): someone asks the blue/green promoter
 * to roll out what waits behind the pinned traffic (a revision git's sync made).
 *
 * @param reason why, for the log and the rollout's record (e.g. "Argo CD PostSync of revision abc")
 */
public record RolloutRequested(String reason) {

    public static final int VERSION = 1;
}
