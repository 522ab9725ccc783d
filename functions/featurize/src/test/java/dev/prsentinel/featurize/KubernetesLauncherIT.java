package dev.prsentinel.featurize;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Cluster-mode submission up to the API server. No Kubernetes runs here: fabric8's mock server in
 * CRUD mode stands in for the API server and keeps what Spark creates, so the driver pod can be
 * inspected as the cluster would receive it.
 */
class KubernetesLauncherIT {

    /** Keeps what Spark creates (CRUD) and every pod creation body as it arrived. */
    private static final class RecordingDispatcher extends KubernetesCrudDispatcher {
        final List<String> podCreations = new CopyOnWriteArrayList<>();

        @Override
        public MockResponse handleCreate(RecordedRequest request) {
            if (request.getPath().startsWith("/api/v1/namespaces/prsentinel-test/pods")) {
                podCreations.add(request.getUtf8Body());
            }
            return super.handleCreate(request);
        }
    }

    private final RecordingDispatcher dispatcher = new RecordingDispatcher();
    private KubernetesMockServer server;
    private KubernetesClient client;

    @BeforeEach
    void startApiServer() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init();
        client = server.createClient();
    }

    @AfterEach
    void stopApiServer() {
        client.close();
        server.destroy();
    }

    @Test
    void theDriverPodRunsTheSameImageUnderItsServiceAccountWithoutSecrets() throws Exception {
        String image = "ghcr.io/prsentinel/featurize@sha256:" + "ab".repeat(32);
        KubernetesLauncher launcher = new KubernetesLauncher(new KubernetesLauncher.Settings(
                "k8s://" + client.getMasterUrl(), "prsentinel-test", image, "local:///app/featurize.jar",
                "spark-driver", "s3a://prsentinel-features/sets", 2),
                Map.of("VAULT_ADDR", "https://vault.example:8200", "VAULT_ROLE", "prsentinel-staging-featurize",
                        "VAULT_SECRET_PATH", "secret/prsentinel/staging/featurize",
                        "FEATURIZE_JOB_VAULT_ROLE", "prsentinel-staging-spark-driver",
                        "FEATURIZE_JOB_VAULT_SECRET_PATH", "secret/prsentinel/staging/spark-driver",
                        "K_SINK", "http://broker/default/prsentinel",
                        "MONGODB_DATABASE", "prsentinel", "MONGODB_URI", "mongodb://user:secret@db:27017",
                        "GITHUB_TOKEN", "ghp_secret"));
        Instant windowEnd = Instant.parse("2026-11-27T06:00:00Z");
        // The mock answers Spark's server-side apply of the driver's service with 404, so the submission
        // ends FAILED after the pod request and Spark deletes the pod: the test reads the request itself.
        launcher.launch(windowEnd, () -> { });

        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (dispatcher.podCreations.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(dispatcher.podCreations).as("driver pod creation requests").hasSize(1);
        Pod driver = Serialization.unmarshal(dispatcher.podCreations.get(0), Pod.class);
        assertThat(driver.getMetadata().getName()).isEqualTo("featurize-" + windowEnd.getEpochSecond() + "-driver");
        assertThat(driver.getSpec().getServiceAccountName()).isEqualTo("spark-driver");
        Container container = driver.getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo(image);
        List<String> names = container.getEnv().stream().map(EnvVar::getName).toList();
        assertThat(names).contains("VAULT_ADDR", "VAULT_ROLE", "VAULT_SECRET_PATH", "K_SINK", "MONGODB_DATABASE");
        assertThat(names).allMatch(n -> KubernetesLauncher.PASSED_TO_DRIVER.contains(n) || n.startsWith("SPARK_"));
        // The driver logs in as its own role, to its own path: not the function's.
        assertThat(container.getEnv()).filteredOn(e -> e.getName().equals("VAULT_ROLE")).extracting(EnvVar::getValue)
                .containsExactly("prsentinel-staging-spark-driver");
        assertThat(container.getEnv()).filteredOn(e -> e.getName().equals("VAULT_SECRET_PATH"))
                .extracting(EnvVar::getValue).containsExactly("secret/prsentinel/staging/spark-driver");
        assertThat(container.getEnv().stream().map(e -> String.valueOf(e.getValue())))
                .noneMatch(v -> v.contains("secret@") || v.contains("ghp_"));
        assertThat(String.join(" ", container.getArgs())).startsWith("driver")
                .contains("dev.prsentinel.featurize.job.FeatureJobMain").contains("local:///app/featurize.jar")
                .contains("--window-end " + windowEnd).contains("--output s3a://prsentinel-features/sets");
    }
}
