package dev.prsentinel.train;

/** Starts a training on a feature set and returns at once; the job reports its result to K_SINK. */
@FunctionalInterface
public interface TrainLauncher {

    /**
     * @param onFailure called if the job could not be started or ended without reporting
     */
    void launch(String featureSetId, Runnable onFailure);
}
