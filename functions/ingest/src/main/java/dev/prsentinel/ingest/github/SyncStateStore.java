package dev.prsentinel.ingest.github;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Per-repository backfill state in {@code sync_state}: the high-water mark (newest updated_at
 * fully synced), when the last run started and ended and how, the API calls it spent, and
 * GitHub's remaining budget.
 */
public final class SyncStateStore {

    private final MongoCollection<Document> collection;

    public SyncStateStore(MongoDatabase database) {
        this.collection = database.getCollection("sync_state");
    }

    /**
     * The state of one repository.
     *
     * @param repo             owner/name
     * @param highWaterMark    every PR updated at or before this time was synced; null before the first full run
     * @param rateLimitedUntil runs before this time are deferred; null when not limited
     * @param apiCallsTotal    calls spent over all runs
     */
    public record State(String repo, Instant highWaterMark, Instant rateLimitedUntil, long apiCallsTotal) {
    }

    public Optional<State> find(String repo) {
        Document d = collection.find(Filters.eq("_id", repo)).first();
        return Optional.ofNullable(d).map(doc -> new State(repo, time(doc, "high_water_mark"),
                time(doc, "rate_limited_until"), doc.get("api_calls_total") == null ? 0
                        : ((Number) doc.get("api_calls_total")).longValue()));
    }

    /**
     * Records a finished run.
     *
     * @param status        "complete", "rate_limited" or "failed"
     * @param highWaterMark the new mark, or null to keep the old one
     */
    public void recordRun(String repo, Instant started, Instant finished, String status, String detail,
            Instant highWaterMark, Instant rateLimitedUntil, int calls, int remaining, long resetEpochSeconds) {
        List<Bson> updates = new ArrayList<>();
        updates.add(Updates.set("last_run_started", Date.from(started)));
        updates.add(Updates.set("last_run_finished", Date.from(finished)));
        updates.add(Updates.set("last_status", status));
        updates.add(Updates.set("last_detail", detail));
        updates.add(Updates.set("api_calls_last_run", calls));
        updates.add(Updates.inc("api_calls_total", (long) calls));
        if (remaining >= 0) {
            updates.add(Updates.set("rate_limit_remaining", remaining));
        }
        if (resetEpochSeconds >= 0) {
            updates.add(Updates.set("rate_limit_reset", Date.from(Instant.ofEpochSecond(resetEpochSeconds))));
        }
        if (highWaterMark != null) {
            updates.add(Updates.max("high_water_mark", Date.from(highWaterMark)));
        }
        updates.add(rateLimitedUntil == null ? Updates.unset("rate_limited_until")
                : Updates.set("rate_limited_until", Date.from(rateLimitedUntil)));
        collection.updateOne(Filters.eq("_id", repo), Updates.combine(updates), new UpdateOptions().upsert(true));
    }

    private static Instant time(Document d, String field) {
        Date date = d.getDate(field);
        return date == null ? null : date.toInstant();
    }
}
