package dev.prsentinel.core.store;

import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Updates;
import dev.prsentinel.core.events.EventLedger;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * The {@link EventLedger} in MongoDB, one collection per function ({@code processed_events_NAME}).
 * Claims use the unique {@code _id}, so they need no transaction: the first insert wins, and the
 * reply is set in the same single-document update that marks the event done. A claim whose owner
 * died (a killed pod) expires after its lease and can be taken over.
 *
 * <p>Records written before claims existed have no state: they count as done.
 */
public final class ProcessedEvents implements EventLedger {

    private static final int DUPLICATE_KEY = 11000;
    private static final String CLAIMED = "claimed";
    private static final String DONE = "done";

    private final MongoCollection<Document> collection;
    private final Clock clock;
    private final Duration lease;

    /**
     * @param function the function's name; each function keeps its own record of what it handled
     */
    public ProcessedEvents(MongoDatabase database, String function, Clock clock) {
        this(database, function, clock, Duration.ofMinutes(2));
    }

    /**
     * @param lease how long a claim holds without being completed; longer than any handler runs
     */
    public ProcessedEvents(MongoDatabase database, String function, Clock clock, Duration lease) {
        this.collection = database.getCollection("processed_events_" + function);
        this.clock = clock;
        this.lease = lease;
    }

    @Override
    public Claim claim(String source, String id, String type) {
        String key = key(source, id);
        Date now = Date.from(clock.instant());
        Date until = Date.from(clock.instant().plus(lease));
        try {
            collection.insertOne(new Document("_id", key).append("type", type).append("state", CLAIMED)
                    .append("claimed_until", until).append("claimed_at", now));
            return new Claim(State.CLAIMED, null);
        } catch (MongoWriteException e) {
            if (e.getError().getCode() != DUPLICATE_KEY) {
                throw e;
            }
        }
        Claim found = find(source, id);
        if (found.state() != State.IN_PROGRESS) {
            return found;
        }
        // An expired claim: its owner died. Taking it over is one guarded update, so one caller wins.
        Bson expired = Filters.and(Filters.eq("_id", key), Filters.eq("state", CLAIMED),
                Filters.lt("claimed_until", now));
        if (collection.updateOne(expired, Updates.combine(Updates.set("claimed_until", until),
                Updates.set("claimed_at", now))).getModifiedCount() == 1) {
            return new Claim(State.CLAIMED, null);
        }
        return find(source, id);
    }

    @Override
    public Claim find(String source, String id) {
        Document d = collection.find(Filters.eq("_id", key(source, id))).first();
        if (d == null) {
            return new Claim(State.ABSENT, null);
        }
        if (CLAIMED.equals(d.getString("state"))) {
            return new Claim(State.IN_PROGRESS, null);
        }
        return new Claim(State.DONE, d.getString("reply"));
    }

    @Override
    public void complete(String source, String id, String reply) {
        String key = key(source, id);
        // Read by _id, then write by _id: the embedded store serves only a bare _id filter from its
        // index (an _id-and-state filter cost 6x per update and grew with the collection), and
        // MongoDB serves both alike. A record that holds a reply is never replaced; one without may
        // take a reply from a copy that took over an expired claim.
        Document stored = collection.find(Filters.eq("_id", key)).projection(Projections.include("state", "reply"))
                .first();
        if (stored == null || DONE.equals(stored.getString("state")) && (reply == null
                || stored.getString("reply") != null)) {
            return;
        }
        collection.updateOne(Filters.eq("_id", key), Updates.combine(Updates.set("state", DONE),
                Updates.set("processed_at", Date.from(clock.instant())), Updates.unset("claimed_until"),
                reply == null ? Updates.unset("reply") : Updates.set("reply", reply)));
    }

    @Override
    public void release(String source, String id) {
        // Rare (a failed handling): the guarded filter's cost on the embedded store does not matter.
        collection.deleteOne(Filters.and(Filters.eq("_id", key(source, id)), Filters.eq("state", CLAIMED)));
    }

    private static String key(String source, String id) {
        return source + " " + id;
    }
}
