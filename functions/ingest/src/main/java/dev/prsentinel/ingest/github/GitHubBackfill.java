package dev.prsentinel.ingest.github;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.github.GitHubPullRequests;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.store.UpsertResult;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.bson.Document;
import org.kohsuke.github.GHDirection;
import org.kohsuke.github.GHIssueState;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GHPullRequestQueryBuilder;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubBuilder;
import org.kohsuke.github.HttpException;
import org.kohsuke.github.PagedIterator;
import org.kohsuke.github.extras.HttpClientGitHubConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Incremental backfill of one repository through GitHub's REST API with github-api.
 *
 * <p>Lists PRs by updated time, newest first, in pages of {@code pageSize}, and stops at the first
 * PR updated before the repository's high-water mark, so a re-run reads one page when nothing
 * changed. A listed PR costs a detail GET only when the store lacks it, lacks its counts, or holds
 * an older version (the list endpoint has no line counts). The mark advances only when a run
 * reaches it: a run cut short by a rate limit or an error keeps the old mark, and the next run
 * lists again from the top, fetching details only for what it has not stored yet, so nothing is
 * lost and little is repeated.
 */
public final class GitHubBackfill {

    private static final Logger LOG = LoggerFactory.getLogger(GitHubBackfill.class);

    /**
     * Settings.
     *
     * @param endpoint     API root, https://api.github.com or a replay server
     * @param token        a token, or null for anonymous access (60 calls an hour)
     * @param pageSize     PRs per list page (GitHub allows up to 100)
     * @param maxWait      rate-limit waits longer than this are rescheduled instead
     * @param maxAttempts  tries per request on 5xx answers
     * @param firstBackoff wait before the first 5xx retry; doubles each time
     * @param batchSize    PRs per bulk upsert
     */
    public record Settings(String endpoint, String token, int pageSize, Duration maxWait, int maxAttempts,
            Duration firstBackoff, int batchSize) {

        public static Settings defaults(String endpoint, String token) {
            return new Settings(endpoint, token, 100, Duration.ofMinutes(2), 4, Duration.ofSeconds(1), 100);
        }
    }

    /**
     * Where the token comes from: read at each run, so a rotated token is used by the next one, and
     * re-read once when GitHub answers 401.
     */
    public interface Tokens {
        /** The token, or null for anonymous access. */
        String current();

        /** Re-reads after a 401; whether the token changed (then the run is retried once). */
        boolean refresh();

        static Tokens fixed(String token) {
            return new Tokens() {
                @Override
                public String current() {
                    return token;
                }

                @Override
                public boolean refresh() {
                    return false;
                }
            };
        }
    }

    private final Settings settings;
    private final Tokens tokens;
    private final PullRequestStore store;
    private final SyncStateStore states;
    private final Clock clock;
    private final Sleeper sleeper;

    public GitHubBackfill(Settings settings, PullRequestStore store, SyncStateStore states, Clock clock,
            Sleeper sleeper) {
        this(settings, Tokens.fixed(settings.token()), store, states, clock, sleeper);
    }

