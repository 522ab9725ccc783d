package dev.prsentinel.core.store;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import org.bson.Document;

/**
 * The cluster's dead-letter sink: events a Knative broker gave up delivering, kept in
 * {@code dead_letters} with the reason Knative attached (the knativeerrorcode, knativeerrordest and
 * base64 knativeerrordata extensions), so they can be inspected and replayed. Keyed by source and
 * id: a redelivered dead letter replaces its earlier copy.
 *
 * <p>Bounded: each letter keeps at most {@link #MAX_DATA_BYTES} of its data (the rest is cut and the
 * letter says so), and a TTL index on {@code received_at} removes letters after {@link #KEPT}.
 * {@code dead_letter_totals} counts every letter received and truncated, so what expired is
 * received minus stored.
 */
public final class DeadLetterStore {

    /** Enough for any of the pipeline's events and a webhook's PR: a dead letter is read, not replayed in bulk. */
    public static final int MAX_DATA_BYTES = 64 * 1024;
    public static final Duration KEPT = Duration.ofDays(30);

    private final MongoCollection<Document> collection;
    private final MongoCollection<Document> totals;
    private final Clock clock;

    public DeadLetterStore(MongoDatabase database, Clock clock) {
        this.collection = database.getCollection("dead_letters");
        this.totals = database.getCollection("dead_letter_totals");
        this.clock = clock;
    }

    /** Creates the TTL index; safe to call on every start. */
    public DeadLetterStore ensureIndexes() {
        collection.createIndex(Indexes.ascending("received_at"),
                new IndexOptions().name("expire").expireAfter(KEPT.toSeconds(), TimeUnit.SECONDS));
        return this;
    }

    /**
     * Counts so far.
     *
     * @param received  letters received (first copies)
     * @param truncated of them, those whose data was cut
     * @param stored    letters in the collection now
     */
    public record Totals(long received, long truncated, long stored) {

        /** Letters removed by the TTL index. */
        public long expired() {
            return Math.max(0, received - stored);
        }
    }

    public void record(CloudEvent event) {
        byte[] data = event.getData() == null ? null : event.getData().toBytes();
        boolean truncated = data != null && data.length > MAX_DATA_BYTES;
        Document d = new Document("_id", event.getSource() + " " + event.getId())
                .append("type", event.getType())
                .append("source", event.getSource().toString())
                .append("id", event.getId())
                .append("subject", event.getSubject())
                .append("error_code", extension(event, "knativeerrorcode"))
                .append("error_destination", extension(event, "knativeerrordest"))
                .append("error_data", decoded(extension(event, "knativeerrordata")))
                .append("data", data == null ? null
                        : new String(truncated ? Arrays.copyOf(data, MAX_DATA_BYTES) : data, StandardCharsets.UTF_8))
                .append("data_bytes", data == null ? 0 : data.length)
                .append("data_truncated", truncated)
                .append("received_at", Date.from(clock.instant()));
        boolean first = collection.replaceOne(Filters.eq("_id", d.get("_id")), d, new ReplaceOptions().upsert(true))
                .getUpsertedId() != null;
        if (first) {
            totals.updateOne(Filters.eq("_id", "totals"), Updates.combine(Updates.inc("received", 1L),
                    Updates.inc("truncated", truncated ? 1L : 0L)), new UpdateOptions().upsert(true));
        }
    }

    public long count() {
        return collection.countDocuments();
    }

    public Totals totals() {
        Document t = totals.find(Filters.eq("_id", "totals")).first();
        return new Totals(t == null ? 0 : t.get("received", Number.class).longValue(),
                t == null ? 0 : t.get("truncated", Number.class).longValue(), collection.estimatedDocumentCount());
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
            byte[] bytes = Base64.getDecoder().decode(base64);
            return new String(bytes.length > MAX_DATA_BYTES ? Arrays.copyOf(bytes, MAX_DATA_BYTES) : bytes,
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return base64.length() > MAX_DATA_BYTES ? base64.substring(0, MAX_DATA_BYTES) : base64;
        }
    }
}
