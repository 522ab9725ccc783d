package dev.prsentinel.core.store;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Date;
import org.bson.Document;

/**
 * The cluster's dead-letter sink: events a Knative broker gave up delivering, kept in
 * {@code dead_letters} with the reason Knative attached (the knativeerrorcode, knativeerrordest and
 * base64 knativeerrordata extensions), so they can be inspected and replayed. Keyed by source and
 * id: a redelivered dead letter replaces its earlier copy.
 */
public final class DeadLetterStore {

    private final MongoCollection<Document> collection;
    private final Clock clock;

    public DeadLetterStore(MongoDatabase database, Clock clock) {
        this.collection = database.getCollection("dead_letters");
        this.clock = clock;
    }

    public void record(CloudEvent event) {
        Document d = new Document("_id", event.getSource() + " " + event.getId())
                .append("type", event.getType())
                .append("source", event.getSource().toString())
                .append("id", event.getId())
                .append("subject", event.getSubject())
                .append("error_code", extension(event, "knativeerrorcode"))
                .append("error_destination", extension(event, "knativeerrordest"))
                .append("error_data", decoded(extension(event, "knativeerrordata")))
                .append("data", event.getData() == null ? null
                        : new String(event.getData().toBytes(), StandardCharsets.UTF_8))
                .append("received_at", Date.from(clock.instant()));
        collection.replaceOne(Filters.eq("_id", d.get("_id")), d, new ReplaceOptions().upsert(true));
    }

    public long count() {
        return collection.countDocuments();
    }

    private static String extension(CloudEvent event, String name) {
        Object value = event.getExtension(name);
        return value == null ? null : value.toString();
    }

    private static String decoded(String base64) {
        if (base64 == null) {
            return null;
        }
        try {
            return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return base64;
        }
    }
}
