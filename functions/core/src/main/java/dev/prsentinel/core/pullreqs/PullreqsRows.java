package dev.prsentinel.core.pullreqs;

import dev.prsentinel.core.github.RepoNames;
import dev.prsentinel.core.model.InvalidPayloadException;
import dev.prsentinel.core.model.PullRequestTimes;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * Maps a row of the pullreqs research data set (Gousios et al., the column layout described in
 * shared/datasets/pullreqs/README.md) to a {@link PullRequest}.
 *
 * <p>The data set has no title, body, labels, draft flag, requested reviewers, updated_at or
 * additions/deletions split: those stay null. The correspondences that are not one to one:
 * <ul>
 *   <li>changed lines = src_churn + test_churn (GitHub's additions + deletions over all files
 *       would also count documentation; the data set does not have that split);</li>
 *   <li>comments = num_issue_comments, review comments = num_commit_comments (code review);</li>
 *   <li>author_association from main_team_member and prev_pullreqs: MEMBER for team members,
 *       FIRST_TIME_CONTRIBUTOR for an outsider's first PR, CONTRIBUTOR otherwise. It is the
 *       closest the data set comes; GitHub's own value can differ;</li>
 *   <li>head in a fork = not intra_branch.</li>
 * </ul>
 */
public final class PullreqsRows {

    /** The data set's own identifier of a row, carried beside an answer (score-file), not stored. */
    public static final String ID_COLUMN = "pull_req_id";

    /** The columns this mapping reads; a file without them is not in the pullreqs layout. */
    public static final List<String> REQUIRED_COLUMNS = List.of("project_name", "github_id", "created_at",
            "merged_at", "closed_at", "num_commits", "num_issue_comments", "num_commit_comments", "files_changed",
            "src_churn", "test_churn", "requester", "prev_pullreqs", "intra_branch", "main_team_member");

    private PullreqsRows() {
    }

    /**
     * Maps one row.
     *
     * @param column the row's value by column name (null or empty when absent)
     * @param line   the row's line number, for error messages
     */
    public static PullRequest fromRow(Function<String, String> column, long line) {
        String where = "line " + line + ": ";
        String repo = column.apply("project_name");
        RepoNames.require(repo, where + "project_name");
        Integer number = integer(column, "github_id", where);
        if (number == null || number <= 0) {
            throw new InvalidPayloadException(where + "github_id", "expected a positive integer");
        }
        Instant created = epoch(column, "created_at", where);
        Instant merged = epoch(column, "merged_at", where);
        Instant closed = epoch(column, "closed_at", where);
        Integer srcChurn = integer(column, "src_churn", where);
        Integer testChurn = integer(column, "test_churn", where);
        Boolean teamMember = bool(column, "main_team_member", where);
        Integer previous = integer(column, "prev_pullreqs", where);
        Boolean intraBranch = bool(column, "intra_branch", where);
        return new PullRequest(
                repo, number, Source.IMPORT,
                null, null,
                closed != null || merged != null ? "closed" : "open",
                null,
                merged != null,
                null, null,
                srcChurn != null && testChurn != null ? srcChurn + testChurn : null,
                integer(column, "files_changed", where),
                integer(column, "num_commits", where),
                integer(column, "num_issue_comments", where),
                integer(column, "num_commit_comments", where),
                null, null,
                association(teamMember, previous),
                blankToNull(column.apply("requester")),
                created, null, merged, closed != null ? closed : merged,
                null, null,
                intraBranch == null ? null : !intraBranch);
    }

    private static String association(Boolean teamMember, Integer previous) {
        if (teamMember == null) {
            return null;
        }
        if (teamMember) {
            return "MEMBER";
        }
        if (previous == null) {
            return null;
        }
        return previous == 0 ? "FIRST_TIME_CONTRIBUTOR" : "CONTRIBUTOR";
    }

    private static Integer integer(Function<String, String> column, String name, String where) {
        String v = blankToNull(column.apply(name));
        if (v == null) {
            return null;
        }
        try {
            int i = Integer.parseInt(v);
            if (i < 0) {
                throw new InvalidPayloadException(where + name, "negative: " + v);
            }
            return i;
        } catch (NumberFormatException e) {
            throw new InvalidPayloadException(where + name, "expected an integer, got \"" + v + "\"");
        }
    }

    private static Instant epoch(Function<String, String> column, String name, String where) {
        String v = blankToNull(column.apply(name));
        if (v == null) {
            return null;
        }
        try {
            return PullRequestTimes.check(Instant.ofEpochSecond(Long.parseLong(v)), where + name);
        } catch (java.time.DateTimeException | ArithmeticException e) {
            throw new InvalidPayloadException(where + name, "out of range: \"" + v + "\"");
        } catch (NumberFormatException e) {
            throw new InvalidPayloadException(where + name, "expected epoch seconds, got \"" + v + "\"");
        }
    }

    private static Boolean bool(Function<String, String> column, String name, String where) {
        String v = blankToNull(column.apply(name));
        if (v == null) {
            return null;
        }
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidPayloadException(where + name, "expected true or false, got \"" + v + "\"");
        };
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
