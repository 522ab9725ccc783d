package dev.prsentinel.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.model.Filters;
import dev.prsentinel.core.model.InvalidPayloadException;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import dev.prsentinel.core.testing.EmbeddedMongo;
import dev.prsentinel.core.testing.PullRequests;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Through the real driver against the embedded MongoDB-protocol server. */
class PullRequestStoreTest {

    @RegisterExtension
    final EmbeddedMongo mongo = new EmbeddedMongo();

    private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
    private PullRequestStore store;

    @BeforeEach
    void setUp() {
        store = new PullRequestStore(mongo.database(), Clock.fixed(T0.plusSeconds(99_999), ZoneOffset.UTC))
                .ensureIndexes();
    }

    @Test
    void insertsThenUpdatesOnlyWithNewerVersions() {
        UpsertResult first = store.upsertAll(List.of(PullRequests.complete(1, T0), PullRequests.complete(2, T0)));
        assertThat(first).extracting(UpsertResult::inserted, UpsertResult::updated, UpsertResult::unchanged)
                .containsExactly(2, 0, 0);

        UpsertResult again = store.upsertAll(List.of(PullRequests.complete(1, T0)));
        assertThat(again).extracting(UpsertResult::inserted, UpsertResult::updated, UpsertResult::unchanged)
                .containsExactly(0, 0, 1);
        assertThat(again.changed()).isEmpty();

        UpsertResult newer = store.upsertAll(List.of(PullRequests.reopened(1, T0.plusSeconds(60))));
        assertThat(newer).extracting(UpsertResult::inserted, UpsertResult::updated, UpsertResult::unchanged)
                .containsExactly(0, 1, 0);
        assertThat(store.find("octo/repo", 1).orElseThrow().state()).isEqualTo("open");
        assertThat(store.count()).isEqualTo(2);
        assertThat(store.estimatedCount()).isEqualTo(2);
    }

    @Test
    void anOlderVersionArrivingLateNeverOverwritesNewerData() {
        store.upsertAll(List.of(PullRequests.reopened(1, T0.plusSeconds(60))));
        UpsertResult late = store.upsertAll(List.of(PullRequests.complete(1, T0)));
        assertThat(late.unchanged()).isEqualTo(1);
        PullRequest stored = store.find("octo/repo", 1).orElseThrow();
        assertThat(stored.state()).isEqualTo("open");
        assertThat(stored.updatedAt()).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void onlyTheNewestVersionInOneBatchIsWritten() {
        UpsertResult r = store.upsertAll(List.of(PullRequests.reopened(1, T0.plusSeconds(60)),
                PullRequests.complete(1, T0)));
        assertThat(r).extracting(UpsertResult::inserted, UpsertResult::updated, UpsertResult::unchanged)
                .containsExactly(1, 0, 1);
        assertThat(store.find("octo/repo", 1).orElseThrow().updatedAt()).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void reopeningRemovesTheCloseAndMergeTimes() {
        store.upsertAll(List.of(PullRequests.complete(1, T0)));
        store.upsertAll(List.of(PullRequests.reopened(1, T0.plusSeconds(60))));
        Document d = store.findDocument("octo/repo", 1).orElseThrow();
        assertThat(d).doesNotContainKeys("closed_at", "merged_at");
        assertThat(d.getBoolean("merged")).isFalse();
    }

    @Test
    void aPartialNewerVersionKeepsTheCountsItDoesNotKnow() {
        store.upsertAll(List.of(PullRequests.complete(1, T0)));
        store.upsertAll(List.of(PullRequests.partial(1, T0.plusSeconds(60))));
        Document d = store.findDocument("octo/repo", 1).orElseThrow();
        assertThat(d.getInteger("additions")).isEqualTo(30);
        assertThat(d.getInteger("commits")).isEqualTo(2);
        assertThat(d.getBoolean("has_detail")).isTrue();
        assertThat(d.getString("state")).isEqualTo("open");
        assertThat(d.getDate("updated_at").toInstant()).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void missingFieldsAreStoredAsAbsentNotZero() {
        store.upsertAll(List.of(PullRequests.partial(3, T0)));
        Document d = store.findDocument("octo/repo", 3).orElseThrow();
        assertThat(d).doesNotContainKeys("additions", "deletions", "changed_lines", "commits", "comments",
                "review_comments", "merged", "closed_at");
        assertThat(d.getBoolean("has_detail")).isFalse();
        assertThat(d.getString("source")).isEqualTo("webhook");
        assertThat(d.getDate("ingested_at")).isNotNull();
        PullRequest back = store.find("octo/repo", 3).orElseThrow();
        assertThat(back).isEqualTo(PullRequests.partial(3, T0));
    }

    @Test
    void repoAndNumberAreTheUniqueKey() {
        store.upsertAll(List.of(PullRequests.complete(1, T0)));
        Document doc = mongo.database().getCollection("pull_requests").find().first();
        assertThat(doc.getString("_id")).isEqualTo("octo/repo#1");
        // A second document for the same PR cannot exist: _id is unique on every MongoDB.
        assertThatThrownBy(() -> mongo.database().getCollection("pull_requests")
                .insertOne(new Document("_id", "octo/repo#1").append("repo", "octo/repo").append("number", 1)))
                .isInstanceOf(com.mongodb.MongoWriteException.class).hasMessageContaining("duplicate key");
        assertThat(mongo.database().getCollection("pull_requests").countDocuments(Filters.eq("repo", "octo/repo")))
                .isEqualTo(1);
    }

    @Test
    void aPrWithNoTimeAtAllIsRejectedAndNothingIsWritten() {
        PullRequest timeless = new PullRequest("octo/repo", 9, Source.API, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        assertThatThrownBy(() -> store.upsertAll(List.of(PullRequests.complete(1, T0), timeless)))
                .isInstanceOf(InvalidPayloadException.class).hasMessageContaining("octo/repo#9.updated_at");
        assertThat(store.count()).isZero();
    }

    @Test
    void findsSeveralPrsOfARepositoryByNumberInOneQuery() {
        store.upsertAll(List.of(PullRequests.complete(1, T0), PullRequests.complete(2, T0),
                PullRequests.complete(5, T0)));
        assertThat(store.find("octo/repo", List.of(1, 5, 9)).keySet()).containsExactlyInAnyOrder(1, 5);
        assertThat(store.find("octo/repo", List.of(2)).get(2)).isEqualTo(store.find("octo/repo", 2).orElseThrow());
        assertThat(store.find("other/repo", List.of(1))).isEmpty();
    }

    @Test
    void countsByRepo() {
        store.upsertAll(List.of(PullRequests.complete(1, T0), PullRequests.complete(2, T0)));
        assertThat(store.countByRepo()).containsEntry("octo/repo", 2L);
    }

    @Test
    void theMostRecentlyObservedComeFirst() {
        store.upsertAll(List.of(PullRequests.complete(1, T0), PullRequests.complete(2, T0.plusSeconds(60)),
                PullRequests.complete(3, T0.plusSeconds(30))));
        assertThat(store.recent(2)).extracting(PullRequest::number).containsExactly(2, 3);
        assertThat(store.recent(10)).hasSize(3);
    }
}
