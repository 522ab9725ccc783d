package dev.prsentinel.core.config;

import java.util.Map;

/**
 * Where the MongoDB store is: the one place a connection string comes from. In a cluster that is
 * Vault ({@link #fromSecrets}), on one machine the environment or the embedded runtime, which is
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
     * The connection string from the secrets (key mongodb_uri), read at each connect so a rotated one
     * is used by the next client; MONGODB_DATABASE (default "prsentinel") is not secret and comes
     * from the environment.
     */
    static MongoSettings fromSecrets(dev.prsentinel.core.secrets.Secrets secrets, Map<String, String> env) {
        String database = env.getOrDefault("MONGODB_DATABASE", "prsentinel");
        return new MongoSettings() {
            @Override
            public String connectionString() {
                return secrets.require(dev.prsentinel.core.secrets.Secrets.MONGODB_URI);
            }

            @Override
            public String database() {
                return database;
            }
        };
    }
}
