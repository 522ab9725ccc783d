package dev.prsentinel.ingest;

import dev.prsentinel.core.http.EventSink;
import dev.prsentinel.core.events.SyncRequested;
import dev.prsentinel.ingest.github.BackfillResult;
import dev.prsentinel.ingest.github.GitHubBackfill;
import io.cloudevents.CloudEvent;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs backfills off the request thread, one at a time (parallel backfills would only spend the
 * same GitHub budget faster), and posts each repository's pr.ingested to the sink. A repository
 * already queued or running is not queued again: the running pass will see the same changes.
 */
public final class SyncJobs implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SyncJobs.class);

    /** One repository's backfill: {@link GitHubBackfill#run}, on the store the function holds now. */
    @FunctionalInterface
    public interface Backfills {
        BackfillResult run(String repo, java.time.Instant since, java.util.function.Consumer<BackfillResult> progress);
    }

    private final Backfills backfill;
    private final EventSink sink;
    private final Clock clock;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ingest-sync");
        t.setDaemon(true);
        return t;
    });
    private final Set<String> pending = ConcurrentHashMap.newKeySet();

    public SyncJobs(GitHubBackfill backfill, EventSink sink, Clock clock) {
        this(backfill::run, sink, clock);
    }

    public SyncJobs(Backfills backfill, EventSink sink, Clock clock) {
        this.backfill = backfill;
        this.sink = sink;
        this.clock = clock;
    }

    /** Queues a backfill of each named repository; returns at once. */
    public Future<?> submit(CloudEvent cause, SyncRequested request) {
        Set<String> queued = ConcurrentHashMap.newKeySet();
        for (String repo : request.repos()) {
            if (pending.add(repo)) {
                queued.add(repo);
            } else {
                LOG.info("backfill of {} already queued; not queued again", repo);
            }
        }
        return executor.submit(() -> {
            for (String repo : request.repos()) {
                if (!queued.contains(repo)) {
                    continue;
                }
                try {
                    BackfillResult result = backfill.run(repo, request.since(), partial -> LOG.info(
                            "backfill of {}: {} listed, {} fetched", repo, partial.listed(), partial.detailFetches()));
                    LOG.info("backfill of {} {}: {} listed, {} fetched, {} API calls, {} inserted, {} updated", repo,
                            result.status(), result.listed(), result.detailFetches(), result.apiCalls(),
                            result.stored().inserted(), result.stored().updated());
                    IngestHandlers.ingested(cause, repo, result.stored(), clock).ifPresent(sink::send);
                } catch (RuntimeException e) {
                    LOG.error("backfill of {} failed", repo, e);
                } finally {
                    pending.remove(repo);
                }
            }
        });
    }

    @Override
    public void close() throws InterruptedException {
        executor.shutdown();
        if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
            executor.shutdownNow();
        }
    }
}
