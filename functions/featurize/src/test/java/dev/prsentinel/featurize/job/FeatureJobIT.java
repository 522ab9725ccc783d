package dev.prsentinel.featurize.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.Filters;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.features.FeatureStatistics;
import dev.prsentinel.core.features.RepositoryNorms;
import dev.prsentinel.core.github.GitHubPullRequests;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.store.RepositoryNormsDocuments;
import dev.prsentinel.core.store.TrainingReference;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import dev.prsentinel.core.testing.EmbeddedMongo;
import dev.prsentinel.core.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The Spark job for real, in local mode, over the embedded store through the real driver. */
class FeatureJobIT {

    private static final Instant WINDOW_END = Instant.parse("2027-01-01T00:00:00Z");
    private static SparkSession spark;

    @RegisterExtension
    final EmbeddedMongo mongo = new EmbeddedMongo();

    @TempDir
    Path output;

    private PullRequestStore store;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2]").appName("feature-job-it")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @BeforeEach
    void fill() throws Exception {
        store = new PullRequestStore(mongo.database(), Clock.systemUTC()).ensureIndexes();
        List<PullRequest> prs = new ArrayList<>(SharedData.pullreqs(3000));
        for (String line : Files.readAllLines(SharedData.require("fixtures/github/pulls.jsonl"))) {
            prs.add(GitHubPullRequests.fromJson(Json.mapper().readTree(line), null, Source.API, "pr"));
        }
        prs.addAll(SyntheticPullRequests.generate(3, 500, 4, 0.02, Instant.parse("2026-11-01T00:00:00Z"))
                .pullRequests());
        store.upsertAll(prs);
    }

    private FeatureJob.Options options() {
        return new FeatureJob.Options(mongo.connectionString(), "prsentinel", output.toString(), WINDOW_END, 2);
    }

    @Test
    void sparkAndThePlainJavaExtractorGiveIdenticalVectorsOnRealData() {
        FeatureSetResult result = FeatureJob.run(spark, options(), Clock.systemUTC());

        assertThat(result.rows()).isEqualTo(store.count());
        assertThat(result.rejected()).isZero();
        List<Row> written = spark.read().parquet(result.location() + "/features.parquet").collectAsList();
        assertThat(written).hasSize((int) store.count());
        // The repository norms, fitted again in plain Java from the stored PRs: the job's, exactly.
        List<PullRequest> stored = written.stream()
                .map(row -> store.find(row.getString(0), row.getInt(1)).orElseThrow()).toList();
        RepositoryNorms norms = FeatureRows.SPEC.fitNorms(stored);
        assertThat(result.norms()).isEqualTo(norms);
        assertThat(norms.repositories()).hasSizeGreaterThan(10);
        assertThat(RepositoryNormsDocuments.fromRecord(mongo.database().getCollection(FeatureJob.COLLECTION)
                .find(Filters.eq("_id", result.id())).first())).isEqualTo(norms);
        int compared = 0;
        for (int i = 0; i < written.size(); i++) {
            Row row = written.get(i);
            PullRequest pr = stored.get(i);
            double[] spark = FeatureRows.features(row);
            double[] plain = FeatureRows.SPEC.extract(pr, norms);
            // Bit for bit, NaN included: Arrays.equals compares doubleToLongBits.
            assertThat(Arrays.equals(spark, plain)).as(pr.key()).isTrue();
            compared++;
        }
        assertThat(compared).isGreaterThan(3500);
    }

    @Test
    void theSetIsRecordedWithStatisticsAndScalerAndTheSameWindowTwiceGivesOneSet() {
        FeatureSetResult first = FeatureJob.run(spark, options(), Clock.systemUTC());
        FeatureSetResult second = FeatureJob.run(spark, options(), Clock.systemUTC());

        assertThat(second.reused()).isTrue();
        assertThat(second.id()).isEqualTo(first.id()).startsWith("fs-v4-");
        assertThat(second.norms()).isEqualTo(first.norms());
        assertThat(second.statistics()).isEqualTo(first.statistics());
        assertThat(second.scaler()).isEqualTo(first.scaler());
        assertThat(mongo.database().getCollection(FeatureJob.COLLECTION).countDocuments()).isEqualTo(1);
        Document record = mongo.database().getCollection(FeatureJob.COLLECTION).find().first();
        assertThat(record.getString("status")).isEqualTo("ready");
        assertThat(record.getInteger("spec_version")).isEqualTo(FeatureSpecs.CURRENT.version());
        assertThat(record.getString("location")).isEqualTo(first.location());
        assertThat(record.get("source_window", Document.class).getDate("to")).isEqualTo(Date.from(WINDOW_END));
        for (FeatureStatistics s : first.statistics()) {
            assertThat(s.count() + s.missing()).as(s.name()).isEqualTo(first.rows());
        }
        FeatureStatistics additions = first.statistics().stream().filter(s -> s.name().equals("log_additions"))
                .findFirst().orElseThrow();
        // 3,000 pullreqs rows have no additions: missing, not zero.
        assertThat(additions.missing()).isGreaterThanOrEqualTo(3000);
        assertThat(Files.exists(Path.of(first.location(), "scaler.json"))).isTrue();
        assertThat(Files.exists(Path.of(first.location(), "repository_norms.json"))).isTrue();
        assertThat(first.drift()).as("no model trained yet: nothing to compare with").isNull();

        // A model was trained on the first set: the next set is also counted into its bins.
        Map<String, List<Double>> edges = new LinkedHashMap<>();
        Map<String, List<Long>> counts = new LinkedHashMap<>();
        first.statistics().forEach(st -> {
            edges.put(st.name(), st.binEdges());
            counts.put(st.name(), st.binCounts());
        });
        new TrainingReference(first.id(), first.rows(), Instant.parse("2026-11-02T00:00:00Z"), edges, counts)
                .write(mongo.database());
        store.upsertAll(SyntheticPullRequests.generate(4, 10, 1, 0, Instant.parse("2026-11-01T00:00:00Z"))
                .pullRequests().stream().map(pr -> new PullRequest("new/repo", pr.number(), pr.source(),
                        pr.titleLength(), pr.bodyLength(), pr.state(), pr.draft(), pr.merged(), pr.additions(),
                        pr.deletions(), pr.changedLines(), pr.changedFiles(), pr.commits(), pr.comments(),
                        pr.reviewComments(), pr.labels(), pr.requestedReviewers(), pr.authorAssociation(), pr.author(),
                        pr.createdAt(), pr.updatedAt(), pr.mergedAt(), pr.closedAt(), pr.baseRef(), pr.headRef(),
                        pr.headFork())).toList());
        FeatureSetResult third = FeatureJob.run(spark, options(), Clock.systemUTC());
        assertThat(third.id()).isNotEqualTo(first.id());
        assertThat(third.rows()).isEqualTo(first.rows() + 10);
        assertThat(first.norms().repositories()).doesNotContainKey("new/repo");
        assertThat(third.norms().of("new/repo").prs()).isEqualTo(10);
        assertThat(third.drift().referenceSetId()).isEqualTo(first.id());
        for (FeatureStatistics st : third.statistics()) {
            assertThat(third.drift().binCounts().get(st.name()).stream().mapToLong(Long::longValue).sum())
                    .as(st.name()).isEqualTo(st.count());
        }
        assertThat(FeatureJob.run(spark, options(), Clock.systemUTC()).drift()).isEqualTo(third.drift());
    }

    @Test
    void malformedStoredDocumentsAreCountedAndReportedNotTurnedIntoZeros() {
        Date now = Date.from(Instant.parse("2026-01-01T00:00:00Z"));
        mongo.database().getCollection("pull_requests").insertMany(List.of(
                new Document("_id", "bad/doc#1").append("repo", "bad/doc").append("number", "one")
                        .append("source", "api").append("observed_at", now),
                new Document("_id", "bad/doc#2").append("repo", "bad/doc").append("number", 2)
                        .append("source", "martian").append("observed_at", now)));
        FeatureSetResult result = FeatureJob.run(spark, options(), Clock.systemUTC());
        assertThat(result.rejected()).isEqualTo(2);
        assertThat(result.rejections()).anyMatch(r -> r.startsWith("bad/doc#1:"))
                .anyMatch(r -> r.startsWith("bad/doc#2:"));
        assertThat(result.rows()).isEqualTo(store.count() - 2);
    }

    @Test
    void keyRangesCoverTheKeySpaceOnce() {
        List<KeyRange> ranges = FeatureJob.keyRanges(mongo.database().getCollection("pull_requests"), 4);
        assertThat(ranges).hasSize(4);
        assertThat(ranges.get(0).from()).isNull();
        assertThat(ranges.get(3).to()).isNull();
        for (int i = 1; i < ranges.size(); i++) {
            assertThat(ranges.get(i).from()).isEqualTo(ranges.get(i - 1).to());
        }
    }
}
