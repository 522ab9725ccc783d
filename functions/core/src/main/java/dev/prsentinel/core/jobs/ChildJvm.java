package dev.prsentinel.core.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * A job's main class in a child JVM: what a job pod is in the cluster, on one machine. Its own
 * heap and classpath (the job's module, whose libraries may clash with the caller's), the same
 * java as this JVM, its output in one log file, and a callback with the exit code.
 */
public final class ChildJvm {

    private ChildJvm() {
    }

    /**
     * Starts the JVM and returns at once.
     *
     * @param env    added to this process's environment
     * @param onExit called with the exit code when the JVM ends
     */
    public static Process start(String mainClass, String classpath, List<String> jvmOptions, List<String> args,
            Map<String, String> env, Path log, IntConsumer onExit) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath, mainClass));
        command.addAll(args);
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        process.onExit().thenAccept(p -> onExit.accept(p.exitValue()));
        return process;
    }
}
