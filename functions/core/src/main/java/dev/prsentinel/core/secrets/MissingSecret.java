package dev.prsentinel.core.secrets;

/** A key a function needs is not where it should be: the message names the key and the path, never a value. */
public final class MissingSecret extends RuntimeException {

    private final String key;

    public MissingSecret(String key, String message) {
        super(message);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
