package dev.prsentinel.core.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prsentinel.core.Json;
import dev.prsentinel.core.testing.LogCapture;
import dev.prsentinel.core.testing.MlflowServer;
import dev.prsentinel.core.testing.OpenBao;
import dev.prsentinel.core.testing.ServiceAccountIssuer;
import dev.prsentinel.core.tracking.MlflowClient;
import dev.prsentinel.core.tracking.MlflowServerProcess;
import dev.prsentinel.core.tracking.Tracking;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * MLflow credentials from a real OpenBao against a real MLflow behind its basic auth: a password
 * rotated in MLflow and in OpenBao is picked up on MLflow's first 401, and the call retried once,
 * with no restart and no scheduled re-read in between. No log line holds a password.
 */
class MlflowCredentialRotationIT {

    private static final String ADMIN = "admin-pw-3d9e1";
    private static final String FIRST = "trainer-pw-first-0aa1";
    private static final String SECOND = "trainer-pw-second-9bb2";

    private final HttpClient http = HttpClient.newHttpClient();

    private void admin(URI mlflow, String method, String path, Map<String, String> body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(mlflow.resolve(path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + ADMIN)
                        .getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(Json.mapper().writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    }

    @Test
    void aRotatedPasswordIsReReadOnTheFirst401AndTheCallRetriedOnce() throws Exception {
        Path dir = OpenBao.tempDir();
        try (LogCapture logs = new LogCapture();
                ServiceAccountIssuer issuer = new ServiceAccountIssuer();
                OpenBaoDevServer bao = OpenBao.start(0);
                MlflowServerProcess mlflow = MlflowServerProcess.startWithBasicAuth(MlflowServer.requireCommand(),
                        Files.createTempDirectory("mlflow-auth-it"), 0, Duration.ofSeconds(90), ADMIN)) {
            OpenBao.bootstrap(bao, issuer, dir);
            admin(mlflow.uri(), "POST", "/api/2.0/mlflow/users/create", Map.of("username", "trainer",
                    "password", FIRST));
            bao.putSecret("prsentinel/staging/train-job", Map.of(Secrets.MLFLOW_TRACKING_URI, mlflow.uri().toString(),
                    Secrets.MLFLOW_TRACKING_USERNAME, "trainer", Secrets.MLFLOW_TRACKING_PASSWORD, FIRST));
            Map<String, String> env = OpenBao.workloadEnv(bao, issuer, dir, "train-job");
            env.put("VAULT_REFRESH", "PT1H");
            try (VaultSecrets secrets = new VaultSecrets(VaultSettings.fromEnvironment(env))) {
                Tracking tracking = Tracking.fromSecrets(secrets, Map.of(), Clock.systemUTC());
                String experiment = tracking.experimentId("rotation-it");
                long before = secrets.version();

                // The password changes in MLflow and in OpenBao; this process has not re-read yet.
                admin(mlflow.uri(), "PATCH", "/api/2.0/mlflow/users/update-password", Map.of("username", "trainer",
                        "password", SECOND));
                bao.putSecret("prsentinel/staging/train-job", Map.of(Secrets.MLFLOW_TRACKING_URI,
                        mlflow.uri().toString(), Secrets.MLFLOW_TRACKING_USERNAME, "trainer",
                        Secrets.MLFLOW_TRACKING_PASSWORD, SECOND));
                Tracking.Run run = tracking.createRun(experiment, "after-rotation", Map.of());
                assertThat(run.id()).isNotBlank();
                assertThat(secrets.version()).isEqualTo(before + 1);

                // Without credentials MLflow refuses: the 401 is real, not the client's own idea.
                MlflowClient anonymous = new MlflowClient(mlflow.uri(), Clock.systemUTC());
                assertThatThrownBy(() -> anonymous.experimentId("rotation-it"))
                        .isInstanceOfSatisfying(MlflowClient.MlflowException.class,
                                e -> assertThat(e.status()).isEqualTo(401));
            }
            logs.assertHoldsNone(List.of(ADMIN, FIRST, SECOND, bao.rootToken()), "logged in to Vault at");
        }
    }
}
