package dev.prsentinel.core.testing;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A MongoDB-protocol server per test (mongo-java-server, in memory), reached through the real
 * driver. A stand-in because no MongoDB server can be installed here; the code under test uses
 * only what both support (no transactions).
 */
public final class EmbeddedMongo implements BeforeEachCallback, AfterEachCallback {

    private MongoServer server;
    private MongoClient client;
    private String connectionString;

    @Override
    public void beforeEach(ExtensionContext context) {
        server = new MongoServer(new MemoryBackend());
        InetSocketAddress address = server.bind();
        connectionString = "mongodb://127.0.0.1:" + address.getPort();
        client = MongoClients.create(connectionString);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        client.close();
        server.shutdownNow();
    }

    public MongoDatabase database() {
        return client.getDatabase("prsentinel");
    }

    public MongoClient client() {
        return client;
    }

    public String connectionString() {
        return connectionString;
    }
}
