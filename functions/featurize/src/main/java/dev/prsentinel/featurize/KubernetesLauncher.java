package dev.prsentinel.featurize;

import dev.prsentinel.core.secrets.JobSecrets;
import dev.prsentinel.featurize.job.FeatureJobMain;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.launcher.InProcessLauncher;
import org.apache.spark.launcher.SparkAppHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits the job to Kubernetes in cluster mode from inside the function, without a Spark
 * distribution (InProcessLauncher runs spark-submit in this JVM): Spark creates a driver pod from
 * the same image, which then creates its executors. The function returns once the pod is
 * created; the job reports its own result.
 *
 * <p>The driver gets only what is not secret: the VAULT_* settings of its own role
 * (FEATURIZE_JOB_VAULT_ROLE and FEATURIZE_JOB_VAULT_SECRET_PATH, e.g. prsentinel-staging-spark-driver),
 * and K_SINK, MONGODB_DATABASE, the output location. Never MONGODB_URI or a token. It logs in with
 * the projected token its pod template (FEATURIZE_DRIVER_POD_TEMPLATE) mounts. Executors get no
 * Vault settings at all: the connection string reaches them inside the tasks the driver sends,
 * over Spark's RPC, which spark.authenticate and spark.network.crypto.enabled authenticate and
 * encrypt. Spark keeps that RPC secret in the executor pods' environment
 * (SPARK_AUTHENTICATE_SECRET), readable by whoever may read pods in the namespace; it opens the
 * job's own channel, not the store.
 */
public final class KubernetesLauncher implements JobLauncher {

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesLauncher.class);
    /** Not secret, passed as they are; the VAULT_* are the driver's own role's (FEATURIZE_JOB_VAULT_*). */
    private static final List<String> SETTINGS = List.of("K_SINK", "MONGODB_DATABASE", "FEATURIZE_S3_ENDPOINT");
    /** The environment a driver pod may receive from the function. */
    public static final Set<String> PASSED_TO_DRIVER = Stream.concat(JobSecrets.VAULT_VARIABLES.stream(),
            SETTINGS.stream()).collect(Collectors.toUnmodifiableSet());

    /**
     * Settings.
     *
     * @param master         k8s://https://kubernetes.default.svc in a pod
     * @param namespace      where the driver and executors run
     * @param image          the featurize image, by digest
     * @param appResource    the application jar inside the image (local:///...)
     * @param serviceAccount the driver's service account (rbac.yaml: spark-driver)
     * @param output         where sets go (s3a://...)
     * @param executors      executor pods
     */
    public record Settings(String master, String namespace, String image, String appResource,
            String serviceAccount, String output, int executors) {
    }

    private final Settings settings;
    private final Map<String, String> env;

    /**
     * @param env the function's environment; only {@link #PASSED_TO_DRIVER} of it is passed on
     */
    public KubernetesLauncher(Settings settings, Map<String, String> env) {
        this.settings = settings;
        this.env = Map.copyOf(env);
    }

    /**
     * The launcher a featurize pod configures from its environment (in this class, not the function's,
     * so a local runtime without the Kubernetes client never loads it). The driver runs this very
     * image: FEATURIZE_IMAGE when set, else the image of this pod, read from the API server (so the
     * digest an overlay pins is written in one place only).
     */
    public static KubernetesLauncher fromEnvironment(Map<String, String> env, String output) throws IOException {
        Path namespaceFile = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
        String namespace = env.getOrDefault("FEATURIZE_NAMESPACE",
                Files.isReadable(namespaceFile) ? Files.readString(namespaceFile).trim() : "default");
        String image = env.get("FEATURIZE_IMAGE");
        if (image == null || image.isBlank()) {
            try (KubernetesClient k8s = new KubernetesClientBuilder().build()) {
                image = k8s.pods().inNamespace(namespace).withName(env.get("HOSTNAME")).get().getSpec()
                        .getContainers().get(0).getImage();
            }
        }
        return new KubernetesLauncher(new KubernetesLauncher.Settings(
                env.getOrDefault("FEATURIZE_K8S_MASTER", "k8s://https://kubernetes.default.svc"), namespace, image,
                env.getOrDefault("FEATURIZE_APP_RESOURCE", "local:///app/classpath/featurize.jar"),
                env.getOrDefault("FEATURIZE_DRIVER_SERVICE_ACCOUNT", "spark-driver"), output,
                Integer.parseInt(env.getOrDefault("FEATURIZE_EXECUTORS", "2"))), env);
    }

    @Override
    public void launch(Instant windowEnd, Runnable onFailure) {
        try {
            // Without a properties file spark-submit looks for SPARK_HOME/conf, which an image without a
            // Spark distribution does not have.
            Path properties = Files.createTempFile("featurize-spark", ".properties");
            String name = "featurize-" + windowEnd.getEpochSecond();
            InProcessLauncher launcher = new InProcessLauncher()
                    .setMaster(settings.master())
                    .setDeployMode("cluster")
                    .setAppName(name)
                    .setAppResource(settings.appResource())
                    .setMainClass(FeatureJobMain.class.getName())
                    .setPropertiesFile(properties.toString())
                    .addAppArgs("--output", settings.output(), "--window-end", windowEnd.toString(),
                            "--partitions", String.valueOf(Math.max(2, settings.executors() * 2)))
                    .setConf("spark.kubernetes.namespace", settings.namespace())
                    .setConf("spark.kubernetes.container.image", settings.image())
                    .setConf("spark.kubernetes.authenticate.driver.serviceAccountName", settings.serviceAccount())
                    .setConf("spark.kubernetes.submission.waitAppCompletion", "false")
                    .setConf("spark.kubernetes.driver.pod.name", name + "-driver")
                    .setConf("spark.executor.instances", String.valueOf(settings.executors()))
                    .setConf("spark.ui.enabled", "false");
            Map<String, String> driverEnv = new java.util.TreeMap<>(JobSecrets.forJob(env, "FEATURIZE_JOB_"));
            for (String key : SETTINGS) {
                if (env.get(key) != null) {
                    driverEnv.put(key, env.get(key));
                }
            }
            driverEnv.forEach((key, value) -> launcher.setConf("spark.kubernetes.driverEnv." + key, value));
            launcher.setConf("spark.authenticate", "true").setConf("spark.network.crypto.enabled", "true");
            String template = env.getOrDefault("FEATURIZE_DRIVER_POD_TEMPLATE",
                    "/etc/prsentinel/spark-driver-pod.yaml");
            if (Files.isReadable(Path.of(template))) {
                launcher.setConf("spark.kubernetes.driver.podTemplateFile", template);
            }
            launcher.startApplication(new SparkAppHandle.Listener() {
                @Override
                public void stateChanged(SparkAppHandle handle) {
                    LOG.info("feature job {}: {}", name, handle.getState());
                    if (handle.getState() == SparkAppHandle.State.FAILED
                            || handle.getState() == SparkAppHandle.State.LOST) {
                        onFailure.run();
                    }
                }

                @Override
                public void infoChanged(SparkAppHandle handle) {
                    LOG.debug("feature job {}: app id {}", name, handle.getAppId());
                }
            });
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot submit the feature job: {}", e.toString());
            onFailure.run();
        }
    }
}
