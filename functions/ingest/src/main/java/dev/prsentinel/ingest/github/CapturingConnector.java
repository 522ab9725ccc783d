package dev.prsentinel.ingest.github;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kohsuke.github.connector.GitHubConnector;
import org.kohsuke.github.connector.GitHubConnectorRequest;
import org.kohsuke.github.connector.GitHubConnectorResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps github-api's HTTP connector to do three things it does not: retry transient 5xx answers
 * with exponential backoff, count the calls and remember the rate-limit headers (for the sync
 * state), and keep the raw body of single-PR responses, because github-api drops
 * author_association from pull requests and the pipeline must not.
 */
public final class CapturingConnector implements GitHubConnector {

    private static final Logger LOG = LoggerFactory.getLogger(CapturingConnector.class);

    private static final Pattern SINGLE_PULL = Pattern.compile(".*/repos/([^/]+/[^/]+)/pulls/(\\d+)");

    private final GitHubConnector delegate;
    private final Sleeper sleeper;
    private final int maxAttempts;
    private final Duration firstBackoff;
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger remaining = new AtomicInteger(-1);
    private final AtomicLong resetEpochSeconds = new AtomicLong(-1);
    private final Map<String, byte[]> bodies = new ConcurrentHashMap<>();

    public CapturingConnector(GitHubConnector delegate, Sleeper sleeper, int maxAttempts, Duration firstBackoff) {
        this.delegate = delegate;
        this.sleeper = sleeper;
        this.maxAttempts = maxAttempts;
        this.firstBackoff = firstBackoff;
    }

    @Override
    public GitHubConnectorResponse send(GitHubConnectorRequest request) throws IOException {
        for (int attempt = 1; ; attempt++) {
            calls.incrementAndGet();
            GitHubConnectorResponse response = delegate.send(request);
            recordRateLimit(response);
            int status = response.statusCode();
            if (status >= 500 && attempt < maxAttempts) {
                response.close();
                Duration wait = firstBackoff.multipliedBy(1L << (attempt - 1));
                LOG.warn("GitHub answered {} to {} {}; retry {} of {} in {}", status, request.method(),
                        request.url().getPath(), attempt, maxAttempts - 1, wait);
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while backing off");
                }
                continue;
            }
            Matcher single = SINGLE_PULL.matcher(request.url().getPath());
            if (status == 200 && "GET".equals(request.method()) && single.matches()) {
                byte[] body;
                try (InputStream in = response.bodyStream()) {
                    body = in == null ? new byte[0] : in.readAllBytes();
                }
                bodies.put(key(single.group(1), Integer.parseInt(single.group(2))), body);
                return new Buffered(request, status, response.allHeaders(), body);
            }
            return response;
        }
    }

    /** The raw JSON of the last GET of one PR, removed on reading; null when none was captured. */
    public byte[] takeBody(String repo, int number) {
        return bodies.remove(key(repo, number));
    }

    private static String key(String repo, int number) {
        return repo.toLowerCase(Locale.ROOT) + "#" + number;
    }

    public int calls() {
        return calls.get();
    }

    /** X-RateLimit-Remaining of the last response, or -1 when none said. */
    public int remaining() {
        return remaining.get();
    }

    /** X-RateLimit-Reset (epoch seconds) of the last response, or -1 when none said. */
    public long resetEpochSeconds() {
        return resetEpochSeconds.get();
    }

    private void recordRateLimit(GitHubConnectorResponse response) {
        String r = response.header("X-RateLimit-Remaining");
        String reset = response.header("X-RateLimit-Reset");
        try {
            if (r != null) {
                remaining.set(Integer.parseInt(r.trim()));
            }
            if (reset != null) {
                resetEpochSeconds.set(Long.parseLong(reset.trim()));
            }
        } catch (NumberFormatException e) {
            LOG.debug("unparseable rate-limit header {} / {}", r, reset);
        }
    }

    /** A response whose body was read into memory. */
    private static final class Buffered extends GitHubConnectorResponse {

        private final byte[] body;

        Buffered(GitHubConnectorRequest request, int status, Map<String, List<String>> headers, byte[] body) {
            super(request, status, headers);
            this.body = body;
        }

        @Override
        public InputStream bodyStream() {
            return new ByteArrayInputStream(body);
        }

        @Override
        public void close() {
            // Nothing to release: the body is in memory.
        }
    }
}
