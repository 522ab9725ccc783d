package dev.prsentinel.score;

import dev.prsentinel.core.anomaly.Scorer;

/**
 * A PR and its explained score, for files and reports.
 *
 * @param key    "owner/name#number"
 * @param result the score and its explanation
 */
public record ScoredPr(String key, Scorer.Score result) {
}
