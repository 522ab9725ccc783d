package dev.prsentinel.core.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.prsentinel.core.jobs.PythonTools;
import dev.prsentinel.core.tracking.MlflowServerProcess;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real MLflow tracking server (PyPI's mlflow, installed by .ci/run), started per test class on a
 * free port with a SQLite store and proxied artifacts in a temporary folder. Skips the tests with
 * a message when mlflow is not installed, and fails them under CI=true.
 */
public final class MlflowServer implements ExecutionCondition, BeforeAllCallback, AfterAllCallback {

    private MlflowServerProcess server;

    /** The mlflow command tests use (the .ci/run virtualenv's first), or the test is skipped. */
    public static String requireCommand() {
        String command = PythonTools.command("mlflow");
        boolean installed = MlflowServerProcess.installed(command);
        if (!installed && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("mlflow is missing; .ci/run installs it from requirements-ci.txt");
        }
        assumeTrue(installed, "skipped: the mlflow command is not installed (.ci/run installs requirements-ci.txt"
                + " into ~/.cache/prsentinel-venv)");
        return command;
    }

    /**
     * Decides before the class starts: a class whose assumption fails in beforeAll is aborted, and
     * Maven reports it as "Tests run: 0", as though it had no tests. Disabled here, each of its
     * tests is reported as skipped, with the reason.
     */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (MlflowServerProcess.installed(PythonTools.command("mlflow"))) {
            return ConditionEvaluationResult.enabled("mlflow is installed");
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError("mlflow is missing; .ci/run installs it from requirements-ci.txt");
        }
        return ConditionEvaluationResult.disabled("skipped: the mlflow command is not installed (.ci/run installs"
                + " requirements-ci.txt into ~/.cache/prsentinel-venv)");
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = MlflowServerProcess.start(requireCommand(), Files.createTempDirectory("mlflow-it"), 0,
                Duration.ofSeconds(90));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
        }
    }

    public URI uri() {
        return server.uri();
    }
}
