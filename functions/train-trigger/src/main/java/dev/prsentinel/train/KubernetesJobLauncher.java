package dev.prsentinel.train;

import dev.prsentinel.core.secrets.JobSecrets;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a training as a Kubernetes Job that this function creates, one per feature set, from the
 * template in knative/train-trigger/train-job.yaml (mounted from a ConfigMap, read at each launch so
 * an edit needs no redeploy). Not Knative's JobSink: the policy must decide before a Job exists,
 * and JobSink starts one per event it receives. The Job's name derives from the feature set, so a
 * second creation for the same set is refused by the API server (409) and nothing runs twice.
 *
 * <p>The Job runs this function's own image (the one pinned by digest, read from this pod unless
 * TRAIN_IMAGE is set) with the training's entry point, and gets only what is not secret:
 * {@link #PASSED_TO_JOB}. Credentials come from Vault inside the Job.
 */
public final class KubernetesJobLauncher implements TrainLauncher {

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesJobLauncher.class);
    /** Not secret, passed as they are; the VAULT_* are the Job's own role's (TRAIN_JOB_VAULT_ROLE...). */
    private static final List<String> SETTINGS = List.of("K_SINK", "MONGODB_DATABASE", "MLFLOW_TRACKING_URI",
            "FEATURIZE_S3_ENDPOINT");
    /** The environment a training Job may receive from the function. */
    public static final Set<String> PASSED_TO_JOB = Stream.concat(JobSecrets.VAULT_VARIABLES.stream(),
            SETTINGS.stream()).collect(Collectors.toUnmodifiableSet());
    /** The label that names the feature set on the Job. */
    public static final String SET_LABEL = "prsentinel.dev/feature-set";

    private final KubernetesClient client;
    private final String namespace;
    private final Path template;
    private final String image;
    private final Map<String, String> env;
    private final KubernetesSerialization serialization = new KubernetesSerialization();

    /**
     * @param image the image to run, or null to keep the template's
     * @param env   the function's environment; only {@link #PASSED_TO_JOB} of it is passed on
     */
    public KubernetesJobLauncher(KubernetesClient client, String namespace, Path template, String image,
            Map<String, String> env) {
        this.client = client;
        this.namespace = namespace;
        this.template = template;
        this.image = image;
        this.env = Map.copyOf(env);
    }

    /** The launcher a train-trigger pod configures from its environment. */
    public static KubernetesJobLauncher fromEnvironment(Map<String, String> env) throws IOException {
        Path namespaceFile = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
        String namespace = env.getOrDefault("TRAIN_NAMESPACE",
                Files.isReadable(namespaceFile) ? Files.readString(namespaceFile).trim() : "default");
        KubernetesClient client = new KubernetesClientBuilder().build();
        String image = env.get("TRAIN_IMAGE");
        if ((image == null || image.isBlank()) && env.get("HOSTNAME") != null) {
            image = client.pods().inNamespace(namespace).withName(env.get("HOSTNAME")).get().getSpec()
                    .getContainers().get(0).getImage();
        }
        return new KubernetesJobLauncher(client, namespace,
                Path.of(env.getOrDefault("TRAIN_JOB_TEMPLATE", "/etc/prsentinel/train-job.yaml")), image, env);
    }

    /** A valid Job name for a feature set: lowercase, [a-z0-9-], at most 63 characters. */
    static String jobName(String featureSetId) {
        String name = ("train-" + featureSetId.toLowerCase(Locale.ROOT)).replaceAll("[^a-z0-9-]", "-");
        name = name.length() > 63 ? name.substring(0, 63) : name;
        return name.replaceAll("-+$", "");
    }

    /** The Job for a feature set, from the template. */
    Job job(String featureSetId) throws IOException {
        Job job;
        try (InputStream in = Files.newInputStream(template)) {
            job = serialization.unmarshal(in, Job.class);
        }
        job.getMetadata().setName(jobName(featureSetId));
        job.getMetadata().setNamespace(namespace);
        Map<String, String> labels = new HashMap<>();
        if (job.getMetadata().getLabels() != null) {
            labels.putAll(job.getMetadata().getLabels());
        }
        labels.put(SET_LABEL, jobName(featureSetId).substring("train-".length()));
        job.getMetadata().setLabels(labels);
        Container container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        if (image != null && !image.isBlank()) {
            container.setImage(image);
        }
        List<String> args = new ArrayList<>(container.getArgs() == null ? List.of() : container.getArgs());
        args.addAll(List.of("--feature-set", featureSetId));
        container.setArgs(args);
        Map<String, EnvVar> vars = new TreeMap<>();
        if (container.getEnv() != null) {
            container.getEnv().forEach(v -> vars.put(v.getName(), v));
        }
        Map<String, String> passed = new TreeMap<>(JobSecrets.forJob(env, "TRAIN_JOB_"));
        SETTINGS.stream().filter(env::containsKey).forEach(k -> passed.put(k, env.get(k)));
        passed.forEach((k, v) -> vars.put(k, new EnvVar(k, v, null)));
        container.setEnv(new ArrayList<>(vars.values()));
        return job;
    }

    @Override
    public void launch(String featureSetId, Runnable onFailure) {
        try {
            Job job = job(featureSetId);
            client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
            LOG.info("training Job {} created for {}", job.getMetadata().getName(), featureSetId);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                LOG.info("training Job for {} exists already: it ran or runs, nothing started", featureSetId);
                return;
            }
            LOG.error("cannot create the training Job for {}: {}", featureSetId, e.getMessage());
            onFailure.run();
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot create the training Job for {}: {}", featureSetId, e.toString());
            onFailure.run();
        }
    }
}
