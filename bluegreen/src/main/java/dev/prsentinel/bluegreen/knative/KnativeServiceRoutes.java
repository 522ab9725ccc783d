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
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The score Service through fabric8's Knative extension: Services and Revisions read as its typed
 * kinds, the promoter's fields written by server-side apply under the field manager
 * {@value #FIELD_MANAGER}. The apply body is built by hand, holding only those fields: the typed
 * builders would serialise defaults and empty lists, and under server-side apply every field sent
 * is a field claimed, which would take fields from Argo CD's manager. Argo CD ignores exactly these
 * fields (argocd/: /spec/traffic, the MODEL_VERSION entry, the initial-scale annotation), so its
 * syncs and this promoter never undo each other.
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
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", service);
        metadata.put("namespace", namespace);
        if (resourceVersion != null) {
            metadata.put("resourceVersion", resourceVersion);
        }
        metadata.put("annotations", Map.of(ROLLOUT_ANNOTATION, owned.rollout()));
        Map<String, Object> spec = new LinkedHashMap<>();
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
        spec.put("traffic", traffic);
        Map<String, Object> template = new LinkedHashMap<>();
        if (owned.initialScale() != null) {
            template.put("metadata", Map.of("annotations", Map.of(INITIAL_SCALE, owned.initialScale().toString())));
        }
        if (owned.modelVersion() != null) {
            template.put("spec", Map.of("containers", List.of(Map.of("name", container,
                    "env", List.of(Map.of("name", MODEL_VERSION, "value", owned.modelVersion()))))));
        }
        if (!template.isEmpty()) {
            spec.put("template", template);
        }
        GenericKubernetesResource body = new GenericKubernetesResource();
        body.setApiVersion("serving.knative.dev/v1");
        body.setKind("Service");
        body.setMetadata(client.getKubernetesSerialization().convertValue(metadata,
                io.fabric8.kubernetes.api.model.ObjectMeta.class));
        body.setAdditionalProperty("spec", spec);
        try {
            GenericKubernetesResource applied = client.genericKubernetesResources("serving.knative.dev/v1", "Service")
                    .inNamespace(namespace).resource(body).fieldManager(FIELD_MANAGER).forceConflicts()
                    .serverSideApply();
            return orZero(applied.getMetadata().getGeneration());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                throw new Conflict(e.getMessage());
            }
            throw e;
        }
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
