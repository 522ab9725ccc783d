package dev.prsentinel.core.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.prsentinel.core.github.RepoNames;
import dev.prsentinel.core.model.InvalidPayloadException;
import java.time.Instant;
import java.util.List;

/**
 * Data of {@value EventTypes#SYNC_REQUESTED} (schema v1) and of the sync PingSource: backfill these
 * repositories from GitHub's API.
 *
 * @param repos "owner/name" of each repository, at least one
 * @param since optional: ignore PRs last updated before this time even on a first sync (a first
 *              sync otherwise walks the whole history)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SyncRequested(List<String> repos, Instant since) {

    public static final int VERSION = 1;
    public static final int MAX_REPOS = 100;

    public SyncRequested {
        if (repos == null || repos.isEmpty()) {
            throw new InvalidPayloadException("repos", "missing or empty: name at least one owner/name");
        }
        if (repos.size() > MAX_REPOS) {
            throw new InvalidPayloadException("repos", "at most " + MAX_REPOS + " per request, got " + repos.size());
        }
        for (int i = 0; i < repos.size(); i++) {
            RepoNames.require(repos.get(i), "repos[" + i + "]");
        }
        repos = List.copyOf(repos);
    }
}
