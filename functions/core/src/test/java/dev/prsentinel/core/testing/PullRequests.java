package dev.prsentinel.core.testing;

import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import java.time.Instant;
import java.util.List;

/** Canonical PRs for tests, in one place. */
public final class PullRequests {

    private PullRequests() {
    }

    /** A complete, closed and merged PR of octo/repo last updated at {@code updated}. */
    public static PullRequest complete(int number, Instant updated) {
        return new PullRequest("octo/repo", number, Source.WEBHOOK, 20, 100, "closed", false, true, 30, 10, 40, 3, 2,
                1, 1, List.of("bug"), 1, "CONTRIBUTOR", "alice", updated.minusSeconds(3600), updated, updated, updated,
                "main", "fix-" + number, true);
    }

    /** The same PR, open again (reopened) at {@code updated}. */
    public static PullRequest reopened(int number, Instant updated) {
        return new PullRequest("octo/repo", number, Source.WEBHOOK, 20, 100, "open", false, false, 30, 10, 40, 3, 2,
                1, 1, List.of("bug"), 1, "CONTRIBUTOR", "alice", updated.minusSeconds(7200), updated, null, null,
                "main", "fix-" + number, true);
    }

    /** A PR as a review webhook carries it: no counts. */
    public static PullRequest partial(int number, Instant updated) {
        return new PullRequest("octo/repo", number, Source.WEBHOOK, 20, 100, "open", false, null, null, null, null,
                null, null, null, null, List.of(), 0, "CONTRIBUTOR", "alice", updated.minusSeconds(7200), updated, null,
                null, "main", "fix-" + number, true);
    }
}
