package dev.prsentinel.core.store;

import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import java.time.Clock;
import java.util.Date;
import java.util.Optional;
import org.bson.Document;

/**
 * Remembers which CloudEvents (by source and id, which the spec makes unique) a function has
 * handled, and what it replied, so a redelivery gets the same answer and changes nothing.
 */
public final class ProcessedEvents {

    private static final int DUPLICATE_KEY = 11000;

    private final MongoCollection<Document> collection;
    private final Clock clock;

    /**
     * @param function the function's name; each function keeps its own record of what it handled
     */
    public ProcessedEvents(MongoDatabase database, String function, Clock clock) {
        this.collection = database.getCollection("processed_events_" + function);
        this.clock = clock;
    }

    /** What was recorded for this event, if it was handled before. */
    public Optional<Record> find(String source, String id) {
        Document d = collection.find(Filters.eq("_id", key(source, id))).first();
        return Optional.ofNullable(d).map(doc -> new Record(doc.getString("type"), doc.getString("reply")));
    }

    /**
     * Records an event as handled. A concurrent duplicate that recorded first wins; its reply is
     * the same, because reply ids and contents are derived from the input.
     *
     * @param reply the reply in structured JSON, or null when there was none
     */
    public void record(String source, String id, String type, String reply) {
        Document d = new Document("_id", key(source, id)).append("type", type)
                .append("processed_at", Date.from(clock.instant()));
        if (reply != null) {
            d.append("reply", reply);
        }
        try {
            collection.insertOne(d);
        } catch (MongoWriteException e) {
            if (e.getError().getCode() != DUPLICATE_KEY) {
                throw e;
            }
        }
    }

    private static String key(String source, String id) {
        return source + " " + id;
    }

    /**
     * @param type  the handled event's type
     * @param reply the reply in structured JSON, or null
     */
    public record Record(String type, String reply) {
    }
}
