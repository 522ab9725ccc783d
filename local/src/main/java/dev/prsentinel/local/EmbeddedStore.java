package dev.prsentinel.local;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import dev.prsentinel.core.config.MongoSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * The embedded MongoDB-protocol store: mongo-java-server with its H2 backend, persisted in one
 * file under the data directory, so a second run keeps the first run's state. The functions reach
 * it through the real MongoDB driver on a loopback port, exactly as they reach MongoDB in a cluster.
 * Opening it after a run that did not close it checks the file and repairs what that run left
 * half-written ({@link StoreCheck}).
 */
public final class EmbeddedStore implements AutoCloseable {

    private final MongoServer server;
    private final MongoClient client;
    private final MongoSettings settings;
    private final StoreCheck.Report lastCheck;
    private final Path marker;

    /** Present while a run has the store open: left behind, it says the last run did not close it. */
    static final String OPEN_MARKER = "store.open";

    public EmbeddedStore(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve("store.mv");
        marker = dataDir.resolve(OPEN_MARKER);
        // Only a run that did not close the store can have left it half-written; checking reads every
        // document (17 s for the 280k of the pullreqs file), so a clean store is not checked.
        StoreCheck.Report check = Files.exists(marker) ? StoreCheck.run(file) : StoreCheck.Report.NONE;
        if (check.repaired()) {
            LoggerFactory.getLogger(EmbeddedStore.class).warn("the store at {} was left mid-write (a killed run): "
                    + "removed {} half-written record(s) and {} index entr(ies) of {} documents; run the import, "
                    + "sync or demo again to store them whole", file, check.orphanDocuments(),
                    check.orphanIndexEntries(), check.documents());
        }
        lastCheck = check;
        Files.writeString(marker, Long.toString(ProcessHandle.current().pid()));
        server = new MongoServer(new H2Backend(file.toString()));
        String uri = "mongodb://127.0.0.1:" + server.bind().getPort();
        settings = MongoSettings.of(uri, "prsentinel");
        client = MongoClients.create(uri);
    }

    /** What the check on opening found and repaired. */
    StoreCheck.Report check() {
        return lastCheck;
    }

    public MongoSettings settings() {
        return settings;
    }

    public MongoClient client() {
        return client;
    }

    @Override
    public void close() {
        client.close();
        server.shutdown();
        try {
            Files.deleteIfExists(marker);
        } catch (IOException e) {
            LoggerFactory.getLogger(EmbeddedStore.class).warn("cannot remove {}: the next run checks the store",
                    marker);
        }
    }
}
