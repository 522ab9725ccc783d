package dev.prsentinel.core.secrets;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Secrets from the environment, one variable per key in capitals (mongodb_uri is MONGODB_URI): the
 * embedded runtime, tests, and anyone running a function by hand. Nothing rotates here, so
 * {@link #refreshNow()} finds nothing new.
 */
public final class EnvironmentSecrets implements Secrets {

    private final Map<String, String> env;

    public EnvironmentSecrets(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** The variable that holds a key. */
    public static String variable(String key) {
        return key.toUpperCase(Locale.ROOT);
    }

    @Override
    public String require(String key) {
        return find(key).orElseThrow(() -> new MissingSecret(key, variable(key) + " is not set"));
    }

    @Override
    public Optional<String> find(String key) {
        String value = env.get(variable(key));
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    @Override
    public boolean refreshNow() {
        return false;
    }

    @Override
    public void onChange(Runnable listener) {
        // The environment never changes under a running process.
    }

    @Override
    public String describe() {
        return "the environment";
    }

    @Override
    public void close() {
        // Nothing held.
    }
}
