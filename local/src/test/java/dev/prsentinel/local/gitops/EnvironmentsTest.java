package dev.prsentinel.local.gitops;

import static dev.prsentinel.local.gitops.Kustomize.at;
import static dev.prsentinel.local.gitops.Kustomize.cast;
import static dev.prsentinel.local.gitops.Kustomize.kind;
import static dev.prsentinel.local.gitops.Kustomize.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Staging and production as Argo CD renders them (kubectl kustomize overlays/&lt;env&gt;): the same
 * manifests, differing only in the fields of the overlays' small files, each holding the base's
 * promises (images pinned by digest, dead-letter sinks, probes, limits, locked-down containers),
 * and Argo CD's project and Applications matching them.
 */
class EnvironmentsTest {

    /**
     * The only places the two environments may differ, with [n] for list indexes and an env entry's
     * name after its value: the namespace (kustomization.yaml), the Vault role and path prefix and
     * the webhook domain (environment.env), scale (scale.yaml), images (images.yaml).
     */
    private static final List<Pattern> MAY_DIFFER = List.of(
            Pattern.compile("metadata\\.namespace"),
            Pattern.compile("subjects\\[\\d+]\\.namespace"),
            Pattern.compile("spec\\.template\\.spec\\.containers\\[0]\\.env\\[\\d+]\\.value "
                    + "\\((VAULT_ROLE|VAULT_SECRET_PATH|FEATURIZE_JOB_VAULT_ROLE|FEATURIZE_JOB_VAULT_SECRET_PATH"
                    + "|TRAIN_JOB_VAULT_ROLE|TRAIN_JOB_VAULT_SECRET_PATH)\\)"),
            Pattern.compile("spec\\.template\\.metadata\\.annotations\\.autoscaling\\.knative\\.dev/(min|max)-scale"),
            Pattern.compile("spec\\.template\\.spec\\.containers\\[0]\\.image"),
            // The promoter's Job (a JobSink's template): its role, path, environment, the one it follows.
            Pattern.compile("spec\\.job\\.spec\\.template\\.spec\\.containers\\[0]\\.env\\[\\d+]\\.value "
                    + "\\((VAULT_ROLE|VAULT_SECRET_PATH|ENVIRONMENT|REQUIRE_PASSED)\\)"),
            Pattern.compile("spec\\.job\\.spec\\.template\\.spec\\.containers\\[0]\\.image"),
            Pattern.compile("metadata\\.name \\(the domain\\)"));
    private static final Pattern DIGEST = Pattern.compile("ghcr\\.io/prsentinel/[a-z-]+@sha256:[0-9a-f]{64}");
    /** The workloads that call the Kubernetes API, and so get its token. */
    private static final Set<String> CALLS_THE_API = Set.of("featurize", "train-trigger", "bluegreen");
    /** k6's official image, pinned by the digest of its index. */
    private static final Pattern K6 = Pattern.compile("docker\\.io/grafana/k6:[0-9.]+@sha256:[0-9a-f]{64}");
    private static final Comparator<Object> BY_TEXT = Comparator.comparing(Object::toString);

    private static List<Map<String, Object>> staging;
    private static List<Map<String, Object>> production;

    @BeforeAll
    static void render() throws Exception {
        staging = Kustomize.render("overlays/staging");
        production = Kustomize.render("overlays/production");
    }

    private static List<Map<String, Object>> env(String name) {
        return "staging".equals(name) ? staging : production;
    }

