package dev.prsentinel.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which tracking a command gets, without starting a server: mlflow is pointed at a path that does not exist. */
class TrackingChoiceTest {

    private static final Map<String, String> NO_MLFLOW = Map.of("PRSENTINEL_MLFLOW", "/no/such/mlflow");

    @TempDir
    Path dataDir;

    @Test
    void aCommandThatNeedsMlflowFailsSayingHowToGetItOrHowToDoWithout() {
        assertThatThrownBy(() -> TrackingChoice.choose(dataDir, NO_MLFLOW, TrackingChoice.Mode.REQUIRED))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("the mlflow command is not installed")
                .hasMessageContaining("./prsentinel installs it")
                .hasMessageContaining("--no-mlflow");
    }

    @Test
    void noMlflowTracksInTheDataDirectoryAndHasNoUi() throws IOException {
        try (TrackingChoice t = TrackingChoice.choose(dataDir, NO_MLFLOW, TrackingChoice.Mode.OFF)) {
            assertThat(t.uri()).isEqualTo(dataDir.resolve("mlruns").toAbsolutePath().toUri().toString());
            assertThat(t.description()).endsWith("(--no-mlflow)");
            assertThat(t.ui()).isEmpty();
        }
    }

    @Test
    void ifInstalledFallsBackToTheDirectoryAndSaysWhy() throws IOException {
        try (TrackingChoice t = TrackingChoice.choose(dataDir, NO_MLFLOW, TrackingChoice.Mode.IF_INSTALLED)) {
            assertThat(t.uri()).startsWith("file:");
            assertThat(t.description()).contains("the mlflow command is not installed");
        }
    }

    @Test
    void aConfiguredServerWinsOverEveryModeAndIsItsUi() throws IOException {
        Map<String, String> env = Map.of("MLFLOW_TRACKING_URI", "http://mlflow.example:5000");
        for (TrackingChoice.Mode mode : TrackingChoice.Mode.values()) {
            try (TrackingChoice t = TrackingChoice.choose(dataDir, env, mode)) {
                assertThat(t.uri()).isEqualTo("http://mlflow.example:5000");
                assertThat(t.ui()).hasValueSatisfying(u -> assertThat(u.getHost()).isEqualTo("mlflow.example"));
            }
        }
    }

    @Test
    void aDataDirectoryWithAnMlflowStoreCannotBeReadWithoutMlflow() throws IOException {
        java.nio.file.Files.createDirectories(dataDir.resolve("mlflow"));
        java.nio.file.Files.writeString(dataDir.resolve("mlflow/mlflow.db"), "");
        assertThatThrownBy(() -> TrackingChoice.existing(dataDir, NO_MLFLOW)).isInstanceOf(IOException.class)
                .hasMessageContaining("the mlflow command is not installed to read it");
        assertThat(TrackingChoice.existing(dataDir.resolve("never-trained"), NO_MLFLOW)).isEmpty();
    }
}
