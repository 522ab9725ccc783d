package dev.prsentinel.core.testing;

import com.sun.net.httpserver.HttpServer;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.secrets.DevTokens;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stands in for Kubernetes' side of a service-account login, for OpenBao's kubernetes and jwt auth
 * methods: it issues RS256 service-account tokens from a key pair made here, and answers the
 * TokenReview API OpenBao's kubernetes auth calls to check them. A stub, not the kube-apiserver,
 * because the only call OpenBao makes is that one POST and a real API server needs a build of its
 * own (the GitOps issue's job); it reviews exactly as the API server does for these tokens: known
 * means authenticated, as the account in its {@code sub}.
 */
public final class ServiceAccountIssuer implements AutoCloseable {

    public static final String AUDIENCE = "vault";

    private final DevTokens tokens = new DevTokens();
    private final HttpServer server;
    private final Map<String, String> issued = new ConcurrentHashMap<>();

    public ServiceAccountIssuer() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/apis/authentication.k8s.io/v1/tokenreviews", exchange -> {
            Map<?, ?> review = Json.mapper().readValue(exchange.getRequestBody(), Map.class);
            String token = String.valueOf(((Map<?, ?>) review.get("spec")).get("token"));
            String subject = issued.get(token);
            Map<String, Object> status = new LinkedHashMap<>();
            if (subject != null) {
                String[] parts = subject.split(":");
                status.put("authenticated", true);
                status.put("user", Map.of("username", subject, "uid", "uid-" + parts[3],
                        "groups", java.util.List.of("system:serviceaccounts", "system:serviceaccounts:" + parts[2])));
                status.put("audiences", java.util.List.of(AUDIENCE));
            } else {
                status.put("authenticated", false);
                status.put("error", "token is not valid");
            }
            byte[] body = Json.mapper().writeValueAsBytes(Map.of("apiVersion", "authentication.k8s.io/v1",
                    "kind", "TokenReview", "status", status));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(201, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    /** The TokenReview API's host, for auth/kubernetes/config's kubernetes_host. */
    public String host() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The public key in PEM, for auth/jwt/config's jwt_validation_pubkeys. */
    public String publicKeyPem() {
        return tokens.publicKeyPem();
    }

    /** A token for namespace/account, valid for an hour, as the kubelet projects one. */
    public String token(String namespace, String account) {
        String jwt = tokens.token(namespace, account, AUDIENCE, java.time.Duration.ofHours(1));
        issued.put(jwt, "system:serviceaccount:" + namespace + ":" + account);
        return jwt;
    }

    /** Writes a token to a file, as the projected volume holds it. */
    public Path tokenFile(Path dir, String namespace, String account) throws Exception {
        Path file = dir.resolve(namespace + "-" + account + ".jwt");
        Files.writeString(file, token(namespace, account));
        return file;
    }

    /**
     * A self-signed CA certificate in PEM, made with the JDK's keytool: OpenBao requires
     * kubernetes_ca_cert once disable_local_ca_jwt is set, though this stub speaks plain http.
     */
    public static String caCertificatePem(Path dir) throws IOException, InterruptedException {
        Path store = dir.resolve("ca.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=test-ca",
                "-ext", "bc:c", "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass",
                "changeit");
        Path pem = dir.resolve("ca.pem");
        run(keytool, "-exportcert", "-rfc", "-alias", "ca", "-keystore", store.toString(), "-storepass", "changeit",
                "-file", pem.toString());
        return Files.readString(pem);
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
