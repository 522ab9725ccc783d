package dev.prsentinel.core.model;

import java.time.Duration;
import java.time.Instant;

/**
 * The range a pull request's times can fall in: not before GitHub existed, not after now plus a
 * small allowance for clock skew. A time outside it is an input error: a far-future updated_at
 * would win every version comparison and lock the stored PR against every real update.
 */
public final class PullRequestTimes {

    /** GitHub's first commit was in October 2007; no pull request is older. */
    public static final Instant EARLIEST = Instant.parse("2007-10-01T00:00:00Z");
    /** Clocks disagree; an hour is far more than NTP-synchronised hosts drift. */
    public static final Duration ALLOWANCE = Duration.ofHours(1);

    private PullRequestTimes() {
    }

    /**
     * @return {@code time}
     * @throws InvalidPayloadException naming {@code field} when it is out of range
     */
    public static Instant check(Instant time, String field) {
        if (time == null) {
            return null;
        }
        if (time.isBefore(EARLIEST)) {
            throw new InvalidPayloadException(field, "before " + EARLIEST + ", when GitHub did not exist: " + time);
        }
        Instant latest = Instant.now().plus(ALLOWANCE);
        if (time.isAfter(latest)) {
            throw new InvalidPayloadException(field, "in the future (" + time + "); times must be before "
                    + latest);
        }
        return time;
    }
}
