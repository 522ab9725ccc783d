package dev.prsentinel.core.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A job started by {@link ChildJvm} ends when the JVM that started it ends, even a kill -9 of it,
 * which leaves no shutdown hook to stop it: an orphaned feature job or training would go on
 * writing to a run nobody owns, against a store that is gone. In a cluster a job has no parent JVM
 * (the variable is unset) and nothing is watched.
 */
public final class ParentWatch {

    /** The variable ChildJvm sets to its own pid. */
    public static final String VARIABLE = "PRSENTINEL_PARENT_PID";
    /** What the job exits with when its parent is gone (128 + SIGHUP, the usual "parent went away"). */
    public static final int EXIT_CODE = 129;

    private ParentWatch() {
    }

    /**
     * A command that is not a JVM (mlflow server, bao server) run under a watchdog shell that stops it,
     * and what it started, once this JVM is gone: a kill -9 of the local runtime must not leave a
     * tracking server holding its port and its store for the next run to trip over. Signals sent to
     * the watchdog (Process.destroy) are passed on.
     */
    public static List<String> command(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("sh", "-c", WATCHDOG, "watchdog",
                String.valueOf(ProcessHandle.current().pid())));
        wrapped.addAll(command);
        return wrapped;
    }

    private static final String WATCHDOG = String.join("\n",
            "parent=$1; shift",
            "\"$@\" &",
            "child=$!",
            "stop() { pkill -TERM -P \"$child\" 2>/dev/null; kill -TERM \"$child\" 2>/dev/null; }",
            "trap 'stop; wait \"$child\"; exit 143' TERM INT HUP",
            "while kill -0 \"$parent\" 2>/dev/null && kill -0 \"$child\" 2>/dev/null; do sleep 1; done",
            "kill -0 \"$child\" 2>/dev/null && stop",
            "wait \"$child\"");

    /** Watches the parent named in the environment, if any; returns whether one is watched. */
    public static boolean start(Map<String, String> env) {
        String pid = env.get(VARIABLE);
        if (pid == null || pid.isBlank()) {
            return false;
        }
        Optional<ProcessHandle> parent;
        try {
            parent = ProcessHandle.of(Long.parseLong(pid.strip()));
        } catch (NumberFormatException e) {
            return false;
        }
        if (parent.isEmpty()) {
            // Gone before we looked.
            Runtime.getRuntime().halt(EXIT_CODE);
        }
        // halt, not exit: the parent's store and broker are gone, so shutdown hooks (Spark's among
        // them) would only wait on connections that cannot answer.
        parent.get().onExit().thenRun(() -> Runtime.getRuntime().halt(EXIT_CODE));
        return true;
    }
}
