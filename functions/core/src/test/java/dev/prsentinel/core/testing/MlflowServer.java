package dev.prsentinel.core.testing;

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
        Need.MLFLOW.assume();
        return PythonTools.command("mlflow");
    }

    /**
     * Decides before the class starts, as {@link Needs} does: a class whose assumption fails in
     * beforeAll would be reported as "Tests run: 0".
     */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return NeedsCondition.evaluate(Need.MLFLOW.missing().stream().toList());
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
