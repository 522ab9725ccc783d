package dev.prsentinel.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the Python servers the tests start live: the virtualenv .ci/run fills from
 * requirements-ci.txt (PRSENTINEL_VENV, default ~/.cache/prsentinel-venv), so a machine's own,
 * possibly clashing, Python packages are not picked up; else whatever PATH finds.
 */
public final class PythonTools {

    private PythonTools() {
    }

    public static String command(String name) {
        String venv = System.getenv().getOrDefault("PRSENTINEL_VENV",
                Path.of(System.getProperty("user.home"), ".cache", "prsentinel-venv").toString());
        Path inVenv = Path.of(venv, "bin", name);
        return Files.isExecutable(inVenv) ? inVenv.toString() : name;
    }
}
