package dev.prsentinel.core.store;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import dev.prsentinel.core.model.InvalidPayloadException;
import dev.prsentinel.core.model.PullRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bson.Document;

/**
 * The {@code pull_requests} collection. Writes are idempotent upserts guarded by the version time,
 * so redelivered or out-of-order versions never overwrite newer data, without transactions
 * (which the embedded store lacks): a stale version's upsert matches nothing, tries to insert,
 * and fails on the unique key, which is counted as "unchanged".
 */
public final class PullRequestStore {

    private static final int DUPLICATE_KEY = 11000;

    private final MongoCollection<Document> collection;
    private final Clock clock;

    public PullRequestStore(MongoDatabase database, Clock clock) {
        this.collection = database.getCollection(PullRequestDocuments.COLLECTION);
        this.clock = clock;
    }

    /** Creates the indexes; safe to call on every start. */
    public PullRequestStore ensureIndexes() {
        collection.createIndex(Indexes.ascending("repo", "number"),
                new IndexOptions().unique(true).name("repo_number"));
        collection.createIndex(Indexes.descending("observed_at"), new IndexOptions().name("observed_at"));
        return this;
    }

    /**
     * Upserts a batch in one unordered bulk write. Within the batch, only the newest version of each
     * PR is written; the others count as unchanged.
     *
     * @throws InvalidPayloadException when a PR has no time to order its versions by (nothing is written)
     */
    public UpsertResult upsertAll(Collection<PullRequest> prs) {
        Map<String, PullRequest> newest = new LinkedHashMap<>();
        for (PullRequest pr : prs) {
            if (pr.observedAt() == null) {
                throw new InvalidPayloadException(pr.key() + ".updated_at",
                        "missing, and no created/merged/closed time either: versions cannot be ordered");
            }
            newest.merge(pr.key(), pr, (a, b) -> b.observedAt().isAfter(a.observedAt()) ? b : a);
        }
        int superseded = prs.size() - newest.size();
        if (newest.isEmpty()) {
            return new UpsertResult(0, 0, superseded, List.of());
        }
        Instant now = clock.instant();
        List<PullRequest> batch = new ArrayList<>(newest.values());
        List<UpdateOneModel<Document>> writes = new ArrayList<>(batch.size());
        for (PullRequest pr : batch) {
            Document update = new Document("$set", PullRequestDocuments.fieldsToSet(pr, now));
            Document unset = PullRequestDocuments.fieldsToUnset(pr);
            if (!unset.isEmpty()) {
                update.put("$unset", unset);
            }
            Document onInsert = new Document("first_ingested_at", Date.from(now));
            if (!pr.hasDetail()) {
                onInsert.put("has_detail", false);
            }
            update.put("$setOnInsert", onInsert);
            writes.add(new UpdateOneModel<>(
                    Filters.and(Filters.eq("_id", pr.key()), Filters.lt("observed_at", Date.from(pr.observedAt()))),
                    update, new UpdateOptions().upsert(true)));
        }
        BulkWriteResult result;
        Set<Integer> stale = new HashSet<>();
        try {
            result = collection.bulkWrite(writes, new BulkWriteOptions().ordered(false));
        } catch (MongoBulkWriteException e) {
            for (BulkWriteError error : e.getWriteErrors()) {
                if (error.getCode() != DUPLICATE_KEY) {
                    throw e;
                }
                stale.add(error.getIndex());
            }
            result = e.getWriteResult();
        }
        List<PullRequest> changed = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            if (!stale.contains(i)) {
                changed.add(batch.get(i));
            }
        }
        int inserted = result.getUpserts().size();
        return new UpsertResult(inserted, changed.size() - inserted, superseded + stale.size(), changed);
    }

    public Optional<PullRequest> find(String repo, int number) {
        return Optional.ofNullable(collection.find(Filters.eq("_id", PullRequest.key(repo, number))).first())
                .map(PullRequestDocuments::fromDocument);
    }

    /** The stored document as it is, for callers that need the bookkeeping fields. */
    public Optional<Document> findDocument(String repo, int number) {
        return Optional.ofNullable(collection.find(Filters.eq("_id", PullRequest.key(repo, number))).first());
    }

    public long count() {
        return collection.countDocuments();
    }

    /** Stored PRs per repository, largest first. */
    public Map<String, Long> countByRepo() {
        return countBy("repo");
    }

    /** Stored PRs per value of a field ("repo", "source", ...), largest first. */
    public Map<String, Long> countBy(String field) {
        Map<String, Long> counts = new LinkedHashMap<>();
        collection.aggregate(List.of(
                Aggregates.group("$" + field, Accumulators.sum("n", 1L)),
                Aggregates.sort(Sorts.orderBy(Sorts.descending("n"), Sorts.ascending("_id")))))
                .forEach(d -> counts.put(String.valueOf(d.get("_id")), ((Number) d.get("n")).longValue()));
        return counts;
    }
}
