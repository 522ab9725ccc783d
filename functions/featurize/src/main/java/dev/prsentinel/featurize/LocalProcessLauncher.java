package dev.prsentinel.featurize;

import dev.prsentinel.core.jobs.ChildJvm;
import dev.prsentinel.featurize.job.FeatureJobMain;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.launcher.JavaModuleOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the job as a child JVM with Spark in local mode: off the request thread, with its own heap,
 * and on its own classpath (the featurize module's, whose Jackson is the one Spark needs), which is
 * what a Spark driver pod is in the cluster. Its output goes to a log file per job.
 */
public final class LocalProcessLauncher implements JobLauncher {

    private static final Logger LOG = LoggerFactory.getLogger(LocalProcessLauncher.class);

    private final String classpath;
    private final String output;
    private final Map<String, String> env;
    private final Path logDir;
    private final String master;

    /**
     * @param classpath the job's classpath
     * @param output    where feature sets are written
     * @param env       the job's environment: MONGODB_URI, MONGODB_DATABASE, K_SINK
     * @param logDir    one log file per job lands here
     * @param master    Spark master, local[N]
     */
    public LocalProcessLauncher(String classpath, String output, Map<String, String> env, Path logDir,
            String master) {
        this.classpath = classpath;
        this.output = output;
        this.env = Map.copyOf(env);
        this.logDir = logDir;
        this.master = master;
    }

    @Override
    public void launch(Instant windowEnd, Runnable onFailure) {
        List<String> jvm = new ArrayList<>();
        jvm.add("-Xmx2g");
        jvm.addAll(Arrays.asList(JavaModuleOptions.defaultModuleOptions().split(" ")));
        Path log = logDir.resolve("featurize-" + windowEnd.toString().replace(':', '-') + ".log");
        try {
            Process process = ChildJvm.start(FeatureJobMain.class.getName(), classpath, jvm,
                    List.of("--output", output, "--window-end", windowEnd.toString(), "--master", master,
                            "--partitions", "2"), env, log, exit -> {
                        if (exit != 0) {
                            LOG.warn("feature job exited with {}; see {}", exit, log);
                            onFailure.run();
                        }
                    });
            LOG.info("feature job started (pid {}), log {}", process.pid(), log);
        } catch (IOException e) {
            LOG.error("cannot start the feature job: {}", e.toString());
            onFailure.run();
        }
    }
}
