package dev.prsentinel.core.secrets;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoSecurityException;
import dev.prsentinel.core.tracking.MlflowClient;

/**
 * A dependency refused the credentials it was given: the signal to re-read the secrets at once and
 * retry the call once ({@link Rotating#use}). Adapters throw it where they recognise the refusal
 * (ingest's GitHub client on a 401); {@link #in} also recognises the MongoDB driver's and MLflow's
 * own exceptions, so the event endpoint can pass them up instead of answering 503 itself.
 */
public final class CredentialsRefused extends RuntimeException {

    /** MongoDB's AuthenticationFailed. */
    private static final int MONGO_AUTHENTICATION_FAILED = 18;

    public CredentialsRefused(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether a failure, or one of its causes, is a refusal of credentials. */
    public static boolean in(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CredentialsRefused || t instanceof MongoSecurityException) {
                return true;
            }
            if (t instanceof MongoCommandException c && c.getErrorCode() == MONGO_AUTHENTICATION_FAILED) {
                return true;
            }
            if (t instanceof MlflowClient.MlflowException m && (m.status() == 401 || m.status() == 403)) {
                return true;
            }
        }
        return false;
    }

    /** The failure as a refusal, with a message that names the dependency and nothing secret. */
    public static CredentialsRefused of(String dependency, Throwable e) {
        return e instanceof CredentialsRefused r ? r
                : new CredentialsRefused(dependency + " refused this function's credentials", e);
    }
}
