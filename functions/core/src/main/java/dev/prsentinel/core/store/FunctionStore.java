package dev.prsentinel.core.store;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.prsentinel.core.config.MongoSettings;
import dev.prsentinel.core.config.Redact;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A function's connection to the store, with deadlines well inside a request's: the driver's
 * defaults (30 s to select a server, no read timeout) held every worker while MongoDB was away and
 * let Knative cut requests at 10 s before the broker saw the 503 it should retry on. Batch jobs
 * (the Spark job, the training) keep the driver's defaults: their queries may run long.
 *
 * <p>It also watches the store: {@link #reachable()} is what readiness reports for functions whose
 * routes need it, from a ping every {@link #PING_EVERY} on a thread of its own, so a probe never
 * waits for the store.
 */
public final class FunctionStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FunctionStore.class);
    public static final Duration SERVER_SELECTION = Duration.ofSeconds(3);
    public static final Duration CONNECT = Duration.ofSeconds(2);
    public static final Duration READ = Duration.ofSeconds(5);
    public static final Duration PING_EVERY = Duration.ofSeconds(2);

    private final MongoClient client;
    private final String database;
    private final Thread watcher;
    private final Runnable onRefused;
    private volatile boolean reachable = true;
    private volatile String problem;

    private FunctionStore(MongoClient client, String database, boolean watch, Runnable onRefused) {
        this.client = client;
        this.database = database;
        this.onRefused = onRefused;
        if (watch) {
            watcher = new Thread(this::watch, "store-ping");
            watcher.setDaemon(true);
            watcher.start();
        } else {
            watcher = null;
        }
    }

    /** A client with the deadlines above; with {@code watch}, readiness follows the store. */
    public static FunctionStore connect(MongoSettings settings, boolean watch) {
        return connect(settings, watch, null);
    }

    /**
     * As above; {@code onRefused} runs when a ping is refused for its credentials (a rotated password):
     * the secrets are re-read then, not at the next scheduled check.
     */
    public static FunctionStore connect(MongoSettings settings, boolean watch, Runnable onRefused) {
        MongoClientSettings s = MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(settings.connectionString()))
                .applyToClusterSettings(b -> b.serverSelectionTimeout(SERVER_SELECTION.toMillis(),
                        TimeUnit.MILLISECONDS))
                .applyToSocketSettings(b -> b.connectTimeout((int) CONNECT.toMillis(), TimeUnit.MILLISECONDS)
                        .readTimeout((int) READ.toMillis(), TimeUnit.MILLISECONDS))
                .build();
        return new FunctionStore(MongoClients.create(s), settings.database(), watch, onRefused);
    }

    public MongoClient client() {
        return client;
    }

    /** Whether the last ping reached the store (true until the first one says otherwise). */
    public boolean reachable() {
        return reachable;
    }

    /** Why the store is not reachable, without credentials; null when it is. */
    public String problem() {
        return reachable ? null : problem;
    }

    private void watch() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                client.getDatabase(database).runCommand(new Document("ping", 1));
                if (!reachable) {
                    LOG.info("the store is reachable again");
                }
                reachable = true;
            } catch (RuntimeException e) {
                if (reachable) {
                    LOG.warn("the store is unreachable: {}; not ready until it answers", Redact.cause(e));
                }
                problem = Redact.cause(e);
                reachable = false;
                if (onRefused != null && dev.prsentinel.core.secrets.CredentialsRefused.in(e)) {
                    onRefused.run();
                }
            }
            try {
                Thread.sleep(PING_EVERY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.interrupt();
        }
        client.close();
    }
}
