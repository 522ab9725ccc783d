package dev.prsentinel.featurize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands Spark's pods get from featurize's image, as Spark 4.0.1's entrypoint.sh builds them. */
class SparkEntrypointTest {

    @TempDir
    Path dir;

    @Test
    void theDriverIsSparkSubmitInClientModeBoundToItsPodWithItsMemory() throws Exception {
        Path props = dir.resolve("spark.properties");
        Files.writeString(props, "spark.driver.memory=2g\nspark.driver.extraJavaOptions=-Dx=1 -Dy=2\n");
        String[] args = {"driver", "--properties-file", props.toString(), "--class",
            "dev.prsentinel.featurize.job.FeatureJobMain", "local:///app/classpath/featurize.jar",
            "--output", "s3a://b/s"};

        List<String> cmd = SparkEntrypoint.command(args, Map.of("SPARK_DRIVER_BIND_ADDRESS", "10.1.2.3"),
                "/opt/java/bin/java", "/app/classpath/*:/app/libs/a.jar");

        assertThat(cmd.get(0)).isEqualTo("/opt/java/bin/java");
        assertThat(cmd).contains("-Xmx2g", "-Dx=1", "-Dy=2", "--add-opens=java.base/java.nio=ALL-UNNAMED")
                .containsSequence("-cp", "/app/classpath/*:/app/libs/a.jar", "org.apache.spark.deploy.SparkSubmit",
                        "--conf", "spark.driver.bindAddress=10.1.2.3",
                        "--conf", "spark.executorEnv.SPARK_DRIVER_POD_IP=10.1.2.3", "--deploy-mode", "client",
                        "--properties-file", props.toString())
                .endsWith("local:///app/classpath/featurize.jar", "--output", "s3a://b/s");
    }

    @Test
    void anExecutorIsTheBackendConfiguredFromThePodsVariables() throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("SPARK_EXECUTOR_MEMORY", "1024m",
                "SPARK_DRIVER_URL", "spark://CoarseGrainedScheduler@d.svc:7078", "SPARK_EXECUTOR_ID", "3",
                "SPARK_EXECUTOR_CORES", "1", "SPARK_APPLICATION_ID", "spark-app-1", "SPARK_EXECUTOR_POD_IP", "10.0.0.9",
                "SPARK_RESOURCE_PROFILE_ID", "0", "SPARK_EXECUTOR_POD_NAME", "fs-exec-3"));
        env.put("SPARK_JAVA_OPT_1", "-Dspark.b=2");
        env.put("SPARK_JAVA_OPT_0", "-Dspark.a=1");
        env.put("SPARK_JAVA_OPT_10", "-Dspark.k=10");

        List<String> cmd = SparkEntrypoint.command(new String[] {"executor"}, env, "java", "/app/libs/a.jar");

        assertThat(cmd).containsSubsequence("-Dspark.a=1", "-Dspark.b=2", "-Dspark.k=10", "-Xms1024m", "-Xmx1024m")
                .containsSequence("-cp", "/app/libs/a.jar",
                        "org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend",
                        "--driver-url", "spark://CoarseGrainedScheduler@d.svc:7078", "--executor-id", "3",
                        "--cores", "1", "--app-id", "spark-app-1", "--hostname", "10.0.0.9",
                        "--resourceProfileId", "0", "--podName", "fs-exec-3");
    }

    @Test
    void aPodWithoutSparksVariablesIsRefusedNamingTheFirstMissing() {
        assertThatThrownBy(() -> SparkEntrypoint.command(new String[] {"executor"}, Map.of(), "java", "cp"))
                .hasMessage("SPARK_EXECUTOR_MEMORY is not set: Spark sets it on the pods it starts");
        assertThatThrownBy(() -> SparkEntrypoint.command(new String[] {"driver"}, Map.of(), "java", "cp"))
                .hasMessageStartingWith("SPARK_DRIVER_BIND_ADDRESS is not set");
        assertThat(SparkEntrypoint.handles(new String[0])).isFalse();
        assertThat(SparkEntrypoint.handles(new String[] {"serve"})).isFalse();
    }
}
