package dev.prsentinel.core.pullreqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PullreqsRowsTest {

    /** The header of shared/datasets/pullreqs/pullreqs.csv.gz. */
    private static final String HEADER = "pull_req_id,project_name,lang,github_id,created_at,merged_at,closed_at,"
            + "lifetime_minutes,mergetime_minutes,merged_using,conflict,forward_links,team_size,num_commits,"
            + "num_commit_comments,num_issue_comments,num_comments,num_participants,files_added,files_deleted,"
            + "files_modified,files_changed,src_files,doc_files,other_files,perc_external_contribs,sloc,"
            + "src_churn,test_churn,commits_on_files_touched,test_lines_per_kloc,test_cases_per_kloc,"
            + "asserts_per_kloc,watchers,requester,prev_pullreqs,requester_succ_rate,followers,intra_branch,"
            + "main_team_member";

    /** The first data row of shared/datasets/pullreqs/pullreqs.csv.gz. */
    private static Map<String, String> realRow() {
        String header = HEADER;
        String row = "2726194,10gen-labs/mongo-web-shell,python,315,1388501375,1389018058,1389018058,8611,8611,"
                + "commits_in_master,false,false,1,1,0,0,0,0,0,0,1,1,1,0,0,54,744,1,0,6,1385.752688172043,"
                + "81.98924731182795,228.49462365591398,24,glowe,28,0.10714285714285714,1,false,false";
        String[] h = header.split(",");
        String[] v = row.split(",");
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < h.length; i++) {
            m.put(h[i], v[i]);
        }
        return m;
    }

    @Test
    void mapsARealRow() {
        PullRequest pr = PullreqsRows.fromRow(realRow()::get, 2);
        assertThat(pr.repo()).isEqualTo("10gen-labs/mongo-web-shell");
        assertThat(pr.number()).isEqualTo(315);
        assertThat(pr.source()).isEqualTo(Source.IMPORT);
        assertThat(pr.createdAt()).isEqualTo(Instant.ofEpochSecond(1388501375));
        assertThat(pr.mergedAt()).isEqualTo(Instant.ofEpochSecond(1389018058));
        assertThat(pr.merged()).isTrue();
        assertThat(pr.state()).isEqualTo("closed");
        assertThat(pr.commits()).isEqualTo(1);
        assertThat(pr.changedFiles()).isEqualTo(1);
        assertThat(pr.changedLines()).isEqualTo(1);
        assertThat(pr.authorAssociation()).isEqualTo("CONTRIBUTOR");
        assertThat(pr.headFork()).isTrue();
        assertThat(pr.author()).isEqualTo("glowe");
        assertThat(pr.observedAt()).isEqualTo(Instant.ofEpochSecond(1389018058));
    }

    @Test
    void whatTheDataSetLacksStaysMissing() {
        PullRequest pr = PullreqsRows.fromRow(realRow()::get, 2);
        assertThat(pr.titleLength()).isNull();
        assertThat(pr.bodyLength()).isNull();
        assertThat(pr.labels()).isNull();
        assertThat(pr.draft()).isNull();
        assertThat(pr.requestedReviewers()).isNull();
        assertThat(pr.additions()).isNull();
        assertThat(pr.deletions()).isNull();
        assertThat(pr.updatedAt()).isNull();
    }

    @Test
    void emptyCellsAreMissingNotZero() {
        Map<String, String> row = realRow();
        row.put("num_commits", "");
        row.put("merged_at", "");
        row.put("closed_at", "");
        row.put("lifetime_minutes", "");
        row.put("mergetime_minutes", "");
        row.put("merged_using", "unknown");
        row.put("main_team_member", "true");
        PullRequest pr = PullreqsRows.fromRow(row::get, 2);
        assertThat(pr.commits()).isNull();
        assertThat(pr.merged()).isFalse();
        assertThat(pr.state()).isEqualTo("open");
        assertThat(pr.authorAssociation()).isEqualTo("MEMBER");
    }

    @Test
    void badCellsNameLineAndColumn() {
        Map<String, String> row = realRow();
        row.put("src_churn", "lots");
        assertThatThrownBy(() -> PullreqsRows.fromRow(row::get, 17))
                .hasMessage("line 17: src_churn: expected an integer, got \"lots\"");
        row.put("src_churn", "1");
        row.put("github_id", "0");
        assertThatThrownBy(() -> PullreqsRows.fromRow(row::get, 18)).hasMessageStartingWith("line 18: github_id");
    }

    /** Nothing in the layout is passed over unseen: each column is read, checked, or ignored for a reason. */
    @Test
    void everyColumnIsMappedCheckedOrIgnoredWithAReason() {
        Set<String> accounted = new HashSet<>(PullreqsRows.REQUIRED_COLUMNS);
        accounted.addAll(PullreqsRows.CHECKED_COLUMNS.keySet());
        accounted.addAll(PullreqsRows.IGNORED_COLUMNS.keySet());
        assertThat(accounted).containsExactlyInAnyOrder(HEADER.split(","));
        assertThat(PullreqsRows.IGNORED_COLUMNS.keySet()).doesNotContainAnyElementsOf(PullreqsRows.REQUIRED_COLUMNS)
                .doesNotContainAnyElementsOf(PullreqsRows.CHECKED_COLUMNS.keySet());
        assertThat(PullreqsRows.CHECKED_COLUMNS.keySet()).doesNotContainAnyElementsOf(PullreqsRows.REQUIRED_COLUMNS);
    }

    @Test
    void columnsThatRestateEachOtherMustAgree() {
        // The real row: lifetime 8611 minutes, closed_at - created_at = 8611.4.
        assertThat(PullreqsRows.fromRow(realRow()::get, 2).merged()).isTrue();
        Map<String, String> dst = realRow();
        dst.put("lifetime_minutes", "8551");
        dst.put("mergetime_minutes", "8671");
        assertThat(PullreqsRows.fromRow(dst::get, 2).merged()).as("one hour off: the data set's own artifact")
                .isTrue();
        Map<Map.Entry<String, String>, String> contradictions = new LinkedHashMap<>();
        contradictions.put(Map.entry("lifetime_minutes", "8605"),
                "line 3: lifetime_minutes: is 8605, but closed_at - created_at is 8611 minutes");
        contradictions.put(Map.entry("mergetime_minutes", "20"),
                "line 3: mergetime_minutes: is 20, but merged_at - created_at is 8611 minutes");
        contradictions.put(Map.entry("num_comments", "4"),
                "line 3: num_comments: is 4, but num_issue_comments + num_commit_comments is 0");
        contradictions.put(Map.entry("files_changed", "3"),
                "line 3: files_changed: is 3, but files_added + files_deleted + files_modified is 1");
        contradictions.put(Map.entry("merged_using", "unknown"),
                "line 3: merged_using: is \"unknown\" but merged_at is set");
        contradictions.put(Map.entry("lifetime_minutes", "many"),
                "line 3: lifetime_minutes: expected whole minutes, got \"many\"");
        contradictions.forEach((cell, message) -> {
            Map<String, String> row = realRow();
            row.put(cell.getKey(), cell.getValue());
            assertThatThrownBy(() -> PullreqsRows.fromRow(row::get, 3)).as(cell.toString()).hasMessage(message);
        });
        Map<String, String> unmerged = realRow();
        unmerged.put("merged_at", "");
        unmerged.put("merged_using", "unknown");
        assertThatThrownBy(() -> PullreqsRows.fromRow(unmerged::get, 4))
                .hasMessage("line 4: mergetime_minutes: is 8611 but merged_at is empty");
        // A file without the restating columns (another export of the layout) is read as before.
        Map<String, String> bare = realRow();
        PullreqsRows.CHECKED_COLUMNS.keySet().forEach(bare::remove);
        PullreqsRows.IGNORED_COLUMNS.keySet().forEach(bare::remove);
        assertThat(PullreqsRows.fromRow(bare::get, 5)).isEqualTo(PullreqsRows.fromRow(realRow()::get, 5));
    }
}
