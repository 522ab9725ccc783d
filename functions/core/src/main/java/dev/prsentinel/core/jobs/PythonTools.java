package dev.prsentinel.core.jobs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the Python servers (mlflow, moto) the local runtime and the tests start live: the
 * virtualenv scripts/python-venv.sh fills (PRSENTINEL_VENV, default ~/.cache/prsentinel-venv;
 * ./prsentinel from requirements-local.txt, .ci/run from requirements-ci.txt) first, so a
 * machine's own, possibly clashing, Python packages are not picked up (the machine's SQLAlchemy
 * 2.1 breaks MLflow 3.5); else whatever PATH finds.
 */
public final class PythonTools {

    private PythonTools() {
    }

    public static String command(String name) {
        return command(name, System.getenv());
    }

    public static String command(String name, Map<String, String> env) {
        String venv = env.getOrDefault("PRSENTINEL_VENV",
                Path.of(System.getProperty("user.home"), ".cache", "prsentinel-venv").toString());
        Path inVenv = Path.of(venv, "bin", name);
        return Files.isExecutable(inVenv) ? inVenv.toString() : name;
    }
}
