package dev.prsentinel.bluegreen;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prsentinel.bluegreen.gate.LoadContract;
import dev.prsentinel.bluegreen.gate.LoadSummary;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A scenario as a Kubernetes Job running k6's official image (perf/k6-job.yaml, pinned by
 * digest) on the scripts and contract of the perf ConfigMap. k6's handleSummary prints its summary
 * on one marked line; the promoter reads it from the pod's log and judges it like any other summary.
 * A Job that ends without that line (k6 could not start, the script threw) is a failed run, not a
 * pass.
 */
public final class K6JobLoadTest implements ContractLoadTest.Runner {

    /** The line prefix perf/lib.js writes the summary after. */
    static final String MARK = "PRSENTINEL-K6-SUMMARY ";

    private final KubernetesClient client;
    private final String namespace;
    private final Path template;
    private final String rolloutId;
    private final Duration timeout;

    public K6JobLoadTest(KubernetesClient client, String namespace, Path template, String rolloutId,
            Duration timeout) {
        this.client = client;
        this.namespace = namespace;
        this.template = template;
        this.rolloutId = rolloutId;
        this.timeout = timeout;
    }

    /** The Job for one scenario, from the template: a name per rollout and scenario, the target in TARGET_URL. */
    Job job(String scenario, URI target) throws IOException {
        Job job;
        try (InputStream in = Files.newInputStream(template)) {
            job = new KubernetesSerialization().unmarshal(in, Job.class);
        }
        String name = ("k6-" + scenario + "-" + rolloutId).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        name = name.length() > 63 ? name.substring(0, 63) : name;
        job.getMetadata().setName(name.replaceAll("-+$", ""));
        job.getMetadata().setNamespace(namespace);
        Container k6 = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        k6.setArgs(List.of("run", "--quiet", "/perf/" + scenario + ".js"));
        List<EnvVar> env = new ArrayList<>(k6.getEnv() == null ? List.of() : k6.getEnv());
        env.removeIf(v -> v.getName().equals("TARGET_URL"));
        env.add(new EnvVar("TARGET_URL", target.toString(), null));
        k6.setEnv(env);
        Map<String, String> labels = new HashMap<>(job.getMetadata().getLabels() == null ? Map.of()
                : job.getMetadata().getLabels());
        labels.put("prsentinel.dev/scenario", scenario);
        job.getMetadata().setLabels(labels);
        return job;
    }

    @Override
    public LoadSummary run(LoadContract contract, String scenario, URI target) throws Exception {
        Job job = job(scenario, target);
        String name = job.getMetadata().getName();
        if (client.batch().v1().jobs().inNamespace(namespace).withName(name).get() == null) {
            client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
        }
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Job live = client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
            var status = live == null ? null : live.getStatus();
            boolean done = status != null && ((status.getSucceeded() != null && status.getSucceeded() > 0)
                    || (status.getFailed() != null && status.getFailed() > 0));
            if (done) {
                break;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IOException("k6 Job " + name + " did not finish within " + timeout);
            }
            Thread.sleep(2000);
        }
        List<Pod> pods = client.pods().inNamespace(namespace).withLabel("job-name", name).list().getItems();
        if (pods.isEmpty()) {
            throw new IOException("k6 Job " + name + " has no pod to read the summary from");
        }
        String log = client.pods().inNamespace(namespace).withName(pods.get(0).getMetadata().getName()).getLog();
        return summaryFromLog(log, name);
    }

    /** The summary on the log's last marked line; a log without one is k6 failing to run. */
    static LoadSummary summaryFromLog(String log, String job) throws IOException {
        String found = null;
        for (String line : log.split("\n")) {
            int at = line.indexOf(MARK);
            if (at >= 0) {
                found = line.substring(at + MARK.length());
            }
        }
        if (found == null) {
            throw new IOException("k6 Job " + job + " printed no summary (k6 did not finish its run): "
                    + log.lines().reduce((a, b) -> b).orElse("empty log"));
        }
        return LoadSummary.fromK6(new ObjectMapper().readTree(found));
    }
}
