package dev.prsentinel.core.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prsentinel.core.testing.LogCapture;
import dev.prsentinel.core.testing.Need;
import dev.prsentinel.core.testing.Needs;
import dev.prsentinel.core.testing.OpenBao;
import dev.prsentinel.core.testing.ServiceAccountIssuer;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * core/secrets against a real OpenBao (bao server -dev), configured by the project's own
 * knative/vault/bootstrap.sh, with Kubernetes auth checking tokens through a TokenReview stand-in
 * ({@link ServiceAccountIssuer} says why) and JWT auth with a key pair made here. Every log line
 * the runs write is grepped for the secret values and the tokens at the end.
 */
@Needs(Need.OPENBAO)
class VaultSecretsIT {

    private static final String NAMESPACE = "prsentinel-staging";
    private static final String MONGO = "mongodb://score:s3cr3t-mongo-pw@db.example:27017/prsentinel";
    private static final String MLFLOW_PASSWORD = "mlflow-pw-71c2";
    private static final List<String> SECRET_VALUES = new ArrayList<>(List.of(MONGO, "s3cr3t-mongo-pw",
            MLFLOW_PASSWORD));

    private static LogCapture logs;
    private static ServiceAccountIssuer issuer;
    private static dev.prsentinel.core.secrets.OpenBaoDevServer bao;
    private static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        logs = new LogCapture();
        dir = OpenBao.tempDir();
        issuer = new ServiceAccountIssuer();
        bao = OpenBao.start(0);
        SECRET_VALUES.add(bao.rootToken());
        bootstrap(bao);
        bao.putSecret("prsentinel/staging/score", Map.of(Secrets.MONGODB_URI, MONGO,
                Secrets.MLFLOW_TRACKING_PASSWORD, MLFLOW_PASSWORD));
    }

    @AfterAll
    static void tearDown() {
        if (bao != null) {
            bao.close();
        }
        if (issuer != null) {
            issuer.close();
        }
        if (logs != null) {
            logs.close();
            logs.assertHoldsNone(SECRET_VALUES, "logged in to Vault at");
        }
    }

    private static void bootstrap(dev.prsentinel.core.secrets.OpenBaoDevServer server) throws Exception {
        OpenBao.bootstrap(server, issuer, dir);
    }

    private static Map<String, String> env(String role, String path, Path jwt) {
        Map<String, String> env = new HashMap<>();
        env.put("VAULT_ADDR", bao.address());
        env.put("VAULT_ROLE", role);
        env.put("VAULT_SECRET_PATH", path);
        env.put("VAULT_JWT_FILE", jwt.toString());
        env.put("VAULT_REFRESH", "PT0.5S");
        return env;
    }

    private static Path token(String account) throws Exception {
        return issuer.tokenFile(dir, NAMESPACE, account);
    }

    @Test
    void kubernetesAuthReadsTheWorkloadsOwnSecretAndNothingElse() throws Exception {
        try (Secrets secrets = Secrets.fromEnvironment(env("prsentinel-staging-score",
                "secret/prsentinel/staging/score", token("score")))) {
            assertThat(secrets).isInstanceOf(VaultSecrets.class);
            assertThat(secrets.require(Secrets.MONGODB_URI)).isEqualTo(MONGO);
            assertThat(secrets.find(Secrets.GITHUB_TOKEN)).isEmpty();
            assertThatThrownBy(() -> secrets.require(Secrets.GITHUB_TOKEN)).isInstanceOf(MissingSecret.class)
                    .hasMessageContaining("github_token").hasMessageContaining("secret/prsentinel/staging/score")
                    .hasMessageNotContaining(MONGO);
        }
        // score's role may not read ingest's secret: the policy is read on its own path only.
        try (Secrets wrongPath = Secrets.fromEnvironment(env("prsentinel-staging-score",
                "secret/prsentinel/staging/ingest", token("score")))) {
            assertThatThrownBy(() -> wrongPath.require(Secrets.MONGODB_URI)).isInstanceOf(SecretsUnavailable.class)
                    .hasMessageContaining("refused role prsentinel-staging-score");
        }
        // The role is bound to its service account: ingest's account cannot log in as score.
        try (Secrets wrongAccount = Secrets.fromEnvironment(env("prsentinel-staging-score",
                "secret/prsentinel/staging/score", token("ingest")))) {
            assertThatThrownBy(() -> wrongAccount.require(Secrets.MONGODB_URI))
                    .isInstanceOf(SecretsUnavailable.class).hasMessageContaining("refused role");
        }
    }

    @Test
    void jwtAuthUsesTheSameRoleModel() throws Exception {
        try {
            bao.call("POST", "sys/auth/jwt", Map.of("type", "jwt"));
        } catch (java.io.IOException alreadyThere) {
            // Enabled by an earlier run of this test in the same server.
        }
        bao.call("POST", "auth/jwt/config", Map.of("jwt_validation_pubkeys", List.of(issuer.publicKeyPem())));
        bao.call("POST", "auth/jwt/role/prsentinel-staging-score", Map.of("role_type", "jwt",
                "bound_audiences", List.of(ServiceAccountIssuer.AUDIENCE), "user_claim", "sub",
                "bound_subject", "system:serviceaccount:" + NAMESPACE + ":score",
                "token_policies", List.of("prsentinel-staging-score"), "token_ttl", "1h"));
        Map<String, String> env = env("prsentinel-staging-score", "secret/prsentinel/staging/score", token("score"));
        env.put("VAULT_AUTH_METHOD", "jwt");
        try (Secrets secrets = Secrets.fromEnvironment(env)) {
            assertThat(secrets.require(Secrets.MLFLOW_TRACKING_PASSWORD)).isEqualTo(MLFLOW_PASSWORD);
        }
        Map<String, String> other = env("prsentinel-staging-score", "secret/prsentinel/staging/score",
                token("ingest"));
        other.put("VAULT_AUTH_METHOD", "jwt");
        try (Secrets secrets = Secrets.fromEnvironment(other)) {
            assertThatThrownBy(() -> secrets.require(Secrets.MONGODB_URI)).isInstanceOf(SecretsUnavailable.class)
                    .hasMessageContaining("refused role");
        }
    }

    @Test
    void aRotatedSecretReachesTheNextCallWithoutARestart() throws Exception {
        bao.putSecret("prsentinel/staging/ingest", Map.of(Secrets.GITHUB_TOKEN, "ghp_old_0001",
                Secrets.MONGODB_URI, MONGO));
        SECRET_VALUES.addAll(List.of("ghp_old_0001", "ghp_new_0002", "ghp_newer_0003"));
        try (VaultSecrets secrets = new VaultSecrets(VaultSettings.fromEnvironment(env("prsentinel-staging-ingest",
                "secret/prsentinel/staging/ingest", token("ingest"))))) {
            AtomicInteger changes = new AtomicInteger();
            secrets.onChange(changes::incrementAndGet);
            assertThat(secrets.require(Secrets.GITHUB_TOKEN)).isEqualTo("ghp_old_0001");
            long first = secrets.version();

            // On the schedule: the version check sees the new version and reads it.
            bao.putSecret("prsentinel/staging/ingest", Map.of(Secrets.GITHUB_TOKEN, "ghp_new_0002",
                    Secrets.MONGODB_URI, MONGO));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (changes.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(changes.get()).isEqualTo(1);
            assertThat(secrets.require(Secrets.GITHUB_TOKEN)).isEqualTo("ghp_new_0002");
            assertThat(secrets.version()).isEqualTo(first + 1);

            // At once, when a consumer reports refused credentials.
            bao.putSecret("prsentinel/staging/ingest", Map.of(Secrets.GITHUB_TOKEN, "ghp_newer_0003",
                    Secrets.MONGODB_URI, MONGO));
            assertThat(secrets.refreshNow()).isTrue();
            assertThat(secrets.require(Secrets.GITHUB_TOKEN)).isEqualTo("ghp_newer_0003");
            assertThat(changes.get()).isEqualTo(2);
        }
    }

    @Test
    void aDeletedKeyIsReportedByNameAndTheLastValueKeepsServingWhatWasBuiltFromIt() throws Exception {
        bao.putSecret("prsentinel/staging/featurize", Map.of(Secrets.MONGODB_URI, MONGO));
        try (VaultSecrets secrets = new VaultSecrets(VaultSettings.fromEnvironment(env(
                "prsentinel-staging-featurize", "secret/prsentinel/staging/featurize", token("featurize"))))) {
            List<String> built = new ArrayList<>();
            Rotating<AutoCloseable> store = Rotating.now("featurize's store", secrets, List.of(Secrets.MONGODB_URI),
                    s -> {
                        built.add(s.require(Secrets.MONGODB_URI));
                        return () -> { };
                    });
            bao.putSecret("prsentinel/staging/featurize", Map.of("unrelated", "x"));
            assertThat(secrets.refreshNow()).isTrue();
            assertThatThrownBy(() -> secrets.require(Secrets.MONGODB_URI)).isInstanceOf(MissingSecret.class)
                    .hasMessageContaining("mongodb_uri").hasMessageContaining("secret/prsentinel/staging/featurize");
            // The rebuild failed, so the client built from the last good value keeps serving.
            assertThat(store.ready()).isTrue();
            assertThat(built).hasSize(1);
            store.close();
        }
    }

    @Test
    void aRevokedTokenLeadsToANewLogin() throws Exception {
        try (VaultSecrets secrets = new VaultSecrets(VaultSettings.fromEnvironment(env("prsentinel-staging-score",
                "secret/prsentinel/staging/score", token("score"))))) {
            secrets.require(Secrets.MONGODB_URI);
            assertThat(secrets.logins()).isEqualTo(1);
            bao.call("POST", "sys/leases/revoke-prefix/auth/kubernetes/login", Map.of());
            Thread.sleep(600);
            secrets.refreshNow();
            assertThat(secrets.logins()).isEqualTo(2);
            assertThat(secrets.require(Secrets.MONGODB_URI)).isEqualTo(MONGO);
        }
    }

    @Test
    void aWrongRoleIsAClearErrorNamingTheRole() throws Exception {
        try (Secrets secrets = Secrets.fromEnvironment(env("prsentinel-staging-nope",
                "secret/prsentinel/staging/score", token("score")))) {
            assertThatThrownBy(() -> secrets.require(Secrets.MONGODB_URI)).isInstanceOf(SecretsUnavailable.class)
                    .hasMessageContaining("prsentinel-staging-nope").hasMessageNotContaining(MONGO);
        }
    }

    @Test
    void openBaoDownAtStartIsNotReadyWithTheReasonAndRecoversWithBackoff() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, String> env = env("prsentinel-staging-score", "secret/prsentinel/staging/score", token("score"));
        env.put("VAULT_ADDR", "http://127.0.0.1:" + port);
        try (Secrets secrets = Secrets.fromEnvironment(env);
                Rotating<AutoCloseable> store = Rotating.start("score's store", secrets, List.of(Secrets.MONGODB_URI),
                        s -> {
                            s.require(Secrets.MONGODB_URI);
                            return () -> { };
                        })) {
            Thread.sleep(1500);
            assertThat(store.ready()).isFalse();
            assertThat(store.problem()).contains("Vault at http://127.0.0.1:" + port).contains("unreachable");
            try (dev.prsentinel.core.secrets.OpenBaoDevServer late = OpenBao.start(port)) {
                SECRET_VALUES.add(late.rootToken());
                bootstrap(late);
                late.putSecret("prsentinel/staging/score", Map.of(Secrets.MONGODB_URI, MONGO));
                long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                while (!store.ready() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(store.ready()).as("ready once OpenBao answers: %s", store.problem()).isTrue();
            }
        }
    }

    @Test
    void openBaoDownLaterKeepsTheLastSecretsAndSaysWhyARefreshFails() throws Exception {
        try (dev.prsentinel.core.secrets.OpenBaoDevServer own = OpenBao.start(0)) {
            SECRET_VALUES.add(own.rootToken());
            bootstrap(own);
            own.putSecret("prsentinel/staging/score", Map.of(Secrets.MONGODB_URI, MONGO));
            Map<String, String> env = env("prsentinel-staging-score", "secret/prsentinel/staging/score",
                    token("score"));
            env.put("VAULT_ADDR", own.address());
            try (Secrets secrets = Secrets.fromEnvironment(env)) {
                assertThat(secrets.require(Secrets.MONGODB_URI)).isEqualTo(MONGO);
                own.close();
                Thread.sleep(1200);
                assertThat(secrets.require(Secrets.MONGODB_URI)).isEqualTo(MONGO);
                assertThatThrownBy(secrets::refreshNow).isInstanceOf(SecretsUnavailable.class)
                        .hasMessageContaining("unreachable").hasMessageNotContaining(MONGO);
            }
        }
    }

    @Test
    void aShortTtlIsRenewedThenReplacedByANewLoginAcrossAMinuteOfRequests() throws Exception {
        bao.call("POST", "auth/kubernetes/role/prsentinel-staging-shortlived", Map.of(
                "bound_service_account_names", "score", "bound_service_account_namespaces", NAMESPACE,
                "audience", "vault", "token_policies", "prsentinel-staging-score", "token_ttl", "5s",
                "token_max_ttl", "15s"));
        try (VaultSecrets secrets = new VaultSecrets(VaultSettings.fromEnvironment(env(
                "prsentinel-staging-shortlived", "secret/prsentinel/staging/score", token("score"))))) {
            secrets.require(Secrets.MONGODB_URI);
            int failed = 0;
            int requests = 0;
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < end) {
                // Each request goes to OpenBao with the token held: one expired would be refused.
                try {
                    secrets.readWithHeldToken();
                } catch (RuntimeException e) {
                    failed++;
                }
                requests++;
                Thread.sleep(250);
            }
            assertThat(requests).isGreaterThan(200);
            assertThat(failed).isZero();
            // 15 s max TTL over 60 s: at least three new logins, and renewals between them.
            assertThat(secrets.logins()).isGreaterThanOrEqualTo(4);
            assertThat(secrets.renewals()).isGreaterThanOrEqualTo(3);
        }
    }
}
