package dev.prsentinel.ingest.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * GitHub's webhook signature: {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>}
 * keyed with the webhook's secret. Compared in constant time, so a forger learns nothing from how
 * long a wrong guess took. The SHA-1 {@code X-Hub-Signature} GitHub also sends is not accepted.
 */
public final class WebhookSignature {

    public static final String HEADER = "X-Hub-Signature-256";
    private static final String PREFIX = "sha256=";

    private final SecretKeySpec key;

    /** @param secret the webhook secret; not empty */
    public WebhookSignature(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("the webhook secret is empty");
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** The header value GitHub would send for this body. */
    public String sign(byte[] body) {
        return PREFIX + HexFormat.of().formatHex(mac(body));
    }

    /**
     * Checks a delivery's signature header.
     *
     * @return empty when it is valid, else why not (for the 401's reason; never the expected value)
     */
    public Optional<String> verify(String header, byte[] body) {
        if (header == null) {
            return Optional.of(HEADER + " is missing: set a secret on the webhook");
        }
        if (!header.startsWith(PREFIX)) {
            return Optional.of(HEADER + " must be sha256=<64 hex digits>; other algorithms are not accepted");
        }
        String hex = header.substring(PREFIX.length());
        byte[] given;
        try {
            given = HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            return Optional.of(HEADER + " must be sha256=<64 hex digits>");
        }
        if (given.length != 32) {
            return Optional.of(HEADER + " must be sha256=<64 hex digits>");
        }
        return MessageDigest.isEqual(given, mac(body)) ? Optional.empty()
                : Optional.of(HEADER + " does not match the body: wrong secret, or the body was altered");
    }

    private byte[] mac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", e);
        }
    }
}