    /** As above, with the token from {@code tokens} instead of {@link Settings#token()}. */
    public GitHubBackfill(Settings settings, Tokens tokens, PullRequestStore store, SyncStateStore states, Clock clock,
            Sleeper sleeper) {
        this.settings = settings;
        this.tokens = tokens;
        this.store = store;
        this.states = states;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /**
     * Backfills one repository.
     *
     * @param since    ignore PRs updated before this time (null: the whole history on a first run)
     * @param progress told of each stored batch
     */
    public BackfillResult run(String repo, Instant since, Consumer<BackfillResult> progress) {
        Attempt first = attempt(repo, since, progress, tokens.current());
        if (!first.unauthorized()) {
            return first.result();
        }
        // A rotated token: GitHub refuses the old one at once, Vault already holds the new one.
        boolean changed;
        try {
            changed = tokens.refresh();
        } catch (RuntimeException e) {
            LOG.warn("GitHub refused the token and it cannot be re-read: {}", e.getMessage());
            return first.result();
        }
        if (!changed) {
            return first.result();
        }
        LOG.info("GitHub refused the token; re-read a new one, retrying the backfill of {} once", repo);
        return attempt(repo, since, progress, tokens.current()).result();
    }

    private record Attempt(BackfillResult result, boolean unauthorized) {
    }

    private Attempt attempt(String repo, Instant since, Consumer<BackfillResult> progress, String token) {
        Instant started = clock.instant();
        Optional<SyncStateStore.State> state = states.find(repo);
        Instant limitedUntil = state.map(SyncStateStore.State::rateLimitedUntil).orElse(null);
        if (limitedUntil != null && limitedUntil.isAfter(started)) {
            return new Attempt(new BackfillResult(repo, "deferred", "rate limited until " + limitedUntil,
                    UpsertResult.EMPTY, 0, 0, 0, limitedUntil), false);
        }
        Instant mark = state.map(SyncStateStore.State::highWaterMark).orElse(null);
        Instant stopBefore = mark == null ? since : since == null ? mark : max(mark, since);
        CapturingConnector connector = new CapturingConnector(new HttpClientGitHubConnector(), sleeper,
                settings.maxAttempts(), settings.firstBackoff());
        WaitOrRescheduleHandlers handlers = new WaitOrRescheduleHandlers(clock, sleeper, settings.maxWait());
        UpsertResult stored = UpsertResult.EMPTY;
        int listed = 0;
        int details = 0;
        Instant newest = null;
        List<PullRequest> batch = new ArrayList<>();
        try {
            GitHubBuilder builder = new GitHubBuilder().withEndpoint(settings.endpoint()).withConnector(connector)
                    .withRateLimitHandler(handlers.primary()).withAbuseLimitHandler(handlers.secondary());
            if (token != null && !token.isBlank()) {
                builder.withOAuthToken(token);
            }
            GitHub github = builder.build();
            GHRepository repository = github.getRepository(repo);
            PagedIterator<GHPullRequest> pulls = repository.queryPullRequests().state(GHIssueState.ALL)
                    .sort(GHPullRequestQueryBuilder.Sort.UPDATED).direction(GHDirection.DESC).list()
                    .withPageSize(settings.pageSize()).iterator();
            while (pulls.hasNext()) {
                GHPullRequest listedPr = pulls.next();
                listed++;
                Instant updated = listedPr.getUpdatedAt().toInstant();
                if (stopBefore != null && updated.isBefore(stopBefore)) {
                    break;
                }
                if (newest == null || updated.isAfter(newest)) {
                    newest = updated;
                }
                if (!needsDetail(repo, listedPr.getNumber(), updated)) {
                    continue;
                }
                batch.add(fetchDetail(repository, connector, repo, listedPr.getNumber()));
                details++;
                if (batch.size() >= settings.batchSize()) {
                    stored = stored.plus(store.upsertAll(batch));
                    batch.clear();
                    progress.accept(new BackfillResult(repo, "running", null, stored, listed, details,
                            connector.calls(), null));
                }
            }
            stored = stored.plus(store.upsertAll(batch));
            Instant finished = clock.instant();
            states.recordRun(repo, started, finished, "complete", listed + " listed, " + details + " fetched", newest,
                    null, connector.calls(), connector.remaining(), connector.resetEpochSeconds());
            return new Attempt(new BackfillResult(repo, "complete", null, stored, listed, details, connector.calls(),
                    null), false);
        } catch (IOException | RuntimeException e) {
            stored = stored.plus(store.upsertAll(batch));
            RateLimitedException limited = rateLimit(e);
            Instant finished = clock.instant();
            if (limited != null) {
                LOG.warn("backfill of {} paused: {}", repo, limited.getMessage());
                states.recordRun(repo, started, finished, "rate_limited", limited.getMessage(), null,
                        limited.resetAt(), connector.calls(), connector.remaining(), connector.resetEpochSeconds());
                return new Attempt(new BackfillResult(repo, "rate_limited", limited.getMessage(), stored, listed,
                        details, connector.calls(), limited.resetAt()), false);
            }
            String reason = e instanceof HttpException http && http.getResponseCode() > 0
                    ? "GitHub answered " + http.getResponseCode() + " to " + http.getUrl()
                    : "GitHub unreachable or unreadable at " + settings.endpoint() + ": " + rootCause(e);
            LOG.error("backfill of {} failed: {}", repo, reason);
            states.recordRun(repo, started, finished, "failed", reason, null, null, connector.calls(),
                    connector.remaining(), connector.resetEpochSeconds());
            boolean unauthorized = e instanceof HttpException http && http.getResponseCode() == 401;
            return new Attempt(new BackfillResult(repo, "failed", reason, stored, listed, details, connector.calls(),
                    null), unauthorized);
        }
    }

    private boolean needsDetail(String repo, int number, Instant listedUpdate) {
        Optional<Document> stored = store.findDocument(repo, number);
        if (stored.isEmpty()) {
            return true;
        }
        Date observed = stored.get().getDate("observed_at");
        return !Boolean.TRUE.equals(stored.get().getBoolean("has_detail")) || observed == null
                || observed.toInstant().isBefore(listedUpdate);
    }

    private static PullRequest fetchDetail(GHRepository repository, CapturingConnector connector, String repo,
            int number) throws IOException {
        repository.getPullRequest(number);
        byte[] raw = connector.takeBody(repository.getFullName(), number);
        if (raw == null) {
            throw new IOException("no response body captured for " + repo + "#" + number);
        }
        JsonNode json = Json.mapper().readTree(raw);
        return GitHubPullRequests.fromJson(json, repo, Source.API, "pulls/" + number);
    }

    private static RateLimitedException rateLimit(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RateLimitedException r) {
                return r;
            }
        }
        return null;
    }

    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = firstLine(root.getMessage());
        return root.getClass().getSimpleName() + (message.isEmpty() ? "" : " (" + message + ")");
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
