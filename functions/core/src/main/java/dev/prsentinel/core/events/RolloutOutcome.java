package dev.prsentinel.core.events;

import java.util.List;

/**
 * Data of the blue/green promoter's {@value EventTypes#MODEL_PROMOTED} and
 * {@value EventTypes#MODEL_REJECTED} (schema {@value EventTypes#MODEL_ROLLOUT} v1).
 *
 * @param rolloutId     the rollout (one per candidate and environment)
 * @param environment   staging, production, or local
 * @param modelVersion  the candidate's registered version
 * @param blueRevision  the revision that served before
 * @param blueModel     the version it serves
 * @param greenRevision the candidate's revision, or null when none was made
 * @param outcome       promoted, rejected, or superseded
 * @param checks        every gate figure, "gate name: value (bound) ok|FAILED: why"
 * @param failed        the failing checks alone (empty when promoted)
 */
public record RolloutOutcome(String rolloutId, String environment, String modelVersion, String blueRevision,
        String blueModel, String greenRevision, String outcome, List<String> checks, List<String> failed) {

    public static final int VERSION = 1;

    public RolloutOutcome {
        checks = List.copyOf(checks);
        failed = List.copyOf(failed);
    }
}
