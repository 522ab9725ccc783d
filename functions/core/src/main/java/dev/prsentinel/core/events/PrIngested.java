package dev.prsentinel.core.events;

import java.time.Instant;
import java.util.List;

/**
 * Data of {@value EventTypes#PR_INGESTED} (schema v1): PRs of one repository were stored.
 *
 * @param repo        "owner/name"
 * @param numbers     the PRs inserted or updated, ascending
 * @param inserted    PRs stored for the first time
 * @param updated     stored PRs replaced by a newer version
 * @param unchanged   PRs whose stored version was as new or newer
 * @param updatedFrom the oldest version time among the changed PRs
 * @param updatedTo   the newest version time among the changed PRs
 */
public record PrIngested(String repo, List<Integer> numbers, int inserted, int updated, int unchanged,
        Instant updatedFrom, Instant updatedTo) {

    public static final int VERSION = 1;

    public PrIngested {
        numbers = List.copyOf(numbers);
    }
}
