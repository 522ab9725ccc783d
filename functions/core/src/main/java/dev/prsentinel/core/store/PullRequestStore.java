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
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOneModel;
import dev.prsentinel.core.model.InvalidPayloadException;
import dev.prsentinel.core.model.PullRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bson.Document;

/**
 * The {@code pull_requests} collection. Writes are idempotent and guarded by the version time, so
 * redelivered or out-of-order versions never overwrite newer data, without transactions (which the
 * embedded store lacks): new PRs are inserted (the unique key is the guard), stored ones updated
 * only when their stored version is older, with the version check in the update's filter.
 *
 * <p>On the embedded store (mongo-java-server) only plain {@code _id} lookups use an index, so the
 * guarded update scans the collection: fine for the demo's sizes, slow for updates on a store of
 * hundreds of thousands of PRs. MongoDB serves it from the {@code _id} index.
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
        // The key (repo, number) is unique through _id = "owner/name#number", which every store indexes
        // uniquely. A second, unique (repo, number) index would guard nothing more and cost the embedded
        // store 2-3x on bulk imports (its H2 backend serialises index keys with Java serialisation);
        // this one serves per-repository queries on MongoDB (the embedded store ignores it).
        collection.createIndex(Indexes.ascending("repo", "number"), new IndexOptions().name("repo_number"));
        collection.createIndex(Indexes.descending("observed_at"), new IndexOptions().name("observed_at"));
        return this;
    }

    /**
     * Stores a batch: one unordered bulk insert, then a version-guarded update of those already
     * stored. Within the batch, only the newest version of each PR is written; the others count as
     * unchanged.
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
            newest.merge(pr.key(), pr, (a, b) -> newer(b, a) ? b : a);
        }
        if (newest.isEmpty()) {
            return UpsertResult.EMPTY;
        }
        Instant now = clock.instant();
        List<PullRequest> batch = new ArrayList<>(newest.values());
        // Insert first: a new PR needs no version check, the unique _id is the guard, and inserts are
        // cheap on every store. Only PRs already stored go through the version-guarded update.
        List<Document> inserts = new ArrayList<>(batch.size());
        for (PullRequest pr : batch) {
            Document d = PullRequestDocuments.fieldsToSet(pr, now).append("_id", pr.key())
                    .append("first_ingested_at", Date.from(now));
            d.putIfAbsent("has_detail", false);
            inserts.add(d);
        }
        Set<Integer> existing = new HashSet<>();
        try {
            collection.insertMany(inserts, new InsertManyOptions().ordered(false));
        } catch (MongoBulkWriteException e) {
            for (BulkWriteError error : e.getWriteErrors()) {
                if (error.getCode() != DUPLICATE_KEY) {
                    throw e;
                }
                existing.add(error.getIndex());
            }
        }
        List<PullRequest> changed = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            if (!existing.contains(i)) {
                changed.add(batch.get(i));
            }
        }
        int inserted = changed.size();
        List<PullRequest> updated = updateExisting(existing.stream().map(batch::get).toList(), now);
        changed.addAll(updated);
        return new UpsertResult(inserted, updated.size(), prs.size() - inserted - updated.size(), changed);
    }

    /**
     * Applies the newer of the given versions to their stored documents. Reading the stored versions
     * first skips the writes that would change nothing; the write itself is still guarded by the
     * version time, so a newer version written concurrently is never overwritten.
     *
     * @return the PRs whose stored document was replaced
     */
    private List<PullRequest> updateExisting(List<PullRequest> prs, Instant now) {
        if (prs.isEmpty()) {
            return List.of();
        }
        Map<String, Document> stored = new HashMap<>();
        collection.find(Filters.in("_id", prs.stream().map(PullRequest::key).toList()))
                .projection(Projections.include("observed_at", "version_hash"))
                .forEach(d -> stored.put(d.getString("_id"), d));
        List<PullRequest> candidates = new ArrayList<>();
        List<UpdateOneModel<Document>> writes = new ArrayList<>();
        for (PullRequest pr : prs) {
            Document version = stored.get(pr.key());
            if (version != null && !newer(pr, version.getDate("observed_at"), version.getString("version_hash"))) {
                continue;
            }
            Document update = new Document("$set", PullRequestDocuments.fieldsToSet(pr, now));
            Document unset = PullRequestDocuments.fieldsToUnset(pr);
            if (!unset.isEmpty()) {
                update.put("$unset", unset);
            }
            candidates.add(pr);
            Date observed = Date.from(pr.observedAt());
            writes.add(new UpdateOneModel<>(Filters.and(Filters.eq("_id", pr.key()), Filters.or(
                    Filters.lt("observed_at", observed), Filters.and(Filters.eq("observed_at", observed),
                            Filters.lt("version_hash", PullRequestDocuments.versionHash(pr))))), update));
        }
        if (writes.isEmpty()) {
            return List.of();
        }
        if (writes.size() == 1) {
            // Most webhooks carry one PR: one update tells by its match count whether it applied.
            return collection.updateOne(writes.get(0).getFilter(), writes.get(0).getUpdate()).getMatchedCount() == 1
                    ? candidates : List.of();
        }
        BulkWriteResult result = collection.bulkWrite(writes, new BulkWriteOptions().ordered(false));
        if (result.getMatchedCount() == candidates.size()) {
            return candidates;
        }
        // A concurrent writer stored a newer version of some of them: find out which ones we replaced.
        List<PullRequest> applied = new ArrayList<>();
        Map<String, String> after = new HashMap<>();
        collection.find(Filters.in("_id", candidates.stream().map(PullRequest::key).toList()))
                .projection(Projections.include("version_hash"))
                .forEach(d -> after.put(d.getString("_id"), d.getString("version_hash")));
        for (PullRequest pr : candidates) {
            if (PullRequestDocuments.versionHash(pr).equals(after.get(pr.key()))) {
                applied.add(pr);
            }
        }
        return applied;
    }

    /** Whether {@code a} is a newer version than {@code b}: later observed_at, then the higher content hash. */
    private static boolean newer(PullRequest a, PullRequest b) {
        return newer(a, Date.from(b.observedAt()), PullRequestDocuments.versionHash(b));
    }

    private static boolean newer(PullRequest a, Date observed, String hash) {
        if (observed == null) {
            return true;
        }
        int c = a.observedAt().compareTo(observed.toInstant());
        // A version stored before hashes existed has none: a same-second newcomer does not replace it.
        return c > 0 || c == 0 && hash != null && PullRequestDocuments.versionHash(a).compareTo(hash) > 0;
    }

    public Optional<PullRequest> find(String repo, int number) {
        return Optional.ofNullable(collection.find(Filters.eq("_id", PullRequest.key(repo, number))).first())
                .map(PullRequestDocuments::fromDocument);
    }

    /** Several PRs of one repository in one query, by number; numbers not stored are absent. */
    public Map<Integer, PullRequest> find(String repo, Collection<Integer> numbers) {
        Map<Integer, PullRequest> found = new HashMap<>();
        collection.find(Filters.in("_id", numbers.stream().map(n -> PullRequest.key(repo, n)).toList()))
                .forEach(d -> {
                    PullRequest pr = PullRequestDocuments.fromDocument(d);
                    found.put(pr.number(), pr);
                });
        return found;
    }

    /**
     * The most recently observed PRs, newest first (the observed_at index): the blue/green quality
     * gate's sample of what the serving model sees now.
     */
    public List<PullRequest> recent(int limit) {
        List<PullRequest> prs = new ArrayList<>();
        collection.find().sort(Sorts.orderBy(Sorts.descending("observed_at"), Sorts.ascending("_id"))).limit(limit)
                .forEach(d -> prs.add(PullRequestDocuments.fromDocument(d)));
        return prs;
    }

    /** The stored document as it is, for callers that need the bookkeeping fields. */
    public Optional<Document> findDocument(String repo, int number) {
        return Optional.ofNullable(collection.find(Filters.eq("_id", PullRequest.key(repo, number))).first());
    }

    /** Exactly how many PRs are stored: a scan of the collection on MongoDB. */
    public long count() {
        return collection.countDocuments();
    }

    /**
     * How many PRs are stored, from the collection's metadata instead of a scan: for decisions
     * taken on every event (featurize's "enough new PRs"), where an exact count of 280k documents
     * per event would cost more than the decision is worth.
     */
    public long estimatedCount() {
        return collection.estimatedDocumentCount();
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
