package dev.prsentinel.bluegreen;

import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.pkg.apis.Condition;
import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.RevisionBuilder;
import io.fabric8.knative.serving.v1.RevisionStatus;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceStatus;
import io.fabric8.knative.serving.v1.TrafficTarget;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Plays Knative Serving's controllers on a real API server that has no Knative installed: what the
 * promoter relies on them for, and nothing else. A STAND-IN, because no Knative controller (nor a
 * kubelet to run its pods) can run on these machines; the objects, their schemas (Knative's CRDs),
 * field ownership and concurrency are the real API server's.
 *
 * <ul>
 *   <li>Each new template of a Service makes a Revision NAME-0000N (Knative's naming) holding it;
 *       the Service's status gets observedGeneration and latestCreatedRevisionName.</li>
 *   <li>A Revision becomes Ready with initial-scale pods (or 1), unless the test says otherwise.</li>
 *   <li>The route: the spec's traffic (or 100% latest ready when there is none) resolved to
 *       revision names, each tagged target given an address: the local score server that serves
 *       that revision's MODEL_VERSION.</li>
 * </ul>
 */
final class KnativeStandIn implements AutoCloseable {

    private final KnativeClient knative;
    private final String namespace;
    private final Function<String, URI> serverForModel;
    private final Map<String, String> lastTemplate = new ConcurrentHashMap<>();
    /** Services whose templates the stand-in ignores: Knative making no revision. */
    final Set<String> frozen = ConcurrentHashMap.newKeySet();
    /** Model versions whose revisions never become Ready. */
    final Set<String> neverReady = ConcurrentHashMap.newKeySet();
    private final Thread loop;
    private volatile boolean running = true;

    /**
     * @param serverForModel the address serving a model version (null: the one the alias names)
     */
    KnativeStandIn(KubernetesClient client, String namespace, Function<String, URI> serverForModel) {
        this.knative = client.adapt(KnativeClient.class);
        this.namespace = namespace;
        this.serverForModel = serverForModel;
        this.loop = new Thread(this::run, "knative-stand-in");
        loop.setDaemon(true);
        loop.start();
    }

    private void run() {
        while (running) {
            try {
                for (Service s : knative.services().inNamespace(namespace).list().getItems()) {
                    reconcile(s);
                }
                Thread.sleep(25);
            } catch (InterruptedException e) {
                return;
            } catch (KubernetesClientException e) {
                // A conflict with the promoter's or the test's writes: the next round sees the new state.
            }
        }
    }

    private void reconcile(Service s) {
        String name = s.getMetadata().getName();
        if (frozen.contains(name)) {
            return;
        }
        String template = knativeJson(s.getSpec().getTemplate());
        List<Revision> revisions = revisionsOf(name);
        if (!template.equals(lastTemplate.get(name)) || revisions.isEmpty()) {
            String revName = String.format("%s-%05d", name, revisions.size() + 1);
            Map<String, String> annotations = s.getSpec().getTemplate().getMetadata() == null
                    || s.getSpec().getTemplate().getMetadata().getAnnotations() == null ? Map.of()
                    : s.getSpec().getTemplate().getMetadata().getAnnotations();
            knative.revisions().inNamespace(namespace).resource(new RevisionBuilder().withNewMetadata()
                    .withName(revName).withNamespace(namespace).withAnnotations(annotations)
                    .withLabels(Map.of("serving.knative.dev/service", name,
                            "serving.knative.dev/configurationGeneration",
                            String.valueOf(s.getMetadata().getGeneration())))
                    .endMetadata().withSpec(s.getSpec().getTemplate().getSpec()).build()).create();
            lastTemplate.put(name, template);
            revisions = revisionsOf(name);
        }
        String latestReady = null;
        for (Revision r : revisions) {
            String model = modelVersion(r);
            boolean ready = model == null || !neverReady.contains(model);
            if (r.getStatus() == null) {
                String scale = r.getMetadata().getAnnotations() == null ? null
                        : r.getMetadata().getAnnotations().get(ServiceRoutes.INITIAL_SCALE);
                RevisionStatus status = new RevisionStatus();
                status.setConditions(List.of(condition(ready)));
                status.setObservedGeneration(1L);
                status.setActualReplicas(ready ? (scale == null ? 1 : Integer.parseInt(scale)) : 0);
                r.setStatus(status);
                knative.revisions().inNamespace(namespace).resource(r).updateStatus();
            }
            if (ready) {
                latestReady = r.getMetadata().getName();
            }
        }
        String latestCreated = revisions.get(revisions.size() - 1).getMetadata().getName();
        List<TrafficTarget> routed = new ArrayList<>();
        List<TrafficTarget> spec = s.getSpec().getTraffic() == null || s.getSpec().getTraffic().isEmpty()
                ? List.of(new TrafficTarget(null, true, 100L, null, null, null)) : s.getSpec().getTraffic();
        Map<String, Revision> byName = new HashMap<>();
        revisions.forEach(r -> byName.put(r.getMetadata().getName(), r));
        for (TrafficTarget t : spec) {
            String rev = Boolean.TRUE.equals(t.getLatestRevision()) ? latestReady : t.getRevisionName();
            String url = t.getTag() == null || rev == null || !byName.containsKey(rev) ? null
                    : serverForModel.apply(modelVersion(byName.get(rev))).toString();
            routed.add(new TrafficTarget(null, Boolean.TRUE.equals(t.getLatestRevision()), t.getPercent(), rev,
                    t.getTag(), url));
        }
        ServiceStatus status = new ServiceStatus();
        status.setObservedGeneration(s.getMetadata().getGeneration());
        status.setLatestCreatedRevisionName(latestCreated);
        status.setLatestReadyRevisionName(latestReady);
        status.setTraffic(routed);
        status.setConditions(List.of(condition(true)));
        if (!status.equals(s.getStatus())) {
            s.setStatus(status);
            knative.services().inNamespace(namespace).resource(s).updateStatus();
        }
    }

    private static Condition condition(boolean ready) {
        Condition c = new Condition();
        c.setType("Ready");
        c.setStatus(ready ? "True" : "False");
        if (!ready) {
            c.setReason("ProgressDeadlineExceeded");
            c.setMessage("the stand-in was told this model's pods never become ready");
        }
        return c;
    }

    private List<Revision> revisionsOf(String service) {
        List<Revision> all = new ArrayList<>(knative.revisions().inNamespace(namespace)
                .withLabel("serving.knative.dev/service", service).list().getItems());
        all.sort(java.util.Comparator.comparing(r -> r.getMetadata().getName()));
        return all;
    }

    static String modelVersion(Revision r) {
        if (r.getSpec().getContainers() == null) {
            return null;
        }
        for (var c : r.getSpec().getContainers()) {
            if (c.getEnv() != null) {
                for (EnvVar v : c.getEnv()) {
                    if (ServiceRoutes.MODEL_VERSION.equals(v.getName())) {
                        return v.getValue();
                    }
                }
            }
        }
        return null;
    }

    private static String knativeJson(Object o) {
        return new io.fabric8.kubernetes.client.utils.KubernetesSerialization().asJson(o);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        loop.interrupt();
        loop.join(5000);
    }
}
