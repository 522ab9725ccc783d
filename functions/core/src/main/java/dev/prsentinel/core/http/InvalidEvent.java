package dev.prsentinel.core.http;

/**
 * A request that is not an acceptable CloudEvent: {@link #status()} is 400 for a broken rule of the
 * spec, 415 for a content type the mode cannot carry. The message names the attribute and the rule.
 */
public final class InvalidEvent extends RuntimeException {

    private final int status;

    public InvalidEvent(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    static InvalidEvent bad(String reason) {
        return new InvalidEvent(400, reason);
    }
}
