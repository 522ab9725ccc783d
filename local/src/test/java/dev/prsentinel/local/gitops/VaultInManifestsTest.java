package dev.prsentinel.local.gitops;

import static dev.prsentinel.local.gitops.Kustomize.cast;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Secrets from Vault only, checked on what kustomize renders (kubectl kustomize knative/), as a
 * cluster would receive it: every workload's container (the Knative Services, the training Job's
 * template, the Spark driver's pod template) holds only VAULT_* and settings known not to be
 * secret, logs in with a projected token meant for Vault alone, as a role bound to its own service
 * account; and nothing in the render is a Secret or reads one.
 */
class VaultInManifestsTest {

    /**
     * Every variable a manifest may set. A new one is added here only once it is known to hold no
     * secret; anything else fails.
     */
    private static final Set<String> NOT_SECRET = Set.of("VAULT_ADDR", "VAULT_ROLE", "VAULT_SECRET_PATH",
            "FEATURIZE_JOB_VAULT_ROLE", "FEATURIZE_JOB_VAULT_SECRET_PATH", "TRAIN_JOB_VAULT_ROLE",
            "TRAIN_JOB_VAULT_SECRET_PATH", "MONGODB_DATABASE", "MLFLOW_TRACKING_URI", "INGEST_ROUTES",
            "JAVA_TOOL_OPTIONS", "MODEL_ALIAS", "MODEL_CACHE_DIR", "FEATURIZE_LAUNCHER", "FEATURIZE_OUTPUT",
            "FEATURIZE_MIN_NEW_PRS", "FEATURIZE_MAX_AGE", "FEATURIZE_DRIVER_SERVICE_ACCOUNT",
            "FEATURIZE_DRIVER_POD_TEMPLATE", "FEATURIZE_S3_ENDPOINT", "TRAIN_LAUNCHER", "TRAIN_JOB_TEMPLATE",
            "TRAIN_MIN_NEW_ROWS", "TRAIN_MAX_PSI", "TRAIN_MAX_AGE", "DJL_OFFLINE", "ENGINE_CACHE_DIR",
            "DJL_CACHE_DIR", "ENVIRONMENT", "REQUIRE_PASSED", "PERF_DIR", "K6_JOB_TEMPLATE", "TARGET_URL");
    /**
     * Pods that hold no secret at all, and so have no Vault role: k6 only sends load to an address,
     * the PostSync hook one event to the broker.
     */
    private static final Set<String> WITHOUT_SECRETS = Set.of("ConfigMap k6-job-template/k6-job.yaml",
            "Job bluegreen-reconcile");
    private static final Path KNATIVE = Path.of("../knative");
    private static final Pattern ROLE = Pattern.compile("prsentinel-(staging|production)-([a-z-]+)");

    private static List<Map<String, Object>> rendered;

    @BeforeAll
    static void render() throws Exception {
        rendered = Kustomize.render("knative");
    }

    /** Each workload's pod spec, named: Services, and the templates the functions start jobs from. */
    private static Map<String, Map<String, Object>> podSpecs() {
        Map<String, Map<String, Object>> specs = new java.util.TreeMap<>();
        for (Map<String, Object> doc : rendered) {
            Map<String, Object> metadata = cast(doc.get("metadata"));
            String name = String.valueOf(metadata.get("name"));
            if ("Service".equals(doc.get("kind")) && String.valueOf(doc.get("apiVersion")).startsWith("serving.")) {
                Map<String, Object> template = cast(((Map<String, Object>) cast(doc.get("spec"))).get("template"));
                specs.put("Service " + name, cast(template.get("spec")));
            }
            if ("Job".equals(doc.get("kind"))) {
                Map<String, Object> template = cast(((Map<String, Object>) cast(doc.get("spec"))).get("template"));
                specs.put("Job " + name, cast(template.get("spec")));
            }
            if ("JobSink".equals(doc.get("kind"))) {
                Map<String, Object> job = cast(((Map<String, Object>) cast(doc.get("spec"))).get("job"));
                Map<String, Object> template = cast(((Map<String, Object>) cast(job.get("spec"))).get("template"));
                specs.put("JobSink " + name, cast(template.get("spec")));
            }
            if ("ConfigMap".equals(doc.get("kind"))) {
                Map<String, Object> data = cast(doc.get("data"));
                for (Map.Entry<String, Object> file : data.entrySet()) {
                    if (!file.getKey().endsWith(".yaml")) {
                        continue;
                    }
                    Map<String, Object> inner = cast(Kustomize.yaml().load(file.getValue().toString()));
                    Map<String, Object> spec = cast(inner.get("spec"));
                    if ("Job".equals(inner.get("kind"))) {
                        spec = cast(((Map<String, Object>) cast(spec.get("template"))).get("spec"));
                    }
                    specs.put("ConfigMap " + name + "/" + file.getKey(), spec);
                }
            }
        }
        return specs;
    }

