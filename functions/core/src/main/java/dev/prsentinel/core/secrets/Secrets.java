package dev.prsentinel.core.secrets;

import java.util.Map;
import java.util.Optional;

/**
 * Where a function's credentials come from. In a cluster that is Vault (or OpenBao) only: the
 * container holds VAULT_ADDR, VAULT_ROLE and VAULT_SECRET_PATH and nothing secret besides
 * ({@link VaultSecrets}). On one machine it is the environment ({@link EnvironmentSecrets}): the
 * embedded runtime's parts hold no secrets, so it needs no Vault.
 *
 * <p>Values are read each time they are needed, never copied into a long-lived field: a rotated
 * secret then reaches the next call without a restart. A consumer whose credentials were refused
 * (GitHub 401, a MongoDB authentication error, MLflow 401/403) calls {@link #refreshNow()} and
 * retries once; clients built from a value rebuild when {@link #onChange} says it moved.
 */
public interface Secrets extends AutoCloseable {

    /** The store's connection string, credentials included. */
    String MONGODB_URI = "mongodb_uri";
    /** The GitHub token the backfill calls the API with. */
    String GITHUB_TOKEN = "github_token";
    /** The secret GitHub signs webhook deliveries with. */
    String GITHUB_WEBHOOK_SECRET = "github_webhook_secret";
    /** MLflow's tracking server; may carry no credentials of its own, those are the keys below. */
    String MLFLOW_TRACKING_URI = "mlflow_tracking_uri";
    /** MLflow basic auth (mlflow server --app-name basic-auth), or a bearer token in front of it. */
    String MLFLOW_TRACKING_USERNAME = "mlflow_tracking_username";
    String MLFLOW_TRACKING_PASSWORD = "mlflow_tracking_password";
    String MLFLOW_TRACKING_TOKEN = "mlflow_tracking_token";
    /** The object store's keys (S3 API) where feature sets and artifacts live. */
    String S3_ACCESS_KEY = "s3_access_key";
    String S3_SECRET_KEY = "s3_secret_key";

    /**
     * The current value of a key.
     *
     * @throws MissingSecret naming the key and where it was looked for (never a value)
     * @throws SecretsUnavailable when the source cannot be reached and nothing was read before
     */
    String require(String key);

    /** The current value of an optional key. */
    Optional<String> find(String key);

    /**
     * Re-reads at once, after a consumer's credentials were refused.
     *
     * @return whether any value changed (listeners have run by then, so a retry sees new clients)
     * @throws SecretsUnavailable when the source cannot be reached
     */
    boolean refreshNow();

    /** Runs after every read that changed a value; a listener must not throw. */
    void onChange(Runnable listener);

    /** Where values come from, for messages: never a value. */
    String describe();

    /** Gives up what the source holds (a Vault token is revoked). */
    @Override
    void close();

    /**
     * Vault when VAULT_ADDR is set, else the environment.
     *
     * @throws IllegalStateException naming the variable when VAULT_ADDR is set without the others
     */
    static Secrets fromEnvironment(Map<String, String> env) {
        String addr = env.get("VAULT_ADDR");
        if (addr != null && !addr.isBlank()) {
            return new VaultSecrets(VaultSettings.fromEnvironment(env));
        }
        return new EnvironmentSecrets(env);
    }
}
