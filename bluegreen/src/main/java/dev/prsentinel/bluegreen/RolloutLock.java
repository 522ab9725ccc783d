package dev.prsentinel.bluegreen;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Serializes rollouts of one Service: a Kubernetes Lease in the cluster
 * ({@code knative.LeaseLock}), a lock in the JVM locally. A second candidate waits for the first
 * to finish; what it finds then is documented on {@link Promoter}.
 */
public interface RolloutLock {

    /** A held lock. */
    interface Held extends AutoCloseable {

        /** False once the lock was lost (a lease not renewed in time): the holder must stop writing. */
        boolean held();

        @Override
        void close();
    }

    /** Waits up to {@code wait} for the lock. */
    Held acquire(String identity, Duration wait) throws InterruptedException, TimeoutException;

    /** A lock within one JVM: the local runtime's single router. */
    static RolloutLock inProcess() {
        java.util.concurrent.Semaphore semaphore = new java.util.concurrent.Semaphore(1, true);
        return (identity, wait) -> {
            if (!semaphore.tryAcquire(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new TimeoutException("another rollout held the lock for " + wait);
            }
            java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);
            return new Held() {
                @Override
                public boolean held() {
                    return open.get();
                }

                @Override
                public void close() {
                    if (open.compareAndSet(true, false)) {
                        semaphore.release();
                    }
                }
            };
        };
    }
}
