package dev.prsentinel.bluegreen.knative;

import dev.prsentinel.bluegreen.ServiceRoutes;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.pkg.apis.Condition;
import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.TrafficTarget;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The score Service through fabric8's Knative extension: Services and Revisions read as its typed
 * kinds, the promoter's fields written by one JSON patch per step (field manager
 * {@value #FIELD_MANAGER}), led by a test of the resourceVersion just read, so a write that crossed
 * another (Argo CD's sync, a rollback) is refused whole and the promoter reads again.
 *
 * <p>Not server-side apply: Knative's CRD makes the template's containers list atomic, so an apply
 * holding only the score container's MODEL_VERSION entry replaces the whole container (image,
 * probes, env), which the real API server showed in PromoterIT. The patch touches exactly the
 * owned fields: the traffic block, the MODEL_VERSION entry, the initial-scale and rollout
 * annotations. Argo CD ignores exactly these (argocd/), so its syncs and this promoter never undo
 * each other.
 */
public final class KnativeServiceRoutes implements ServiceRoutes {

    public static final String FIELD_MANAGER = "prsentinel-bluegreen";

    private final KnativeClient knative;
    private final KubernetesClient client;
    private final String namespace;
    private final String service;
    private final String container;

    /**
     * @param container the score container's name in the template
     */
    public KnativeServiceRoutes(KubernetesClient client, String namespace, String service, String container) {
        this.client = client;
        this.knative = client.adapt(KnativeClient.class);
        this.namespace = namespace;
        this.service = service;
        this.container = container;
    }

    @Override
    public ServiceState read() {
        Service s = knative.services().inNamespace(namespace).withName(service).get();
        if (s == null) {
            throw new IllegalStateException("no Knative Service " + namespace + "/" + service);
        }
        var template = s.getSpec().getTemplate();
        Map<String, String> templateAnnotations = template == null || template.getMetadata() == null
                || template.getMetadata().getAnnotations() == null ? Map.of() : template.getMetadata().getAnnotations();
        String scale = templateAnnotations.get(INITIAL_SCALE);
        var status = s.getStatus();
        Map<String, String> annotations = s.getMetadata().getAnnotations() == null ? Map.of()
                : s.getMetadata().getAnnotations();
        return new ServiceState(s.getMetadata().getResourceVersion(), orZero(s.getMetadata().getGeneration()),
                status == null ? 0 : orZero(status.getObservedGeneration()),
                status == null ? null : status.getLatestCreatedRevisionName(),
                status == null ? null : status.getLatestReadyRevisionName(),
                targets(s.getSpec().getTraffic()), status == null ? List.of() : targets(status.getTraffic()),
                template == null || template.getSpec() == null ? null : modelVersion(template.getSpec().getContainers(
                        )),
                scale == null ? null : Integer.valueOf(scale), annotations.get(ROLLOUT_ANNOTATION));
    }

    @Override
    public Optional<RevisionState> revision(String name) {
        Revision r = knative.revisions().inNamespace(namespace).withName(name).get();
        if (r == null) {
            return Optional.empty();
        }
        boolean ready = false;
        String message = null;
        if (r.getStatus() != null && r.getStatus().getConditions() != null) {
            for (Condition c : r.getStatus().getConditions()) {
                if ("Ready".equals(c.getType())) {
                    ready = "True".equals(c.getStatus());
                    message = c.getMessage();
                }
            }
        }
        Integer replicas = r.getStatus() == null ? null : r.getStatus().getActualReplicas();
        return Optional.of(new RevisionState(name, modelVersion(r.getSpec().getContainers()), ready, message,
                replicas == null ? 0 : replicas));
    }

    @Override
    public long apply(Owned owned, String resourceVersion) {
        GenericKubernetesResource live = services().withName(service).get();
        if (live == null) {
            throw new IllegalStateException("no Knative Service " + namespace + "/" + service);
        }
        if (resourceVersion != null && !resourceVersion.equals(live.getMetadata().getResourceVersion())) {
            throw new Conflict("the Service changed since it was read (" + resourceVersion + ", now "
                    + live.getMetadata().getResourceVersion() + ")");
        }
        String patch = client.getKubernetesSerialization().asJson(patch(live, owned, resourceVersion));
        try {
            GenericKubernetesResource patched = services().withName(service).patch(new PatchContext.Builder()
                    .withPatchType(PatchType.JSON).withFieldManager(FIELD_MANAGER).build(), patch);
            return orZero(patched.getMetadata().getGeneration());
        } catch (KubernetesClientException e) {
            // A failed resourceVersion test is a 422 whose message does not say so: someone wrote in between
            // (Knative's status updates do, all the time).
            GenericKubernetesResource now = services().withName(service).get();
            boolean moved = now != null && resourceVersion != null
                    && !resourceVersion.equals(now.getMetadata().getResourceVersion());
            if (e.getCode() == 409 || e.getCode() == 422 && moved) {
                throw new Conflict(e.getMessage());
            }
            throw e;
        }
    }

    private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<GenericKubernetesResource,
            io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
            io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>> services() {
        return client.genericKubernetesResources("serving.knative.dev/v1", "Service").inNamespace(namespace);
    }

    /**
     * The JSON patch (RFC 6902) that sets the owned fields on {@code live}, led by a test of the
     * resourceVersion: the list indexes it uses are those of the object read, and the server refuses
     * the whole patch if anyone wrote since.
     */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> patch(GenericKubernetesResource live, Owned owned, String resourceVersion) {
        List<Map<String, Object>> ops = new ArrayList<>();
        if (resourceVersion != null) {
            ops.add(op("test", "/metadata/resourceVersion", resourceVersion));
        }
        // fabric8 reads an absent map as empty: either way there is no key to add into.
        if (live.getMetadata().getAnnotations() == null || live.getMetadata().getAnnotations().isEmpty()) {
            ops.add(op("add", "/metadata/annotations", Map.of(ROLLOUT_ANNOTATION, owned.rollout())));
        } else {
            ops.add(op("add", "/metadata/annotations/" + escape(ROLLOUT_ANNOTATION), owned.rollout()));
        }
        List<Map<String, Object>> traffic = new ArrayList<>();
        for (Target t : owned.traffic()) {
            Map<String, Object> target = new LinkedHashMap<>();
            if (t.latestRevision()) {
                target.put("latestRevision", true);
            } else {
                target.put("revisionName", t.revisionName());
                target.put("latestRevision", false);
            }
            target.put("percent", t.percent());
            if (t.tag() != null) {
                target.put("tag", t.tag());
            }
            traffic.add(target);
        }
        ops.add(op("add", "/spec/traffic", traffic));

        Map<String, Object> spec = (Map<String, Object>) live.getAdditionalProperties().get("spec");
        Map<String, Object> template = (Map<String, Object>) spec.get("template");
        Map<String, Object> templateMetadata = (Map<String, Object>) template.get("metadata");
        Map<String, Object> templateAnnotations = templateMetadata == null ? null
                : (Map<String, Object>) templateMetadata.get("annotations");
        if (owned.initialScale() != null) {
            String scale = owned.initialScale().toString();
            if (templateMetadata == null || templateMetadata.isEmpty()) {
                ops.add(op("add", "/spec/template/metadata", Map.of("annotations", Map.of(INITIAL_SCALE, scale))));
            } else if (templateAnnotations == null || templateAnnotations.isEmpty()) {
                ops.add(op("add", "/spec/template/metadata/annotations", Map.of(INITIAL_SCALE, scale)));
            } else {
                ops.add(op("add", "/spec/template/metadata/annotations/" + escape(INITIAL_SCALE), scale));
            }
        } else if (templateAnnotations != null && templateAnnotations.containsKey(INITIAL_SCALE)) {
            ops.add(op("remove", "/spec/template/metadata/annotations/" + escape(INITIAL_SCALE), null));
        }

        List<Map<String, Object>> containers = (List<Map<String, Object>>) ((Map<String, Object>) template.get("spec"))
                .get("containers");
        int c = 0;
        for (int i = 0; i < containers.size(); i++) {
            if (container.equals(containers.get(i).get("name"))) {
                c = i;
            }
        }
        String at = "/spec/template/spec/containers/" + c + "/env";
        List<Map<String, Object>> env = (List<Map<String, Object>>) containers.get(c).get("env");
        int entry = -1;
        for (int i = 0; env != null && i < env.size(); i++) {
            if (MODEL_VERSION.equals(env.get(i).get("name"))) {
                entry = i;
            }
        }
        if (owned.modelVersion() != null) {
            Map<String, Object> variable = Map.of("name", MODEL_VERSION, "value", owned.modelVersion());
            if (env == null) {
                ops.add(op("add", at, List.of(variable)));
            } else if (entry < 0) {
                ops.add(op("add", at + "/-", variable));
            } else {
                ops.add(op("replace", at + "/" + entry, variable));
            }
        } else if (entry >= 0) {
            ops.add(op("remove", at + "/" + entry, null));
        }
        return ops;
    }

    private static Map<String, Object> op(String op, String path, Object value) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("op", op);
        m.put("path", path);
        if (value != null) {
            m.put("value", value);
        }
        return m;
    }

    /** A JSON pointer's escaping of a key: ~ as ~0, / as ~1. */
    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    @Override
    public Optional<URI> address(String tag) {
        Service s = knative.services().inNamespace(namespace).withName(service).get();
        if (s == null || s.getStatus() == null || s.getStatus().getTraffic() == null) {
            return Optional.empty();
        }
        return s.getStatus().getTraffic().stream().filter(t -> tag.equals(t.getTag()) && t.getUrl() != null)
                .map(t -> URI.create(t.getUrl())).findFirst();
    }

    private String modelVersion(List<Container> containers) {
        if (containers == null) {
            return null;
        }
        for (Container c : containers) {
            if (containers.size() == 1 || container.equals(c.getName())) {
                if (c.getEnv() != null) {
                    for (EnvVar v : c.getEnv()) {
                        if (MODEL_VERSION.equals(v.getName())) {
                            return v.getValue();
                        }
                    }
                }
            }
        }
        return null;
    }

    private static List<Target> targets(List<TrafficTarget> traffic) {
        List<Target> out = new ArrayList<>();
        if (traffic != null) {
            for (TrafficTarget t : traffic) {
                out.add(new Target(t.getRevisionName(), Boolean.TRUE.equals(t.getLatestRevision()),
                        t.getPercent() == null ? 0 : t.getPercent(), t.getTag(), t.getUrl()));
            }
        }
        return out;
    }

    private static long orZero(Long v) {
        return v == null ? 0 : v;
    }
}
