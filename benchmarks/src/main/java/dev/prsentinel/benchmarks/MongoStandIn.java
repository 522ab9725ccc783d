package dev.prsentinel.benchmarks;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A MongoDB-protocol server in memory (mongo-java-server) for the cold-start script: no MongoDB
 * server can be installed here, and the functions it starts must reach a store to come up.
 * Writes its port to the file given, then serves until killed.
 */
public final class MongoStandIn {

    private MongoStandIn() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        MongoServer server = new MongoServer(new MemoryBackend());
        int port = server.bind().getPort();
        Files.writeString(Path.of(args[0]), Integer.toString(port));
        Thread.currentThread().join();
    }
}
