package dev.prsentinel.featurize;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Cluster-mode submission up to the API server. No Kubernetes runs here: fabric8's mock server in
 * CRUD mode stands in for the API server and keeps what Spark creates, so the driver pod can be
 * inspected as the cluster would receive it.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class KubernetesLauncherIT {

    static KubernetesMockServer server;
    static KubernetesClient client;

    @Test
    void theDriverPodRunsTheSameImageUnderItsServiceAccountWithoutSecrets() throws Exception {
        String image = "ghcr.io/prsentinel/featurize@sha256:" + "ab".repeat(32);
        KubernetesLauncher launcher = new KubernetesLauncher(new KubernetesLauncher.Settings(
                "k8s://" + client.getMasterUrl(), "prsentinel-test", image, "local:///app/featurize.jar",
                "spark-driver", "s3a://prsentinel-features/sets", 2),
                Map.of("VAULT_ADDR", "https://vault.example:8200", "VAULT_ROLE", "featurize",
                        "VAULT_SECRET_PATH", "secret/prsentinel", "K_SINK", "http://broker/default/prsentinel",
                        "MONGODB_DATABASE", "prsentinel", "MONGODB_URI", "mongodb://user:secret@db:27017",
                        "GITHUB_TOKEN", "ghp_secret"));
        Instant windowEnd = Instant.parse("2026-11-27T06:00:00Z");
        // Against the mock the submission ends FAILED after the pod request (see below): no assertion on it.
        launcher.launch(windowEnd, () -> { });

        // The pod as Spark sent it to the API server. The mock keeps no server-side-apply PATCHes, so
        // Spark's next step (the driver's service) fails there and it deletes the pod again: read the
        // creation request itself rather than the pod list.
        Pod driver = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (driver == null && System.nanoTime() < deadline) {
            RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
            if (request != null && request.getMethod().equals("POST")
                    && request.getPath().startsWith("/api/v1/namespaces/prsentinel-test/pods")) {
                driver = Serialization.unmarshal(request.getUtf8Body(), Pod.class);
            }
        }
        assertThat(driver).as("a driver pod creation request").isNotNull();
        assertThat(driver.getMetadata().getName()).isEqualTo("featurize-" + windowEnd.getEpochSecond() + "-driver");
        assertThat(driver.getSpec().getServiceAccountName()).isEqualTo("spark-driver");
        Container container = driver.getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo(image);
        List<String> names = container.getEnv().stream().map(EnvVar::getName).toList();
        assertThat(names).contains("VAULT_ADDR", "VAULT_ROLE", "VAULT_SECRET_PATH", "K_SINK", "MONGODB_DATABASE");
        assertThat(names).allMatch(n -> KubernetesLauncher.PASSED_TO_DRIVER.contains(n) || n.startsWith("SPARK_"));
        assertThat(container.getEnv().stream().map(e -> String.valueOf(e.getValue())))
                .noneMatch(v -> v.contains("secret@") || v.contains("ghp_"));
        assertThat(String.join(" ", container.getArgs())).startsWith("driver")
                .contains("dev.prsentinel.featurize.job.FeatureJobMain").contains("local:///app/featurize.jar")
                .contains("--window-end " + windowEnd).contains("--output s3a://prsentinel-features/sets");
    }
}
