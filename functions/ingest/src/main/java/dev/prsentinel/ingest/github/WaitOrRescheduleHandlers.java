package dev.prsentinel.ingest.github;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.kohsuke.github.GitHubAbuseLimitHandler;
import org.kohsuke.github.GitHubRateLimitHandler;
import org.kohsuke.github.connector.GitHubConnectorResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * github-api's rate-limit hooks: when GitHub says the budget is spent (primary: 403/429 with
 * X-RateLimit-Remaining 0 until X-RateLimit-Reset; secondary: Retry-After), wait if the wait is
 * short, and github-api then repeats the request; otherwise throw {@link RateLimitedException} so
 * the backfill stops, keeps its high-water mark and resumes on a later run. Never retries at once.
 */
public final class WaitOrRescheduleHandlers {

    private static final Logger LOG = LoggerFactory.getLogger(WaitOrRescheduleHandlers.class);
    /** When GitHub gives no hint for a secondary limit, its docs ask for at least a minute. */
    private static final Duration SECONDARY_DEFAULT = Duration.ofSeconds(60);

    private final Clock clock;
    private final Sleeper sleeper;
    private final Duration maxWait;

    public WaitOrRescheduleHandlers(Clock clock, Sleeper sleeper, Duration maxWait) {
        this.clock = clock;
        this.sleeper = sleeper;
        this.maxWait = maxWait;
    }

    public GitHubRateLimitHandler primary() {
        return new GitHubRateLimitHandler() {
            @Override
            public void onError(GitHubConnectorResponse response) throws IOException {
                Instant reset = resetTime(response);
                waitOrThrow("primary rate limit", reset);
            }
        };
    }

    public GitHubAbuseLimitHandler secondary() {
        return new GitHubAbuseLimitHandler() {
            @Override
            public void onError(GitHubConnectorResponse response) throws IOException {
                String retryAfter = response.header("Retry-After");
                Instant until;
                if (retryAfter != null && retryAfter.trim().matches("\\d+")) {
                    until = clock.instant().plusSeconds(Long.parseLong(retryAfter.trim()));
                } else if (response.header("X-RateLimit-Reset") != null) {
                    until = resetTime(response);
                } else {
                    until = clock.instant().plus(SECONDARY_DEFAULT);
                }
                waitOrThrow("secondary rate limit", until);
            }
        };
    }

    private Instant resetTime(GitHubConnectorResponse response) {
        String reset = response.header("X-RateLimit-Reset");
        if (reset != null && reset.trim().matches("\\d+")) {
            return Instant.ofEpochSecond(Long.parseLong(reset.trim()));
        }
        return clock.instant().plus(SECONDARY_DEFAULT);
    }

    private void waitOrThrow(String what, Instant until) throws IOException {
        Duration wait = Duration.between(clock.instant(), until);
        if (wait.isNegative()) {
            wait = Duration.ofSeconds(1);
        }
        if (wait.compareTo(maxWait) > 0) {
            throw new RateLimitedException("GitHub " + what + " reached", until);
        }
        LOG.info("GitHub {} reached: waiting {} until {}", what, wait, until);
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the rate limit");
        }
    }
}
