package dev.prsentinel.core.events;

/**
 * An event that cannot be handled yet for a reason the function expects (score's model still
 * loading): answered 503 with this message so the broker retries, and logged as one line, not as
 * a failure with its stack trace.
 */
public class RetryLater extends RuntimeException {

    public RetryLater(String reason) {
        super(reason, null, false, false);
    }
}
