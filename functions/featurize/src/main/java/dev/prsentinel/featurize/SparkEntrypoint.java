package dev.prsentinel.featurize;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.spark.launcher.JavaModuleOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spark's container contract, kept by featurize's own image: in cluster mode Spark starts the
 * driver and executor pods from this image with the arguments {@code driver ...} or
 * {@code executor} and expects what Spark's entrypoint.sh does (Spark 4.0.1,
 * resource-managers/kubernetes/docker/.../entrypoint.sh): the driver as spark-submit in client
 * mode bound to its pod's address, an executor as KubernetesExecutorBackend configured from the
 * SPARK_* variables Spark sets on the pod. The image has no shell and no Spark distribution, so
 * this builds the same JVM command in Java, over the image's own classpath, and runs it as a child.
 */
public final class SparkEntrypoint {

    private static final Logger LOG = LoggerFactory.getLogger(SparkEntrypoint.class);

    private SparkEntrypoint() {
    }

    /** Whether these are the arguments Spark starts its pods with. */
    public static boolean handles(String[] args) {
        return args.length > 0 && (args[0].equals("driver") || args[0].equals("executor"));
    }

    /**
     * The JVM command for a Spark pod.
     *
     * @param java      the java binary of this runtime
     * @param classpath this image's classpath (the app's jar and its libraries)
     * @throws IllegalArgumentException naming the variable or setting a pod lacks
     */
    public static List<String> command(String[] args, Map<String, String> env, String java, String classpath)
            throws IOException {
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(Arrays.asList(JavaModuleOptions.defaultModuleOptionArray()));
        if (args[0].equals("driver")) {
            Properties conf = properties(rest);
            String memory = conf.getProperty("spark.driver.memory", "1g");
            cmd.add("-Xmx" + memory);
            String extra = conf.getProperty("spark.driver.extraJavaOptions", "").strip();
            if (!extra.isEmpty()) {
                cmd.addAll(Arrays.asList(extra.split("\\s+")));
            }
            String bind = require(env, "SPARK_DRIVER_BIND_ADDRESS");
            cmd.addAll(List.of("-cp", classpath, "org.apache.spark.deploy.SparkSubmit",
                    "--conf", "spark.driver.bindAddress=" + bind,
                    "--conf", "spark.executorEnv.SPARK_DRIVER_POD_IP=" + bind,
                    "--deploy-mode", "client"));
            cmd.addAll(rest);
            return cmd;
        }
        // SPARK_JAVA_OPT_0, _1, ...: the executor's JVM options, in their order.
        Map<Integer, String> options = new TreeMap<>();
        env.forEach((k, v) -> {
            if (k.startsWith("SPARK_JAVA_OPT_")) {
                options.put(Integer.parseInt(k.substring("SPARK_JAVA_OPT_".length())), v);
            }
        });
        cmd.addAll(options.values());
        String memory = require(env, "SPARK_EXECUTOR_MEMORY");
        cmd.add("-Xms" + memory);
        cmd.add("-Xmx" + memory);
        String sparkClasspath = env.getOrDefault("SPARK_CLASSPATH", "");
        cmd.addAll(List.of("-cp", sparkClasspath.isEmpty() ? classpath : sparkClasspath + ":" + classpath,
                "org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend",
                "--driver-url", require(env, "SPARK_DRIVER_URL"),
                "--executor-id", require(env, "SPARK_EXECUTOR_ID"),
                "--cores", require(env, "SPARK_EXECUTOR_CORES"),
                "--app-id", require(env, "SPARK_APPLICATION_ID"),
                "--hostname", require(env, "SPARK_EXECUTOR_POD_IP"),
                "--resourceProfileId", require(env, "SPARK_RESOURCE_PROFILE_ID"),
                "--podName", require(env, "SPARK_EXECUTOR_POD_NAME")));
        return cmd;
    }

    private static String require(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is not set: Spark sets it on the pods it starts");
        }
        return value;
    }

    /** The driver's --properties-file, which spark-submit reads the driver's memory from. */
    private static Properties properties(List<String> args) throws IOException {
        Properties conf = new Properties();
        int at = args.indexOf("--properties-file");
        if (at >= 0 && at + 1 < args.size()) {
            try (InputStream in = Files.newInputStream(Path.of(args.get(at + 1)))) {
                conf.load(in);
            }
        }
        return conf;
    }

    /** Runs the pod's command as a child of this JVM, passing a stop on, and exits with its code. */
    public static void run(String[] args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command;
        try {
            command = command(args, System.getenv(), java, System.getProperty("java.class.path"));
        } catch (IllegalArgumentException e) {
            LOG.error("cannot start the Spark {} pod: {}", args[0], e.getMessage());
            System.exit(2);
            return;
        }
        Process child = new ProcessBuilder(command).inheritIO().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            child.destroy();
            try {
                child.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        System.exit(child.waitFor());
    }
}
