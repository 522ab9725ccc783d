package dev.prsentinel.featurize;

import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import org.bson.Document;

/**
 * The featurize stage's bookkeeping in {@code featurize_state}: the last feature set (for the
 * policy) and a lease held while a job runs, so that many pr.ingested events start one job, not
 * one each. The job releases the lease when it ends; a job that dies leaves it to expire.
 */
public final class FeaturizeState {

    private static final String ID = "featurize";

    private final MongoCollection<Document> collection;

    public FeaturizeState(MongoDatabase database) {
        this.collection = database.getCollection("featurize_state");
    }

    /**
     * The last feature set built.
     *
     * @param featureSetId its id
     * @param createdAt    when it was written
     * @param prs          stored PRs it covered
     */
    public record Last(String featureSetId, Instant createdAt, long prs) {
    }

    public Optional<Last> last() {
        Document d = collection.find(Filters.eq("_id", ID)).first();
        if (d == null || d.get("last_set") == null) {
            return Optional.empty();
        }
        Document last = d.get("last_set", Document.class);
        return Optional.of(new Last(last.getString("id"), last.getDate("created_at").toInstant(),
                ((Number) last.get("prs")).longValue()));
    }

    /** Takes the lease for a new job; false when a job holds an unexpired one. */
    public boolean claim(Instant now, Duration lease) {
        Date until = Date.from(now.plus(lease));
        try {
            collection.insertOne(new Document("_id", ID).append("lease_until", until)
                    .append("job_started_at", Date.from(now)));
            return true;
        } catch (MongoWriteException e) {
            return collection.updateOne(Filters.and(Filters.eq("_id", ID), Filters.or(
                    Filters.exists("lease_until", false), Filters.lt("lease_until", Date.from(now)))),
                    Updates.combine(Updates.set("lease_until", until), Updates.set("job_started_at", Date.from(now))))
                    .getModifiedCount() == 1;
        }
    }

    /** Records a finished set and releases the lease. */
    public void finish(String featureSetId, Instant createdAt, long prs) {
        collection.updateOne(Filters.eq("_id", ID), Updates.combine(
                Updates.set("last_set", new Document("id", featureSetId).append("created_at", Date.from(createdAt))
                        .append("prs", prs)),
                Updates.unset("lease_until")), new com.mongodb.client.model.UpdateOptions().upsert(true));
    }

    /** Releases the lease without a new set (the job failed). */
    public void release() {
        collection.updateOne(Filters.eq("_id", ID), Updates.unset("lease_until"));
    }

    /** Whether a job holds the lease (expired or not). */
    public boolean leased() {
        return collection.find(Filters.and(Filters.eq("_id", ID), Filters.exists("lease_until"))).first() != null;
    }
}
