package dev.prsentinel.local.gitops;

import static dev.prsentinel.local.gitops.Kustomize.at;
import static dev.prsentinel.local.gitops.Kustomize.cast;
import static dev.prsentinel.local.gitops.Kustomize.kind;
import static dev.prsentinel.local.gitops.Kustomize.name;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.testing.KubeApiServer;
import dev.prsentinel.core.testing.Need;
import dev.prsentinel.core.testing.Needs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every environment as a cluster's API server receives it: the rendered overlays, the job templates
 * the functions fill in, and Argo CD's project and Applications, applied with server-side dry-run
 * and strict field validation to a real kube-apiserver carrying the real CRDs of Knative Serving
 * (v0.51.0), Knative Eventing (1.22.2) and Argo CD (3.5.0) from ../shared/crds. That checks types,
 * unknown fields and the CRDs' schemas, which a schema-only linter approximates. Then the roles,
 * really applied, are asked through RBAC what each service account may do.
 *
 * <p>Not checked here, because no Knative or Argo CD controller runs: Knative's admission webhook
 * (its field mask; EnvironmentsTest checks the fields it needs flags for) and Argo CD's sync.
 */
@Needs(value = Need.KUBE_APISERVER, shared = "crds")
class ManifestsOnApiServerIT {

    @TempDir
    static Path dir;

    private static KubeApiServer server;

