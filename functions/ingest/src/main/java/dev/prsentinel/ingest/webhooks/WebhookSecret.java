package dev.prsentinel.ingest.webhooks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Where the webhook secret comes from: a file (GITHUB_WEBHOOK_SECRET_FILE, a mounted Secret that
 * Kubernetes rewrites in place when it changes), re-read when its modification time moves, so a
 * rotated secret is used without a restart; or GITHUB_WEBHOOK_SECRET on one machine. The Vault
 * issue replaces both with a read from Vault.
 */
public final class WebhookSecret implements Supplier<WebhookSignature> {

    private final Path file;
    private volatile FileTime seen;
    private volatile WebhookSignature current;

    private WebhookSecret(Path file, WebhookSignature fixed) {
        this.file = file;
        this.current = fixed;
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
        String secret = env.get("GITHUB_WEBHOOK_SECRET");
        if (secret == null || secret.isEmpty()) {
            throw new IllegalStateException("neither GITHUB_WEBHOOK_SECRET_FILE nor GITHUB_WEBHOOK_SECRET is set: the "
                    + "webhook receiver cannot verify deliveries (INGEST_ROUTES=events runs ingest without it)");
        }
        return new WebhookSecret(null, new WebhookSignature(secret));
    }

    @Override
    public WebhookSignature get() {
        if (file == null) {
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
