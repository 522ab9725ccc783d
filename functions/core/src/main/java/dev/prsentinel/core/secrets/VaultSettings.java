package dev.prsentinel.core.secrets;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * How a function reaches Vault. Three variables are required; the rest have defaults a manifest
 * rarely changes, and none is secret.
 *
 * @param address    VAULT_ADDR, e.g. https://vault.vault.svc:8200
 * @param role       VAULT_ROLE, the role of the auth method this function logs in as
 * @param secretPath VAULT_SECRET_PATH, a KV v2 secret, e.g. secret/prsentinel/staging/ingest
 * @param method     VAULT_AUTH_METHOD: kubernetes (default) or jwt, the same role model both ways
 * @param authMount  VAULT_AUTH_MOUNT, where that method is mounted (default: its name)
 * @param jwtFile    VAULT_JWT_FILE, the projected service-account token (re-read at each login,
 *                   because the kubelet rotates it)
 * @param caCert     VAULT_CACERT, a PEM file to trust for https, or null for the JVM's trust store
 * @param refresh    VAULT_REFRESH, how often the secret's version is checked (PT30S)
 * @param timeout    VAULT_TIMEOUT, connect and read timeout of each call (PT5S)
 */
public record VaultSettings(String address, String role, String secretPath, String method, String authMount,
        Path jwtFile, Path caCert, Duration refresh, Duration timeout) {

    /** Where the manifests project a service-account token with the audience "vault". */
    public static final String DEFAULT_JWT_FILE = "/var/run/secrets/vault/token";

    public VaultSettings {
        if (!method.equals("kubernetes") && !method.equals("jwt")) {
            throw new IllegalStateException("VAULT_AUTH_METHOD must be kubernetes or jwt, not " + method);
        }
        secretPath = strip(secretPath);
        if (!secretPath.contains("/")) {
            throw new IllegalStateException("VAULT_SECRET_PATH must be <kv mount>/<path>, e.g. "
                    + "secret/prsentinel/staging/ingest, not " + secretPath);
        }
    }

    /**
     * @throws IllegalStateException naming the first missing variable
     */
    public static VaultSettings fromEnvironment(Map<String, String> env) {
        String method = env.getOrDefault("VAULT_AUTH_METHOD", "kubernetes").toLowerCase(Locale.ROOT);
        String ca = env.get("VAULT_CACERT");
        return new VaultSettings(required(env, "VAULT_ADDR"), required(env, "VAULT_ROLE"),
                required(env, "VAULT_SECRET_PATH"), method, strip(env.getOrDefault("VAULT_AUTH_MOUNT", method)),
                Path.of(env.getOrDefault("VAULT_JWT_FILE", DEFAULT_JWT_FILE)),
                ca == null || ca.isBlank() ? null : Path.of(ca),
                Duration.parse(env.getOrDefault("VAULT_REFRESH", "PT30S")),
                Duration.parse(env.getOrDefault("VAULT_TIMEOUT", "PT5S")));
    }

    /** The KV v2 mount: the path's first segment. */
    public String kvMount() {
        return secretPath.substring(0, secretPath.indexOf('/'));
    }

    /** The secret's path inside its mount. */
    public String kvPath() {
        return secretPath.substring(secretPath.indexOf('/') + 1);
    }

    private static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is not set: VAULT_ADDR, VAULT_ROLE and VAULT_SECRET_PATH go "
                    + "together");
        }
        return value.strip();
    }

    private static String strip(String path) {
        String p = path.strip();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }
}
