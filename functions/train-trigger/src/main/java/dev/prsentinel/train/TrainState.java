package dev.prsentinel.train;

import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import dev.prsentinel.core.store.TrainingReference;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import org.bson.Document;

/**
 * train-trigger's bookkeeping in {@code training_state} (beside core's {@link TrainingReference}):
 * a lease so that one training runs at a time, and one record per feature set so that no set is
 * trained twice. A set whose training failed may be tried again; one that started or finished may
 * not. The job records the end itself; a job that dies silently leaves its lease to expire.
 */
public final class TrainState {

    private static final String LEASE = "lease";

    /** What a claim got. */
    public enum Claim {
        /** The lease and the set: start the training. */
        CLAIMED,
        /** Another training holds the lease; the set stays unclaimed for a later check. */
        BUSY,
        /** The set was trained, or its training started, before. */
        DONE
    }

    private final MongoCollection<Document> collection;

    public TrainState(MongoDatabase database) {
        this.collection = database.getCollection(TrainingReference.COLLECTION);
    }

    private static String setId(String featureSetId) {
        return "set:" + featureSetId;
    }

    /** Whether a training of the set started or finished (a failed one does not count). */
    public boolean attempted(String featureSetId) {
        Document d = collection.find(Filters.eq("_id", setId(featureSetId))).first();
        return d != null && !"failed".equals(d.getString("status"));
    }

    public Claim claim(String featureSetId, Instant now, Duration lease) {
        if (attempted(featureSetId)) {
            return Claim.DONE;
        }
        if (!takeLease(featureSetId, now, lease)) {
            return Claim.BUSY;
        }
        Document started = new Document("status", "started").append("started_at", Date.from(now));
        boolean claimed;
        try {
            collection.insertOne(new Document("_id", setId(featureSetId)).append("status", "started")
                    .append("started_at", Date.from(now)));
            claimed = true;
        } catch (MongoWriteException e) {
            claimed = collection.updateOne(Filters.and(Filters.eq("_id", setId(featureSetId)),
                    Filters.eq("status", "failed")), new Document("$set", started)).getModifiedCount() == 1;
        }
        if (!claimed) {
            releaseLease(featureSetId);
            return Claim.DONE;
        }
        return Claim.CLAIMED;
    }

    private boolean takeLease(String featureSetId, Instant now, Duration lease) {
        Date until = Date.from(now.plus(lease));
        try {
            collection.insertOne(new Document("_id", LEASE).append("lease_until", until)
                    .append("feature_set_id", featureSetId));
            return true;
        } catch (MongoWriteException e) {
            return collection.updateOne(Filters.and(Filters.eq("_id", LEASE), Filters.or(
                    Filters.exists("lease_until", false), Filters.lt("lease_until", Date.from(now)))),
                    Updates.combine(Updates.set("lease_until", until), Updates.set("feature_set_id", featureSetId)))
                    .getModifiedCount() == 1;
        }
    }

    /** Records that a model came out of the set's training (whatever the gate said), and frees the lease. */
    public void trained(String featureSetId, String runId, String modelVersion, String alias, Instant now) {
        collection.updateOne(Filters.eq("_id", setId(featureSetId)), Updates.combine(
                Updates.set("status", "trained"), Updates.set("ended_at", Date.from(now)),
                Updates.set("run_id", runId), Updates.set("model_version", modelVersion),
                Updates.set("alias", alias)), new UpdateOptions().upsert(true));
        releaseLease(featureSetId);
    }

    /**
     * Records that no model came out, and frees the lease. The first reason stays: the job records
     * its own, and the launcher's later "the process failed" does not replace it.
     */
    public void failed(String featureSetId, String reason, Instant now) {
        Document failed = new Document("status", "failed").append("ended_at", Date.from(now)).append("reason", reason);
        if (collection.updateOne(Filters.and(Filters.eq("_id", setId(featureSetId)), Filters.eq("status", "started")),
                new Document("$set", failed)).getMatchedCount() == 0) {
            try {
                collection.insertOne(new Document("_id", setId(featureSetId)).append("status", "failed")
                        .append("ended_at", Date.from(now)).append("reason", reason));
            } catch (MongoWriteException e) {
                // Recorded already (trained, or failed with the job's own reason).
            }
        }
        releaseLease(featureSetId);
    }

    /**
     * Gives up the training that holds the lease, if any: its set is recorded as failed with
     * {@code reason} (so a later check may train it again) and the lease is freed. For a runtime
     * that knows the holder is dead: the local one, whose store no other process can have open.
     *
     * @return the set that was abandoned
     */
    public Optional<String> abandon(String reason, Instant now) {
        Document lease = collection.find(Filters.and(Filters.eq("_id", LEASE), Filters.exists("lease_until"))).first();
        if (lease == null || lease.getString("feature_set_id") == null) {
            return Optional.empty();
        }
        String set = lease.getString("feature_set_id");
        failed(set, reason, now);
        return Optional.of(set);
    }

    /** How a set's training went: status (started, trained, failed), run, version, alias, reason; or null. */
    public Document record(String featureSetId) {
        return collection.find(Filters.eq("_id", setId(featureSetId))).first();
    }

    private void releaseLease(String featureSetId) {
        collection.updateOne(Filters.and(Filters.eq("_id", LEASE), Filters.eq("feature_set_id", featureSetId)),
                Updates.unset("lease_until"));
    }
}
