package dev.prsentinel.ingest.github;

import java.io.IOException;
import java.time.Instant;

/** GitHub's budget is spent until {@link #resetAt()}, further than the backfill is willing to wait. */
public class RateLimitedException extends IOException {

    private final Instant resetAt;

    public RateLimitedException(String message, Instant resetAt) {
        super(message + "; resumes after " + resetAt);
        this.resetAt = resetAt;
    }

    public Instant resetAt() {
        return resetAt;
    }
}
