package dev.prsentinel.featurize;

import java.time.Instant;

/** Starts a feature job and returns at once; the job reports its own result to K_SINK. */
@FunctionalInterface
public interface JobLauncher {

    /**
     * @param windowEnd PRs observed up to this time go into the set
     * @param onFailure called if the job could not be started or died without reporting
     */
    void launch(Instant windowEnd, Runnable onFailure);
}
