package dev.prsentinel.ingest.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.testing.EmbeddedMongo;
import dev.prsentinel.core.testing.SharedData;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class PullRequestImporterTest {

    @RegisterExtension
    final EmbeddedMongo mongo = new EmbeddedMongo();

    @TempDir
    Path tmp;

    private PullRequestStore store;
    private PullRequestImporter importer;

    @BeforeEach
    void setUp() {
        store = new PullRequestStore(mongo.database(), Clock.systemUTC()).ensureIndexes();
        importer = new PullRequestImporter(store, 50);
    }

    @Test
    void everyRecordedApiObjectImportsAndASecondImportChangesNothing() throws IOException {
        Path file = SharedData.require("fixtures/github/pulls.jsonl");
        long lines = Files.readAllLines(file).size();
        ImportResult first = importer.importFile(file, r -> { });
        assertThat(first.read()).isEqualTo(lines);
        assertThat(first.rejected()).isZero();
        assertThat(first.inserted() + first.unchanged()).isEqualTo(lines);
        assertThat(store.count()).isEqualTo(first.inserted());

        ImportResult second = importer.importFile(file, r -> { });
        assertThat(second.inserted()).isZero();
        assertThat(second.updated()).isZero();
        assertThat(second.unchanged()).isEqualTo(lines);
        assertThat(store.find("Codertocat/Hello-World", 2).orElseThrow().source()).isEqualTo(Source.IMPORT);
    }

    @Test
    void pullreqsCsvImportsWithMissingFieldsLeftMissing() throws IOException {
        Path source = SharedData.require("datasets/pullreqs/pullreqs.csv.gz");
        Path sample = tmp.resolve("sample.csv");
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(source)), StandardCharsets.UTF_8))) {
            for (int i = 0; i < 1001; i++) {
                lines.add(r.readLine());
            }
        }
        Files.write(sample, lines);

        ImportResult result = importer.importFile(sample, r -> { });

        assertThat(result.read()).isEqualTo(1000);
        assertThat(result.rejected()).isZero();
        assertThat(store.count()).isEqualTo(result.inserted()).isPositive();
        String[] header = lines.get(0).split(",");
        String[] first = lines.get(1).split(",");
        String repo = first[List.of(header).indexOf("project_name")];
        int number = Integer.parseInt(first[List.of(header).indexOf("github_id")]);
        Document d = store.findDocument(repo, number).orElseThrow();
        assertThat(d.getString("source")).isEqualTo("import");
        assertThat(d).doesNotContainKeys("additions", "deletions", "title_length", "body_length", "labels", "draft",
                "requested_reviewers", "updated_at");
        assertThat(d.getInteger("changed_lines")).isEqualTo(
                Integer.parseInt(first[List.of(header).indexOf("src_churn")])
                        + Integer.parseInt(first[List.of(header).indexOf("test_churn")]));
        assertThat(d.getInteger("commits")).isEqualTo(Integer.parseInt(first[List.of(header).indexOf("num_commits")]));
        PullRequest pr = store.find(repo, number).orElseThrow();
        assertThat(pr.observedAt()).isNotNull();
    }

    @Test
    void badRecordsAreCountedWithLineAndFieldAndTheRestIsStored() throws IOException {
        Path file = tmp.resolve("mixed.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"number\":1,\"updated_at\":\"2026-01-01T00:00:00Z\",\"base\":{\"repo\":{\"full_name\":\"a/b\"}}}",
                "{not json",
                "{\"updated_at\":\"2026-01-01T00:00:00Z\",\"base\":{\"repo\":{\"full_name\":\"a/b\"}}}",
                "{\"number\":4,\"base\":{\"repo\":{\"full_name\":\"a/b\"}}}",
                "{\"number\":5,\"updated_at\":\"2026-01-01T00:00:00Z\",\"base\":{\"repo\":{\"full_name\":\"a/b\"}}}"));
        ImportResult r = importer.importFile(file, x -> { });
        assertThat(r.read()).isEqualTo(5);
        assertThat(r.rejected()).isEqualTo(3);
        assertThat(r.firstErrors()).anyMatch(e -> e.startsWith("line 2: not valid JSON"))
                .anyMatch(e -> e.equals("line 3.number: missing"))
                .anyMatch(e -> e.contains("a/b#4.updated_at"));
        assertThat(store.count()).isEqualTo(2);
    }

    @Test
    void aCsvThatIsNotPullreqsIsRefusedNamingTheMissingColumns() throws IOException {
        Path file = tmp.resolve("other.csv");
        Files.writeString(file, "a,b\n1,2\n");
        assertThatThrownBy(() -> importer.importFile(file, r -> { }))
                .hasMessageContaining("missing columns").hasMessageContaining("project_name");
        assertThatThrownBy(() -> importer.importFile(tmp.resolve("x.txt"), r -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown layout");
        assertThatThrownBy(() -> importer.importFile(tmp.resolve("absent.jsonl"), r -> { }))
                .isInstanceOf(IOException.class);
    }
}
