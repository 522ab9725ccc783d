package dev.prsentinel.core.secrets;

import dev.prsentinel.core.Json;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RS256 tokens shaped like Kubernetes' projected service-account tokens, signed with a key pair made
 * here: what OpenBao's JWT auth checks on one machine ({@code demo --vault}) and in the tests, where
 * no kubelet issues them. The public key goes to auth/jwt/config's jwt_validation_pubkeys.
 */
public final class DevTokens {

    private final KeyPair keys;

    public DevTokens() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            keys = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no RSA key pair generator in this JVM", e);
        }
    }

    /** The public key in PEM. */
    public String publicKeyPem() {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(keys.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    /** A token for namespace/account with the given audience, valid for {@code ttl}. */
    public String token(String namespace, String account, String audience, Duration ttl) {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", "https://kubernetes.default.svc");
        claims.put("sub", "system:serviceaccount:" + namespace + ":" + account);
        claims.put("aud", List.of(audience));
        claims.put("iat", now);
        claims.put("nbf", now);
        claims.put("exp", now + ttl.toSeconds());
        claims.put("kubernetes.io", Map.of("namespace", namespace, "serviceaccount",
                Map.of("name", account, "uid", "uid-" + account)));
        try {
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String signingInput = b64.encodeToString(Json.mapper().writeValueAsBytes(Map.of("alg", "RS256",
                    "typ", "JWT"))) + "." + b64.encodeToString(Json.mapper().writeValueAsBytes(claims));
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(keys.getPrivate());
            rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64.encodeToString(rsa.sign());
        } catch (GeneralSecurityException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
    }
}
