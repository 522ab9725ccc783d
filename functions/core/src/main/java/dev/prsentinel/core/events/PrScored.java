package dev.prsentinel.core.events;

import java.util.List;

/**
 * Data of {@value EventTypes#PR_SCORED} (schema v1): PRs of one repository scored with one model.
 *
 * @param repo         "owner/name"
 * @param modelName    the registered model
 * @param modelVersion its version
 * @param specVersion  the feature spec
 * @param threshold    the model's threshold
 * @param scores       one per PR, in the order asked
 */
public record PrScored(String repo, String modelName, String modelVersion, int specVersion, double threshold,
        List<PrScore> scores) {

    public static final int VERSION = 1;

    public PrScored {
        scores = List.copyOf(scores);
    }

    /**
     * One PR's score.
     *
     * @param number    the PR
     * @param score     the model's score (core's Detector: reconstruction error, or the larger detector ratio)
     * @param anomalous above the threshold
     * @param category  the dominating feature group, or normal
     * @param top       the names of the largest contributing features
     */
    public record PrScore(int number, double score, boolean anomalous, String category, List<String> top) {

        public PrScore {
            top = List.copyOf(top);
        }
    }
}
