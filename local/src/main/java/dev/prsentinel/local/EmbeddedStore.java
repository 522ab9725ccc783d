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
 * Opening it first checks the file and repairs what a killed run left half-written ({@link StoreCheck}).
 */
public final class EmbeddedStore implements AutoCloseable {

    private final MongoServer server;
    private final MongoClient client;
    private final MongoSettings settings;
    private final StoreCheck.Report lastCheck;

    public EmbeddedStore(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve("store.mv");
        StoreCheck.Report check = StoreCheck.run(file);
        if (check.repaired()) {
            LoggerFactory.getLogger(EmbeddedStore.class).warn("the store at {} was left mid-write (a killed run): "
                    + "removed {} half-written record(s) and {} index entr(ies) of {} documents; run the import, "
                    + "sync or demo again to store them whole", file, check.orphanDocuments(),
                    check.orphanIndexEntries(), check.documents());
        }
        lastCheck = check;
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
    }
}
