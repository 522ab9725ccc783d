package dev.prsentinel.local.broker;

import java.time.Duration;

/**
 * A Trigger's (or the Broker's default) delivery spec.
 *
 * @param retry          retries after the first attempt
 * @param exponential    exponential backoff (delay * 2^n) rather than linear (delay * n)
 * @param backoffDelay   the base delay
 * @param deadLetterSink where the cluster sends what still fails (service name + path), or null;
 *                       locally such events are written to the dead-letter directory instead
 */
public record Delivery(int retry, boolean exponential, Duration backoffDelay, String deadLetterSink) {

    /** Knative's defaults when nothing is configured: no retries. */
    public static final Delivery NONE = new Delivery(0, true, Duration.ZERO, null);

    /** The wait before retry number {@code n} (1-based), as Knative computes it. */
    public Duration backoff(int n) {
        return exponential ? backoffDelay.multipliedBy(1L << Math.min(n, 20)) : backoffDelay.multipliedBy(n);
    }
}