    /** Resources by kind and name; the DomainMapping by kind alone (its name is the domain). */
    private static Map<String, Map<String, Object>> byKey(List<Map<String, Object>> docs) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        for (Map<String, Object> d : docs) {
            String key = "DomainMapping".equals(kind(d)) ? "DomainMapping" : kind(d) + "/" + name(d);
            assertThat(out.put(key, d)).as("two resources %s", key).isNull();
        }
        return out;
    }

    @Test
    void stagingAndProductionDifferOnlyInTheOverlaysFields() {
        Map<String, Map<String, Object>> s = byKey(staging);
        Map<String, Map<String, Object>> p = byKey(production);
        assertThat(p.keySet()).isEqualTo(s.keySet());

        List<String> paths = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        for (String key : s.keySet()) {
            List<String> here = new ArrayList<>();
            diff(s.get(key), p.get(key), "", here);
            for (String path : here) {
                String shown = key.equals("DomainMapping") && path.equals("metadata.name")
                        ? "metadata.name (the domain)" : path;
                paths.add(key + " " + shown);
                if (MAY_DIFFER.stream().noneMatch(m -> m.matcher(shown).matches())) {
                    unexpected.add(key + " " + shown);
                }
            }
        }
        assertThat(unexpected).as("differences outside the overlays' files").isEmpty();
        // Each concern does differ: the overlays are not two copies of one environment.
        assertThat(paths).anyMatch(d -> d.endsWith("metadata.namespace"))
                .anyMatch(d -> d.startsWith("Service/score ") && d.endsWith("(VAULT_ROLE)"))
                .anyMatch(d -> d.startsWith("Service/score ") && d.endsWith("(VAULT_SECRET_PATH)"))
                .anyMatch(d -> d.startsWith("Service/featurize ") && d.endsWith("(FEATURIZE_JOB_VAULT_ROLE)"))
                .anyMatch(d -> d.startsWith("Service/train-trigger ") && d.endsWith("(TRAIN_JOB_VAULT_SECRET_PATH)"))
                .anyMatch(d -> d.endsWith("max-scale"))
                .anyMatch(d -> d.startsWith("JobSink/bluegreen ") && d.endsWith("(ENVIRONMENT)"))
                .anyMatch(d -> d.startsWith("JobSink/bluegreen ") && d.endsWith("(REQUIRE_PASSED)"))
                .contains("DomainMapping metadata.name (the domain)");
    }

    /** Adds the path of every leaf where a and b differ; an env entry's value is named after it. */
    private static void diff(Object a, Object b, String path, List<String> out) {
        if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
            Set<Object> keys = new TreeSet<>(BY_TEXT);
            keys.addAll(ma.keySet());
            keys.addAll(mb.keySet());
            for (Object k : keys) {
                diff(ma.get(k), mb.get(k), path.isEmpty() ? k.toString() : path + "." + k, out);
            }
        } else if (a instanceof List<?> la && b instanceof List<?> lb && la.size() == lb.size()) {
            for (int i = 0; i < la.size(); i++) {
                String here = path + "[" + i + "]";
                if (path.endsWith(".env") && la.get(i) instanceof Map<?, ?> ea && lb.get(i) instanceof Map<?, ?> eb
                        && Objects.equals(ea.get("name"), eb.get("name"))) {
                    if (!Objects.equals(ea.get("value"), eb.get("value"))) {
                        out.add(here + ".value (" + ea.get("name") + ")");
                    }
                    Map<Object, Object> restA = new TreeMap<>(BY_TEXT);
                    Map<Object, Object> restB = new TreeMap<>(BY_TEXT);
                    restA.putAll(ea);
                    restB.putAll(eb);
                    restA.remove("value");
                    restB.remove("value");
                    diff(restA, restB, here, out);
                } else {
                    diff(la.get(i), lb.get(i), here, out);
                }
            }
        } else if (!Objects.equals(a, b)) {
            out.add(path);
        }
    }

    /** Every pod spec an environment runs: the Knative Services' and the two job templates'. */
    private static Map<String, Map<String, Object>> podSpecs(List<Map<String, Object>> docs) {
        Map<String, Map<String, Object>> specs = new TreeMap<>();
        for (Map<String, Object> d : docs) {
            if ("Service".equals(kind(d)) && "serving.knative.dev/v1".equals(d.get("apiVersion"))) {
                specs.put(name(d), at(d, "spec.template.spec"));
            } else if ("ConfigMap".equals(kind(d)) && "train-job-template".equals(name(d))) {
                Map<String, Object> data = cast(d.get("data"));
                Object job = Kustomize.yaml().load((String) data.get("train-job.yaml"));
                specs.put("train-job", at(job, "spec.template.spec"));
            } else if ("ConfigMap".equals(kind(d)) && "spark-driver-pod-template".equals(name(d))) {
                Map<String, Object> data = cast(d.get("data"));
                Object pod = Kustomize.yaml().load((String) data.get("spark-driver-pod.yaml"));
                specs.put("spark-driver", at(pod, "spec"));
            } else if ("Job".equals(kind(d)) && "bluegreen-reconcile".equals(name(d))) {
                specs.put("reconcile-hook", at(d, "spec.template.spec"));
            } else if ("JobSink".equals(kind(d)) && "bluegreen".equals(name(d))) {
                specs.put("bluegreen", at(d, "spec.job.spec.template.spec"));
            } else if ("ConfigMap".equals(kind(d)) && "k6-job-template".equals(name(d))) {
                Map<String, Object> data = cast(d.get("data"));
                Object job = Kustomize.yaml().load((String) data.get("k6-job.yaml"));
                specs.put("k6", at(job, "spec.template.spec"));
            }
        }
        assertThat(specs).containsOnlyKeys("ingest", "ingest-webhooks", "featurize", "train-trigger", "score",
                "train-job", "spark-driver", "bluegreen", "k6", "reconcile-hook");
        return specs;
    }

    private static List<Map<String, Object>> containers(Map<String, Object> podSpec) {
        return cast(podSpec.get("containers"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"staging", "production"})
    void everyImageIsPinnedByDigest(String env) {
        Map<String, Map<String, Object>> specs = podSpecs(env(env));
        for (var e : specs.entrySet()) {
            if (e.getKey().equals("train-job") || e.getKey().equals("spark-driver")) {
                continue;
            }
            for (Map<String, Object> c : containers(e.getValue())) {
                assertThat((String) c.get("image")).as("%s's image", e.getKey())
                        .matches(e.getKey().equals("k6") ? K6 : DIGEST);
            }
        }
    }

    /**
     * train-trigger runs the training in its own image, read from its pod; the template names that
     * image's repository, so the Job gets exactly the digest the function runs.
     */
    @ParameterizedTest
    @ValueSource(strings = {"staging", "production"})
    void theTrainingJobRunsTheImageOfTheFunctionThatStartsIt(String env) {
        Map<String, Map<String, Object>> specs = podSpecs(env(env));
        String function = (String) containers(specs.get("train-trigger")).get(0).get("image");
        String template = (String) containers(specs.get("train-job")).get(0).get("image");
        assertThat(function).startsWith(template + "@sha256:");
    }

    @ParameterizedTest
    @ValueSource(strings = {"staging", "production"})
    void everyContainerIsLockedDownAndBounded(String env) {
        for (var e : podSpecs(env(env)).entrySet()) {
            Map<String, Object> spec = e.getValue();
            String who = env + "/" + e.getKey();
            boolean callsApi = CALLS_THE_API.contains(e.getKey()) || e.getKey().equals("spark-driver");
            if (!callsApi) {
                assertThat(spec.get("automountServiceAccountToken")).as("%s mounts no API token", who)
                        .isEqualTo(false);
            }
            // Knative refuses a pod-level securityContext unless a feature flag allows it.
            assertThat(spec).as(who).doesNotContainKey("securityContext");
            for (Map<String, Object> c : containers(spec)) {
                assertThat((Map<String, Object>) at(c, "securityContext")).as("%s's securityContext", who)
                        .containsEntry("runAsNonRoot", true).containsEntry("readOnlyRootFilesystem", true)
                        .containsEntry("allowPrivilegeEscalation", false);
                assertThat((List<String>) at(c, "securityContext.capabilities.drop")).as(who).containsExactly("ALL");
                assertThat((String) at(c, "securityContext.seccompProfile.type")).as(who).isEqualTo("RuntimeDefault");
                if (!e.getKey().equals("spark-driver")) {
                    // Spark sets the driver's resources from its own settings.
                    assertThat((Map<String, Object>) at(c, "resources.limits")).as("%s's limits", who)
                            .containsKeys("cpu", "memory", "ephemeral-storage");
                    assertThat((Map<String, Object>) at(c, "resources.requests")).as("%s's requests", who)
                            .containsKeys("cpu", "memory", "ephemeral-storage");
                }
                List<Map<String, Object>> mounts = cast(c.get("volumeMounts"));
                assertThat(mounts).as("%s writes only to /tmp", who)
                        .anySatisfy(m -> assertThat(m).containsEntry("mountPath", "/tmp"));
            }
            List<Map<String, Object>> volumes = cast(spec.get("volumes"));
            for (Map<String, Object> v : volumes) {
                assertThat(v.keySet()).as("%s's volume %s", who, v.get("name"))
                        .containsAnyOf("emptyDir", "projected", "configMap");
                if (v.containsKey("emptyDir")) {
                    assertThat((Object) at(v, "emptyDir.sizeLimit")).as("%s's emptyDir is bounded", who).isNotNull();
                }
            }
        }
    }

    /**
     * Each workload logs in to Vault as its environment's role for its own service account, and
     * reads its environment's path: the names knative/vault/bootstrap.sh creates
     * (prsentinel-ENV-ACCOUNT, secret/prsentinel/ENV/ACCOUNT). The jobs get their own.
     */
    @ParameterizedTest
    @ValueSource(strings = {"staging", "production"})
    void everyWorkloadLogsInAsItsEnvironmentsRoleForItsOwnAccount(String env) {
        Map<String, Map<String, Object>> specs = podSpecs(env(env));
        Map<String, String> jobs = Map.of("featurize", "FEATURIZE_JOB_", "train-trigger", "TRAIN_JOB_");
        for (var e : specs.entrySet()) {
            if (e.getKey().equals("train-job") || e.getKey().equals("spark-driver")) {
                continue;
            }
            if (e.getKey().equals("k6") || e.getKey().equals("reconcile-hook")) {
                // They hold no secret (k6 sends load, the hook one event): no Vault role.
                assertThat(e.getValue().toString()).doesNotContain("VAULT_");
                continue;
            }
            String account = (String) e.getValue().get("serviceAccountName");
            Map<String, String> vars = new TreeMap<>();
            for (Map<String, Object> v : (List<Map<String, Object>>) containers(e.getValue()).get(0).get("env")) {
                vars.put((String) v.get("name"), String.valueOf(v.get("value")));
            }
            assertThat(vars).as(e.getKey()).containsEntry("VAULT_ROLE", "prsentinel-" + env + "-" + account)
                    .containsEntry("VAULT_SECRET_PATH", "secret/prsentinel/" + env + "/" + account);
            if (jobs.containsKey(e.getKey())) {
                String jobAccount = e.getKey().equals("featurize") ? "spark-driver" : "train-job";
                String prefix = jobs.get(e.getKey());
                assertThat(vars).as(e.getKey() + "'s job")
                        .containsEntry(prefix + "VAULT_ROLE", "prsentinel-" + env + "-" + jobAccount)
                        .containsEntry(prefix + "VAULT_SECRET_PATH", "secret/prsentinel/" + env + "/" + jobAccount);
            }
        }
        assertThat((String) specs.get("train-job").get("serviceAccountName")).isEqualTo("train-job");
    }

    @ParameterizedTest
    @ValueSource(strings = {"staging", "production"})
    void everyServiceHasProbesAndOnlyTheWebhookReceiverIsPublic(String env) {
        for (Map<String, Object> d : env(env)) {
            if (!"Service".equals(kind(d)) || !"serving.knative.dev/v1".equals(d.get("apiVersion"))) {
                continue;
            }
            Map<String, Object> c = containers(at(d, "spec.template.spec")).get(0);
            assertThat((Object) at(c, "readinessProbe.httpGet.path")).as("%s's readiness", name(d)).isNotNull();
            assertThat((Object) at(c, "livenessProbe.httpGet.path")).as("%s's liveness", name(d)).isNotNull();
            Map<String, Object> labels = at(d, "metadata.labels");
            if ("ingest-webhooks".equals(name(d))) {
                assertThat(labels).doesNotContainKey("networking.knative.dev/visibility");
            } else {
                assertThat(labels).as(name(d)).containsEntry("networking.knative.dev/visibility", "cluster-local");
            }
            // The traffic split and the pinned model belong to the blue/green promoter, not to git.
            assertThat((Object) at(d, "spec.traffic")).as("%s's traffic in git", name(d)).isNull();
            assertThat(c.get("env").toString()).doesNotContain("MODEL_VERSION");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"staging", "production"})
    void everyTriggerHasADeadLetterSinkAndRetries(String env) {
        List<Map<String, Object>> triggers = env(env).stream().filter(d -> "Trigger".equals(kind(d))).toList();
        assertThat(triggers).isNotEmpty();
        for (Map<String, Object> t : triggers) {
            assertThat((Object) at(t, "spec.delivery.deadLetterSink.ref.name")).as(name(t)).isNotNull();
            assertThat((Integer) at(t, "spec.delivery.retry")).as(name(t)).isPositive();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"staging", "production"})
    void everyPodIsCoveredByANetworkPolicyThatDeniesByDefault(String env) {
        Map<String, Object> deny = env(env).stream()
                .filter(d -> "NetworkPolicy".equals(kind(d)) && "default-deny-ingress".equals(name(d)))
                .findFirst().orElseThrow();
        assertThat((Map<String, Object>) at(deny, "spec.podSelector")).isEmpty();
        assertThat((List<String>) at(deny, "spec.policyTypes")).containsExactly("Ingress");
        assertThat((Object) at(deny, "spec.ingress")).isNull();
    }

    /** Argo CD's project admits exactly what the overlays render, and each Application its own. */
    @Test
    void argoCdDeploysEachOverlayFromItsBranchUnderAProjectThatAdmitsItsKinds() throws Exception {
        List<Map<String, Object>> argo = Kustomize.render("argocd");
        Map<String, Object> project = argo.stream().filter(d -> "AppProject".equals(kind(d))).findFirst().orElseThrow();
        Set<String> admitted = new TreeSet<>();
        for (Map<String, Object> k : (List<Map<String, Object>>) at(project, "spec.namespaceResourceWhitelist")) {
            admitted.add(k.get("group") + "/" + k.get("kind"));
        }
        Set<String> rendered = new TreeSet<>();
        for (Map<String, Object> d : staging) {
            String api = (String) d.get("apiVersion");
            rendered.add((api.contains("/") ? api.substring(0, api.indexOf('/')) : "") + "/" + kind(d));
        }
        assertThat(admitted).isEqualTo(rendered);

        Map<String, String> branches = Map.of("prsentinel-staging", "staging", "prsentinel-production", "main");
        List<Map<String, Object>> apps = argo.stream().filter(d -> "Application".equals(kind(d))).toList();
        assertThat(apps).extracting(Kustomize::name).containsExactlyInAnyOrderElementsOf(branches.keySet());
        for (Map<String, Object> app : apps) {
            String env = name(app).substring("prsentinel-".length());
            assertThat((String) at(app, "spec.source.targetRevision")).isEqualTo(branches.get(name(app)));
            assertThat((String) at(app, "spec.source.path")).isEqualTo("overlays/" + env);
            assertThat((String) at(app, "spec.destination.namespace")).isEqualTo("prsentinel-" + env);
            assertThat((Map<String, Object>) at(app, "spec.syncPolicy.automated"))
                    .containsEntry("prune", true).containsEntry("selfHeal", true);
            assertThat((List<String>) at(app, "spec.syncPolicy.syncOptions"))
                    .contains("RespectIgnoreDifferences=true", "ServerSideApply=true");
            List<Map<String, Object>> ignored = at(app, "spec.ignoreDifferences");
            assertThat(ignored).singleElement().satisfies(i -> {
                assertThat(i).containsEntry("kind", "Service").containsEntry("name", "score");
                assertThat((List<String>) i.get("jsonPointers")).containsExactly("/spec/traffic",
                        "/spec/template/metadata/annotations/autoscaling.knative.dev~1initial-scale",
                        "/metadata/annotations/bluegreen.prsentinel.dev~1rollout");
                assertThat(i.get("jqPathExpressions").toString()).contains("MODEL_VERSION");
            });
        }
    }
}
