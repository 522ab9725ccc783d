package dev.prsentinel.train;

import dev.prsentinel.core.jobs.ChildJvm;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.launcher.JavaModuleOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link TrainingJobMain} in a child JVM on train-trigger's own classpath (Spark and DJL, which
 * the caller may not have): off the request thread, with its own heap, like the Job pod in the
 * cluster. DJL offline and one PyTorch thread each (STACK-NOTES); one log file per training.
 */
public final class LocalTrainLauncher implements TrainLauncher {

    private static final Logger LOG = LoggerFactory.getLogger(LocalTrainLauncher.class);

    private final String classpath;
    private final Map<String, String> env;
    private final Path logDir;

    /**
     * @param env the job's environment: MONGODB_URI, MONGODB_DATABASE, K_SINK, MLFLOW_TRACKING_URI
     */
    public LocalTrainLauncher(String classpath, Map<String, String> env, Path logDir) {
        this.classpath = classpath;
        this.env = Map.copyOf(env);
        this.logDir = logDir;
    }

    @Override
    public void launch(String featureSetId, Runnable onFailure) {
        List<String> jvm = new ArrayList<>(List.of("-Xmx3g", "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1"));
        jvm.addAll(Arrays.asList(JavaModuleOptions.defaultModuleOptions().split(" ")));
        Path log = logDir.resolve("train-" + featureSetId + ".log");
        try {
            Process process = ChildJvm.start(TrainingJobMain.class.getName(), classpath, jvm,
                    List.of("--feature-set", featureSetId, "--master", "local[2]"), env, log, exit -> {
                        if (exit != 0) {
                            LOG.warn("training of {} exited with {}; see {}", featureSetId, exit, log);
                            onFailure.run();
                        }
                    });
            LOG.info("training of {} started (pid {}), log {}", featureSetId, process.pid(), log);
        } catch (IOException e) {
            LOG.error("cannot start the training of {}: {}", featureSetId, e.toString());
            onFailure.run();
        }
    }
}
