package dev.prsentinel.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The training Job as the API server receives it, from the template in knative/. No Kubernetes runs
 * here: fabric8's mock server in CRUD mode stands in for the API server and keeps what is created,
 * refusing a second Job of the same name as a real one does (409).
 */
class KubernetesJobLauncherIT {

    private static final Path TEMPLATE = Path.of("../../knative/train-trigger/train-job.yaml");
    private static final String NAMESPACE = "prsentinel-test";

    /** Keeps what is created, and can refuse every creation as the API server does without the Role. */
    private static final class Dispatcher extends KubernetesCrudDispatcher {
        volatile boolean forbidden;

        @Override
        public MockResponse handleCreate(RecordedRequest request) {
            return forbidden ? new MockResponse().setResponseCode(403).setBody("{\"kind\":\"Status\",\"code\":403}")
                    : super.handleCreate(request);
        }
    }

    private final Dispatcher dispatcher = new Dispatcher();
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

    private KubernetesJobLauncher launcher(String image) {
        return new KubernetesJobLauncher(client, NAMESPACE, TEMPLATE, image, Map.of(
                "VAULT_ADDR", "https://vault.example:8200", "VAULT_ROLE", "train-trigger",
                "VAULT_SECRET_PATH", "secret/prsentinel", "K_SINK", "http://broker/default/prsentinel",
                "MONGODB_DATABASE", "prsentinel", "MLFLOW_TRACKING_URI", "http://mlflow:5000",
                "MONGODB_URI", "mongodb://user:secret@db:27017", "GITHUB_TOKEN", "ghp_secret"));
    }

    @Test
    void oneJobPerSetRunningThisImageWithTheTrainingEntryPointAndNoSecrets() {
        String image = "ghcr.io/prsentinel/train-trigger@sha256:" + "cd".repeat(32);
        AtomicInteger failures = new AtomicInteger();
        String set = "fs-v1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

        launcher(image).launch(set, failures::incrementAndGet);
        launcher(image).launch(set, failures::incrementAndGet);

        List<Job> jobs = client.batch().v1().jobs().inNamespace(NAMESPACE).list().getItems();
        assertThat(jobs).as("the second launch for the same set is refused by name").hasSize(1);
        assertThat(failures).hasValue(0);
        Job job = jobs.get(0);
        assertThat(job.getMetadata().getName()).hasSizeLessThanOrEqualTo(63).startsWith("train-fs-v1-0123")
                .matches("[a-z0-9-]+");
        assertThat(job.getMetadata().getLabels()).containsKey(KubernetesJobLauncher.SET_LABEL);
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(job.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("train-job");
        Container container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo(image);
        assertThat(container.getCommand()).contains(TrainingJobMain.class.getName());
        assertThat(container.getArgs()).containsSequence("--feature-set", set);
        List<String> names = container.getEnv().stream().map(EnvVar::getName).toList();
        assertThat(names).contains("VAULT_ADDR", "VAULT_ROLE", "VAULT_SECRET_PATH", "K_SINK", "MONGODB_DATABASE",
                "MLFLOW_TRACKING_URI");
        assertThat(names).doesNotContain("MONGODB_URI", "GITHUB_TOKEN");
        assertThat(container.getEnv().stream().map(e -> String.valueOf(e.getValue())))
                .noneMatch(v -> v.contains("secret@") || v.contains("ghp_"));
    }

    @Test
    void anApiServerThatRefusesTheJobFreesTheSet() {
        dispatcher.forbidden = true;
        AtomicInteger failures = new AtomicInteger();
        launcher(null).launch("fs-v1-x", failures::incrementAndGet);
        assertThat(failures).hasValue(1);
    }
}
