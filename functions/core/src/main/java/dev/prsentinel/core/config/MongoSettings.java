package dev.prsentinel.core.config;

import java.util.Map;

/**
 * Where the MongoDB store is: the one place a connection string comes from. Today it is the
 * environment or the embedded runtime; the Vault-backed implementation plugs in here, which is
 * why callers ask for the string each time they connect instead of keeping a copy.
 */
public interface MongoSettings {

    /** A mongodb:// connection string, credentials included. */
    String connectionString();

    /** The database holding the pipeline's collections. */
    String database();

    static MongoSettings of(String connectionString, String database) {
        return new MongoSettings() {
            @Override
            public String connectionString() {
                return connectionString;
            }

            @Override
            public String database() {
                return database;
            }
        };
    }

    /**
     * Reads MONGODB_URI and MONGODB_DATABASE (default "prsentinel").
     *
     * @throws IllegalStateException naming the variable when MONGODB_URI is unset
     */
    static MongoSettings fromEnvironment(Map<String, String> env) {
        String uri = env.get("MONGODB_URI");
        if (uri == null || uri.isBlank()) {
            throw new IllegalStateException("MONGODB_URI is not set: no MongoDB store to connect to");
        }
        return of(uri, env.getOrDefault("MONGODB_DATABASE", "prsentinel"));
    }
}
