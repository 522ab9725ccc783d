package dev.prsentinel.core.pullreqs;

import dev.prsentinel.core.github.RepoNames;
import dev.prsentinel.core.model.InvalidPayloadException;
import dev.prsentinel.core.model.PullRequestTimes;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 *
 * <p>Every other column is either checked against the mapped ones ({@link #CHECKED_COLUMNS}) or
 * deliberately left out ({@link #IGNORED_COLUMNS}, each with its reason). Where two columns carry
 * the same fact they must agree, and a row where they do not is rejected with the column named,
 * counted by the import like any other bad row, never stored half-true. Measured on the 279,858
 * rows in ../shared: every count agrees exactly; lifetime_minutes and mergetime_minutes agree with
 * the timestamps to the minute, except 12,478 and 7,450 rows that are exactly one hour off (a
 * daylight-saving artifact of how the data set computed them), which are accepted as agreeing.
 */
public final class PullreqsRows {

    /** The data set's own identifier of a row, carried beside an answer (score-file), not stored. */
    public static final String ID_COLUMN = "pull_req_id";

    /** The columns this mapping reads; a file without them is not in the pullreqs layout. */
    public static final List<String> REQUIRED_COLUMNS = List.of("project_name", "github_id", "created_at",
            "merged_at", "closed_at", "num_commits", "num_issue_comments", "num_commit_comments", "files_changed",
            "src_churn", "test_churn", "requester", "prev_pullreqs", "intra_branch", "main_team_member");

    /** The columns read only to check the mapped ones: a row where they disagree is rejected. */
    public static final Map<String, String> CHECKED_COLUMNS = orderedMap(
            "lifetime_minutes", "closed_at - created_at, in minutes (one hour off is the data set's own artifact)",
            "mergetime_minutes", "merged_at - created_at, in minutes (as lifetime_minutes); never without merged_at",
            "merged_using", "\"unknown\" exactly when merged_at is empty",
            "num_comments", "num_issue_comments + num_commit_comments",
            "files_added", "with files_deleted and files_modified, sums to files_changed (when all three are there);"
                    + " the split has no counterpart in GitHub's pull object",
            "files_deleted", "as files_added",
            "files_modified", "as files_added");

    /** The columns the mapping leaves out, each with why. */
    public static final Map<String, String> IGNORED_COLUMNS = orderedMap(
            "pull_req_id", "the data set's row id: carried beside a score-file answer, never a feature",
            "lang", "the repository's language, not the PR's; GitHub's pull object has no such field",
            "conflict", "derived by the data set's authors from comment text after the fact",
            "forward_links", "derived from later PRs' comments: unknown when a PR is scored",
            "team_size", "repository context over a trailing 3 months that GitHub's pull object does not carry",
            "num_participants", "not in GitHub's pull object; comments and review comments carry the discussion",
            "src_files", "a split by file type that GitHub's pull object does not carry",
            "doc_files", "as src_files",
            "other_files", "as src_files",
            "perc_external_contribs", "repository context GitHub's pull object does not carry",
            "sloc", "repository size at the time, not a property of the PR",
            "commits_on_files_touched", "repository history GitHub's pull object does not carry",
            "test_lines_per_kloc", "repository test density, not a property of the PR",
            "test_cases_per_kloc", "as test_lines_per_kloc",
            "asserts_per_kloc", "as test_lines_per_kloc",
            "watchers", "repository popularity, not a property of the PR",
            "requester_succ_rate", "the author's past acceptance rate: author history GitHub's pull object does"
                    + " not carry (prev_pullreqs is used only to tell a first contribution)",
            "followers", "the author's followers: not in GitHub's pull object");

    /** The difference, in minutes, the data set's own duration columns show in 4.5% of rows. */
    private static final long DAYLIGHT_SAVING_MINUTES = 60;

    private PullreqsRows() {
    }

    private static Map<String, String> orderedMap(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return Collections.unmodifiableMap(m);
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
        Integer issueComments = integer(column, "num_issue_comments", where);
        Integer commitComments = integer(column, "num_commit_comments", where);
        Integer filesChanged = integer(column, "files_changed", where);
        checkDuration(column, "lifetime_minutes", created, closed, "closed_at", where);
        checkDuration(column, "mergetime_minutes", created, merged, "merged_at", where);
        String mergedUsing = blankToNull(column.apply("merged_using"));
        if (mergedUsing != null && mergedUsing.equals("unknown") != (merged == null)) {
            throw new InvalidPayloadException(where + "merged_using", "is \"" + mergedUsing + "\" but merged_at is "
                    + (merged == null ? "empty" : "set"));
        }
        Integer comments = integer(column, "num_comments", where);
        if (comments != null && issueComments != null && commitComments != null
                && comments != issueComments + commitComments) {
            throw new InvalidPayloadException(where + "num_comments", "is " + comments
                    + ", but num_issue_comments + num_commit_comments is " + (issueComments + commitComments));
        }
        Integer added = integer(column, "files_added", where);
        Integer deleted = integer(column, "files_deleted", where);
        Integer modified = integer(column, "files_modified", where);
        if (filesChanged != null && added != null && deleted != null && modified != null
                && filesChanged != added + deleted + modified) {
            throw new InvalidPayloadException(where + "files_changed", "is " + filesChanged
                    + ", but files_added + files_deleted + files_modified is " + (added + deleted + modified));
        }
        return new PullRequest(
                repo, number, Source.IMPORT,
                null, null,
                closed != null || merged != null ? "closed" : "open",
                null,
                merged != null,
                null, null,
                srcChurn != null && testChurn != null ? srcChurn + testChurn : null,
                filesChanged,
                integer(column, "num_commits", where),
                issueComments,
                commitComments,
                null, null,
                association(teamMember, previous),
                blankToNull(column.apply("requester")),
                created, null, merged, closed != null ? closed : merged,
                null, null,
                intraBranch == null ? null : !intraBranch);
    }

    /**
     * A duration column against the two timestamps it restates: when the column is given, both
     * timestamps must be there and agree with it (to the minute, or exactly one hour off).
     */
    private static void checkDuration(Function<String, String> column, String name, Instant from, Instant to,
            String toColumn, String where) {
        String v = blankToNull(column.apply(name));
        if (v == null) {
            return;
        }
        long minutes;
        try {
            minutes = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new InvalidPayloadException(where + name, "expected whole minutes, got \"" + v + "\"");
        }
        if (to == null || from == null) {
            throw new InvalidPayloadException(where + name, "is " + minutes + " but " + (from == null ? "created_at"
                    : toColumn) + " is empty");
        }
        double actual = (to.getEpochSecond() - from.getEpochSecond()) / 60.0;
        double off = Math.abs(actual - minutes);
        if (off > 1 && Math.abs(off - DAYLIGHT_SAVING_MINUTES) > 1) {
            throw new InvalidPayloadException(where + name, String.format(Locale.ROOT,
                    "is %d, but %s - created_at is %.0f minutes", minutes, toColumn, actual));
        }
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
