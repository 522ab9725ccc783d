package dev.prsentinel.core.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * One pull request as the pipeline stores it, keyed by (repo, number).
 *
 * <p>Every field but the key and the source may be null, and null always means "this source did
 * not tell us", never zero: the pullreqs CSV has no titles, GitHub's list endpoint has no line
 * counts, review webhooks carry a partial PR object. Consumers must treat null as missing.
 *
 * @param repo               "owner/name" of the base repository
 * @param number             the PR number, positive
 * @param source             which source produced this record
 * @param titleLength        characters in the title
 * @param bodyLength         characters in the body (0 for an empty or absent body on GitHub)
 * @param state              "open" or "closed"
 * @param draft              whether the PR is a draft
 * @param merged             whether the PR was merged
 * @param additions          added lines
 * @param deletions          deleted lines
 * @param changedLines       additions + deletions; the only line count the pullreqs CSV has
 * @param changedFiles       files touched
 * @param commits            commits in the PR
 * @param comments           conversation (issue) comments
 * @param reviewComments     review comments on the diff
 * @param labels             label names
 * @param requestedReviewers reviewers and teams requested
 * @param authorAssociation  GitHub's author_association (OWNER, MEMBER, CONTRIBUTOR, ...)
 * @param author             the author's login
 * @param createdAt          creation time
 * @param updatedAt          GitHub's updated_at
 * @param mergedAt           merge time
 * @param closedAt           close time
 * @param baseRef            target branch
 * @param headRef            source branch
 * @param headFork           whether the head branch lives in a fork
 */
public record PullRequest(
        String repo,
        int number,
        Source source,
        Integer titleLength,
        Integer bodyLength,
        String state,
        Boolean draft,
        Boolean merged,
        Integer additions,
        Integer deletions,
        Integer changedLines,
        Integer changedFiles,
        Integer commits,
        Integer comments,
        Integer reviewComments,
        List<String> labels,
        Integer requestedReviewers,
        String authorAssociation,
        String author,
        Instant createdAt,
        Instant updatedAt,
        Instant mergedAt,
        Instant closedAt,
        String baseRef,
        String headRef,
        Boolean headFork) {

    public PullRequest {
        Objects.requireNonNull(repo, "repo");
        Objects.requireNonNull(source, "source");
        if (number <= 0) {
            throw new IllegalArgumentException("number must be positive, was " + number);
        }
        labels = labels == null ? null : List.copyOf(labels);
    }

    /** The storage key. */
    public String key() {
        return key(repo, number);
    }

    public static String key(String repo, int number) {
        return repo + "#" + number;
    }

    /**
     * The time of the newest fact in this record, which orders versions of one PR: GitHub's
     * updated_at where the source has it, else the latest of created, merged and closed (the
     * pullreqs CSV has no updated_at). Null when the source has no time at all.
     */
    public Instant observedAt() {
        if (updatedAt != null) {
            return updatedAt;
        }
        return Stream.of(createdAt, mergedAt, closedAt).filter(Objects::nonNull).max(Instant::compareTo).orElse(null);
    }

    /** Whether the record carries the per-PR detail that GitHub's list endpoint leaves out. */
    public boolean hasDetail() {
        return changedLines != null && changedFiles != null && commits != null && comments != null
                && reviewComments != null;
    }
}
