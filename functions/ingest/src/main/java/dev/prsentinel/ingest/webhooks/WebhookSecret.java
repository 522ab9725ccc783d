package dev.prsentinel.ingest.webhooks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import dev.prsentinel.core.secrets.EnvironmentSecrets;
import dev.prsentinel.core.secrets.Secrets;
import java.util.function.Supplier;

/**
 * Where the webhook secret comes from: in a cluster, Vault (key github_webhook_secret of the
 * receiver's own secret), read per delivery from the values core/secrets keeps current, so a
 * rotated secret applies at once; a delivery whose signature does not match has the secret re-read
 * once ({@link #refresh()}), for the moment between GitHub signing with a new secret and the next
 * scheduled check. On one machine, GITHUB_WEBHOOK_SECRET (the same key, from the environment), or
 * a file (GITHUB_WEBHOOK_SECRET_FILE) re-read when its modification time moves.
 */
public final class WebhookSecret implements Supplier<WebhookSignature> {

    private final Path file;
    private final Secrets secrets;
    private volatile FileTime seen;
    private volatile String value;
    private volatile WebhookSignature current;

    private WebhookSecret(Path file, Secrets secrets) {
        this.file = file;
        this.secrets = secrets;
    }

    /**
     * The file when GITHUB_WEBHOOK_SECRET_FILE is set, else the secrets. From the environment the
     * key must be there at start; from Vault it may come later (the receiver is not ready until then).
     *
     * @throws IllegalStateException naming the variables when neither is set, or the file cannot be read
     */
    public static WebhookSecret from(Map<String, String> env, Secrets secrets) {
        String path = env.get("GITHUB_WEBHOOK_SECRET_FILE");
        if (path != null && !path.isBlank()) {
            return fromEnvironment(env);
        }
        WebhookSecret s = new WebhookSecret(null, secrets);
        if (secrets instanceof EnvironmentSecrets && !s.available()) {
            throw new IllegalStateException("neither GITHUB_WEBHOOK_SECRET_FILE nor GITHUB_WEBHOOK_SECRET is set: the "
                    + "webhook receiver cannot verify deliveries (INGEST_ROUTES=events runs ingest without it)");
        }
        return s;
    }

    /** Whether the secret can be read now: the receiver's readiness. */
    public boolean available() {
        try {
            get();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Re-reads the secret after a signature that did not match; whether it changed. */
    public boolean refresh() {
        if (secrets == null) {
            return false;
        }
        try {
            return secrets.refreshNow();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * @throws IllegalStateException naming the variable when neither is set, or the file cannot be read
     */
    public static WebhookSecret fromEnvironment(Map<String, String> env) {
        String path = env.get("GITHUB_WEBHOOK_SECRET_FILE");
        if (path != null && !path.isBlank()) {
            WebhookSecret s = new WebhookSecret(Path.of(path), null);
            s.get();
            return s;
        }
        return from(env, new EnvironmentSecrets(env));
    }

    @Override
    public WebhookSignature get() {
        if (file == null) {
            String now = secrets.require(Secrets.GITHUB_WEBHOOK_SECRET);
            if (!now.equals(value)) {
                current = new WebhookSignature(now);
                value = now;
            }
            return current;
        }
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            if (current == null || !modified.equals(seen)) {
                String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
                current = new WebhookSignature(secret);
                seen = modified;
            }
            return current;
        } catch (IOException | IllegalArgumentException e) {
            if (current != null) {
                return current;
            }
            throw new IllegalStateException("the webhook secret file " + file + " cannot be read or is empty");
        }
    }
}