    @BeforeAll
    static void start() throws Exception {
        server = KubeApiServer.start(dir.resolve("cluster"));
        server.installCrds("knative-serving", "knative-eventing", "argo-cd");
        for (String ns : List.of("prsentinel-staging", "prsentinel-production", "argocd")) {
            assertThat(server.kubectl(null, "create", "namespace", ns).exit()).isZero();
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static KubeApiServer.Result dryRun(String yaml) throws Exception {
        return server.kubectl(yaml, "apply", "--dry-run=server", "--validate=strict", "-f", "-");
    }

    @ParameterizedTest
    @ValueSource(strings = {"staging", "production"})
    void everyResourceOfAnEnvironmentIsAccepted(String env) throws Exception {
        String yaml = Kustomize.renderText("overlays/" + env);
        int resources = Kustomize.parse(yaml).size();

        KubeApiServer.Result applied = dryRun(yaml);

        assertThat(applied.exit()).as("dry-run of overlays/%s: %s", env, applied.both()).isZero();
        assertThat(applied.out().lines().filter(l -> l.endsWith("(server dry run)")).count())
                .as(applied.out()).isEqualTo(resources);
        assertThat(applied.err()).doesNotContain("Warning");
    }

    @ParameterizedTest
    @ValueSource(strings = {"staging", "production"})
    void theJobTemplatesAreAcceptedAsTheFunctionsFillThemIn(String env) throws Exception {
        List<Map<String, Object>> docs = Kustomize.render("overlays/" + env);
        Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
        docs.forEach(d -> byName.put(kind(d) + "/" + name(d), d));
        String trainImage = at(containers(byName.get("Service/train-trigger")).get(0), "image");

        // train-trigger's KubernetesJobLauncher: the template, named after the set, with its own image.
        Map<String, Object> job = Kustomize.cast(Kustomize.yaml().load(
                data(byName.get("ConfigMap/train-job-template"), "train-job.yaml")));
        Map<String, Object> jobMeta = cast(job.get("metadata"));
        jobMeta.put("name", "train-fs-20261201");
        jobMeta.put("namespace", "prsentinel-" + env);
        Map<String, Object> train = cast(((List<?>) at(job, "spec.template.spec.containers")).get(0));
        train.put("image", trainImage);
        train.put("args", List.of("--master", "local[2]", "--feature-set", "fs-20261201"));
        KubeApiServer.Result jobApplied = dryRun(Kustomize.yaml().dump(job));
        assertThat(jobApplied.exit()).as(jobApplied.both()).isZero();

        // Spark's driver pod: the template plus what spark-submit sets (name, image, arguments). A pod
        // is admitted only with an existing service account: the environment's own, really created.
        List<Object> accounts = new ArrayList<>(docs.stream().filter(d -> "ServiceAccount".equals(kind(d))).toList());
        KubeApiServer.Result created = server.kubectl(Kustomize.yaml().dumpAll(accounts.iterator()),
                "apply", "-f", "-");
        assertThat(created.exit()).as(created.both()).isZero();
        Map<String, Object> pod = Kustomize.cast(Kustomize.yaml().load(
                data(byName.get("ConfigMap/spark-driver-pod-template"), "spark-driver-pod.yaml")));
        pod.put("metadata", new LinkedHashMap<>(Map.of("name", "fs-20261201-driver", "namespace",
                "prsentinel-" + env)));
        Map<String, Object> driver = cast(((List<?>) at(pod, "spec.containers")).get(0));
        driver.put("image", at(containers(byName.get("Service/featurize")).get(0), "image"));
        driver.put("args", List.of("driver", "--properties-file", "/opt/spark/conf/spark.properties", "--class",
                "dev.prsentinel.featurize.job.FeatureJobMain", "spark-internal"));
        Map<String, Object> podSpec = cast(pod.get("spec"));
        podSpec.put("serviceAccountName", "spark-driver");
        KubeApiServer.Result podApplied = dryRun(Kustomize.yaml().dump(pod));
        assertThat(podApplied.exit()).as(podApplied.both()).isZero();
    }

    /** The control: the same server refuses what a typo makes of a manifest, so acceptance means something. */
    @Test
    void aFieldKnativeDoesNotKnowIsRefused() throws Exception {
        List<Map<String, Object>> docs = Kustomize.render("overlays/staging");
        Map<String, Object> score = docs.stream().filter(d -> "Service".equals(kind(d)) && "score".equals(name(d)))
                .findFirst().orElseThrow();
        Map<String, Object> spec = at(score, "spec.template.spec");
        spec.put("containerConcurency", spec.remove("containerConcurrency"));

        KubeApiServer.Result applied = dryRun(Kustomize.yaml().dump(score));

        assertThat(applied.exit()).isNotZero();
        assertThat(applied.both()).contains("unknown field").contains("containerConcurency");
    }

    @Test
    void argoCdsProjectAndApplicationsAreAccepted() throws Exception {
        String yaml = Kustomize.renderText("argocd");

        KubeApiServer.Result applied = dryRun(yaml);

        assertThat(applied.exit()).as(applied.both()).isZero();
        assertThat(applied.out()).contains("appproject.argoproj.io/prsentinel created (server dry run)")
                .contains("application.argoproj.io/prsentinel-staging created (server dry run)")
                .contains("application.argoproj.io/prsentinel-production created (server dry run)");
    }

    /**
     * The roles, applied for real, asked through the server's RBAC authorizer: each account may do
     * what its code calls (Spark 4.0.1's submitter and driver, train-trigger's launcher) and nothing
     * more; no account reads Secrets; the accounts of workloads without API calls may do nothing.
     */
    @Test
    void eachServiceAccountMayDoWhatItsCodeCallsAndNoMore() throws Exception {
        String ns = "prsentinel-staging";
        List<Map<String, Object>> rbac = new ArrayList<>();
        for (Map<String, Object> d : Kustomize.render("overlays/staging")) {
            if (List.of("ServiceAccount", "Role", "RoleBinding").contains(kind(d))) {
                rbac.add(d);
            }
        }
        KubeApiServer.Result applied = server.kubectl(Kustomize.yaml().dumpAll(rbac.iterator()), "apply", "-f", "-");
        assertThat(applied.exit()).as(applied.both()).isZero();

        Map<String, List<String>> allowed = Map.of(
                "featurize", List.of("create pods", "get pods", "delete pods", "create configmaps", "patch configmaps",
                        "create services", "patch services", "delete services"),
                "spark-driver", List.of("create pods", "list pods", "watch pods", "patch pods", "delete pods",
                        "deletecollection pods", "create configmaps", "deletecollection configmaps",
                        "deletecollection services"),
                "train-trigger", List.of("create jobs.batch", "get jobs.batch", "get pods"),
                "bluegreen", List.of("get services.serving.knative.dev/score",
                        "patch services.serving.knative.dev/score",
                        "get revisions.serving.knative.dev", "create leases.coordination.k8s.io",
                        "update leases.coordination.k8s.io/score-bluegreen", "create jobs.batch", "list pods"));
        Map<String, List<String>> refused = Map.of(
                "featurize", List.of("list pods", "deletecollection pods", "create jobs.batch", "get secrets"),
                "spark-driver", List.of("create services", "create persistentvolumeclaims", "get secrets"),
                "train-trigger", List.of("delete jobs.batch", "create pods", "get secrets", "list pods"),
                "bluegreen", List.of("patch services.serving.knative.dev/ingest",
                        "delete services.serving.knative.dev/score",
                        "update leases.coordination.k8s.io/another", "get secrets", "delete jobs.batch",
                                "create pods"));
        for (var entry : allowed.entrySet()) {
            for (String action : entry.getValue()) {
                assertThat(canI(ns, entry.getKey(), action)).as("%s may %s", entry.getKey(), action).isTrue();
            }
        }
        for (var entry : refused.entrySet()) {
            for (String action : entry.getValue()) {
                assertThat(canI(ns, entry.getKey(), action)).as("%s may not %s", entry.getKey(), action).isFalse();
            }
        }
        for (String account : List.of("score", "ingest", "ingest-webhooks", "train-job", "k6", "rollout-request")) {
            for (String action : List.of("get pods", "get configmaps", "get secrets", "create jobs.batch")) {
                assertThat(canI(ns, account, action)).as("%s may not %s", account, action).isFalse();
            }
        }
    }

    private static boolean canI(String ns, String account, String action) throws Exception {
        String[] verbAndResource = action.split(" ");
        KubeApiServer.Result r = server.kubectl(null, "auth", "can-i", verbAndResource[0], verbAndResource[1],
                "-n", ns, "--as", "system:serviceaccount:" + ns + ":" + account);
        assertThat(r.out().strip()).as(r.both()).isIn("yes", "no");
        return r.exit() == 0;
    }

    /** A ConfigMap's entry (its key holds a dot, which {@code at} would split). */
    private static String data(Map<String, Object> configMap, String key) {
        Map<String, Object> data = cast(configMap.get("data"));
        return (String) data.get(key);
    }

    private static List<Map<String, Object>> containers(Map<String, Object> service) {
        return cast(at(service, "spec.template.spec.containers"));
    }
}
