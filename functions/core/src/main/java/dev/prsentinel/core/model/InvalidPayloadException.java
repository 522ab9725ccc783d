package dev.prsentinel.core.model;

/** Input that cannot be accepted; the message names the offending field and says why. */
public class InvalidPayloadException extends RuntimeException {

    private final String field;

    public InvalidPayloadException(String field, String reason) {
        super(field + ": " + reason);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
