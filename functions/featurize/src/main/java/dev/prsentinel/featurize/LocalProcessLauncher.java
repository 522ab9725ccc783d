package dev.prsentinel.featurize;

import dev.prsentinel.featurize.job.FeatureJobMain;
import java.io.IOException;
import java.nio.file.Files;
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
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx2g");
        command.addAll(Arrays.asList(JavaModuleOptions.defaultModuleOptions().split(" ")));
        command.addAll(List.of("-cp", classpath, FeatureJobMain.class.getName(), "--output", output,
                "--window-end", windowEnd.toString(), "--master", master, "--partitions", "2"));
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve("featurize-" + windowEnd.toString().replace(':', '-') + ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().putAll(env);
            Process process = builder.start();
            LOG.info("feature job started (pid {}), log {}", process.pid(), log);
            process.onExit().thenAccept(p -> {
                if (p.exitValue() != 0) {
                    LOG.warn("feature job {} exited with {}; see {}", p.pid(), p.exitValue(), log);
                    onFailure.run();
                }
            });
        } catch (IOException e) {
            LOG.error("cannot start the feature job: {}", e.toString());
            onFailure.run();
        }
    }
}