    private static List<Map<String, Object>> containers(Map<String, Object> spec) {
        return cast(spec.get("containers"));
    }

    @Test
    void everyContainerHoldsOnlyVaultSettingsAndKnownNonSecretOnes() {
        Map<String, Map<String, Object>> specs = podSpecs();
        assertThat(specs.keySet()).contains("Service score", "Service ingest", "Service ingest-webhooks",
                "Service featurize", "Service train-trigger", "ConfigMap train-job-template/train-job.yaml",
                "ConfigMap spark-driver-pod-template/spark-driver-pod.yaml", "JobSink bluegreen",
                "ConfigMap k6-job-template/k6-job.yaml", "Job bluegreen-reconcile");
        specs.forEach((workload, spec) -> {
            for (Map<String, Object> container : containers(spec)) {
                assertThat(container).as(workload).doesNotContainKey("envFrom");
                List<Map<String, Object>> env = cast(container.getOrDefault("env", List.of()));
                for (Map<String, Object> variable : env) {
                    assertThat(variable).as(workload + " " + variable.get("name")).doesNotContainKey("valueFrom");
                    assertThat(NOT_SECRET).as(workload + " sets " + variable.get("name")
                            + ": not known to be non-secret").contains(String.valueOf(variable.get("name")));
                }
            }
            List<Map<String, Object>> volumes = cast(spec.getOrDefault("volumes", List.of()));
            assertThat(volumes).as(workload + " mounts a Secret").noneMatch(v -> v.containsKey("secret")
                    || String.valueOf(v.get("projected")).contains("secret="));
        });
        assertThat(rendered).as("a Secret in git").noneMatch(d -> "Secret".equals(d.get("kind")));
    }

    @Test
    void everyWorkloadLogsInWithATokenForVaultAloneAsARoleBoundToItsOwnAccount() throws Exception {
        Set<String> workloads = bootstrapWorkloads();
        for (Map.Entry<String, Map<String, Object>> e : podSpecs().entrySet()) {
            Map<String, Object> spec = e.getValue();
            if (WITHOUT_SECRETS.contains(e.getKey())) {
                assertThat(String.valueOf(spec)).as(e.getKey()).doesNotContain("VAULT_", "vault");
                assertThat(spec.get("automountServiceAccountToken")).as(e.getKey()).isEqualTo(false);
                continue;
            }
            boolean projected = String.valueOf(spec.get("volumes")).contains(
                    "serviceAccountToken={audience=vault, expirationSeconds=3600, path=token}");
            assertThat(projected).as(e.getKey() + " projects a token with the audience vault").isTrue();
            for (Map<String, Object> container : containers(spec)) {
                assertThat(String.valueOf(container.get("volumeMounts"))).as(e.getKey())
                        .contains("mountPath=/var/run/secrets/vault");
                List<Map<String, Object>> env = cast(container.getOrDefault("env", List.of()));
                for (Map<String, Object> variable : env) {
                    String name = String.valueOf(variable.get("name"));
                    if (!name.endsWith("VAULT_ROLE")) {
                        continue;
                    }
                    Matcher role = ROLE.matcher(String.valueOf(variable.get("value")));
                    assertThat(role.matches()).as(e.getKey() + " " + name).isTrue();
                    assertThat(workloads).as("bootstrap.sh makes role " + variable.get("value"))
                            .contains(role.group(2));
                    String path = env.stream().filter(v -> String.valueOf(v.get("name"))
                            .equals(name.replace("VAULT_ROLE", "VAULT_SECRET_PATH"))).map(v -> v.get("value"))
                            .findFirst().map(String::valueOf).orElse("");
                    assertThat(path).as(e.getKey() + ": a role reads its own path only")
                            .isEqualTo("secret/prsentinel/" + role.group(1) + "/" + role.group(2));
                    if (name.equals("VAULT_ROLE") && e.getKey().startsWith("Service ")) {
                        // bootstrap.sh binds role prsentinel-<env>-<w> to service account <w>.
                        assertThat(spec.get("serviceAccountName")).as(e.getKey()).isEqualTo(role.group(2));
                    }
                }
            }
        }
    }

    @Test
    void workloadsThatCallNoKubernetesApiGetNoApiToken() {
        podSpecs().forEach((workload, spec) -> {
            if (Set.of("Service score", "Service ingest", "Service ingest-webhooks",
                    "ConfigMap train-job-template/train-job.yaml", "ConfigMap k6-job-template/k6-job.yaml")
                    .contains(workload)) {
                assertThat(spec.get("automountServiceAccountToken")).as(workload).isEqualTo(false);
            }
        });
    }

    private static Set<String> bootstrapWorkloads() throws IOException {
        String script = java.nio.file.Files.readString(KNATIVE.resolve("vault/bootstrap.sh"));
        Matcher m = Pattern.compile("(?m)^workloads=\"([^\"]+)\"").matcher(script);
        assertThat(m.find()).isTrue();
        return Set.of(m.group(1).split(" "));
    }
}
