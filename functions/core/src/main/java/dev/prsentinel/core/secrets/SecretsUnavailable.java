package dev.prsentinel.core.secrets;

/** The secret source could not be reached or refused this function: the message says which and why. */
public final class SecretsUnavailable extends RuntimeException {

    public SecretsUnavailable(String message) {
        super(message);
    }
}
