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

    /** Every child still running, so whoever owns this JVM's run can stop them all (stopAll). */
    private static final java.util.Set<Process> RUNNING = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private ChildJvm() {
    }

    /** Children still running. */
    public static int running() {
        RUNNING.removeIf(p -> !p.isAlive());
        return RUNNING.size();
    }

    /**
     * Stops every child this JVM started and that still runs: asked to stop (SIGTERM), then killed
     * after {@code grace}. A run that ends, or is interrupted (Ctrl-C), leaves no job behind that
     * would go on writing to a store nobody reads.
     *
     * @return how many were still running
     */
    public static int stopAll(java.time.Duration grace) {
        List<Process> alive = RUNNING.stream().filter(Process::isAlive).toList();
        alive.forEach(Process::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        for (Process p : alive) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!p.waitFor(left, java.util.concurrent.TimeUnit.NANOSECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        RUNNING.removeAll(alive);
        return alive.size();
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
        // The job stops when this JVM does, however it ends (ParentWatch).
        builder.environment().put(ParentWatch.VARIABLE, String.valueOf(ProcessHandle.current().pid()));
        Process process = builder.start();
        RUNNING.add(process);
        process.onExit().thenAccept(p -> {
            RUNNING.remove(p);
            onExit.accept(p.exitValue());
        });
        return process;
    }
}
