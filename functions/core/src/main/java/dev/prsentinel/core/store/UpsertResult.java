package dev.prsentinel.core.store;

import dev.prsentinel.core.model.PullRequest;
import java.util.List;

/**
 * What a bulk upsert did.
 *
 * @param inserted  PRs stored for the first time
 * @param updated   stored PRs replaced by a newer version
 * @param unchanged PRs whose stored version was as new or newer (out of order or redelivered)
 * @param changed   the PRs that were inserted or updated
 */
public record UpsertResult(int inserted, int updated, int unchanged, List<PullRequest> changed) {

    public static final UpsertResult EMPTY = new UpsertResult(0, 0, 0, List.of());

    public UpsertResult {
        changed = List.copyOf(changed);
    }

    public int total() {
        return inserted + updated + unchanged;
    }

    public UpsertResult plus(UpsertResult other) {
        List<PullRequest> all = new java.util.ArrayList<>(changed);
        all.addAll(other.changed);
        return new UpsertResult(inserted + other.inserted, updated + other.updated, unchanged + other.unchanged, all);
    }
}
