package dev.prsentinel.local;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import dev.prsentinel.core.config.MongoSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The embedded MongoDB-protocol store: mongo-java-server with its H2 backend, persisted in one
 * file under the data directory, so a second run keeps the first run's state. The functions reach
 * it through the real MongoDB driver on a loopback port, exactly as they reach MongoDB in a cluster.
 */
public final class EmbeddedStore implements AutoCloseable {

    private final MongoServer server;
    private final MongoClient client;
    private final MongoSettings settings;

    public EmbeddedStore(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        server = new MongoServer(new H2Backend(dataDir.resolve("store.mv").toString()));
        String uri = "mongodb://127.0.0.1:" + server.bind().getPort();
        settings = MongoSettings.of(uri, "prsentinel");
        client = MongoClients.create(uri);
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
