package dev.prsentinel.ingest.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookSecretTest {

    @TempDir
    Path dir;

    private final byte[] body = "{\"zen\":\"Design for failure.\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void aRotatedSecretFileIsUsedWithoutARestart() throws Exception {
        Path file = dir.resolve("secret");
        Files.writeString(file, "first secret\n");
        WebhookSecret secret = WebhookSecret.fromEnvironment(Map.of("GITHUB_WEBHOOK_SECRET_FILE", file.toString()));
        String signedBefore = new WebhookSignature("first secret").sign(body);
        assertThat(secret.get().verify(signedBefore, body)).isEmpty();

        Files.writeString(file, "second secret");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(secret.get().verify(signedBefore, body)).isPresent();
        assertThat(secret.get().verify(new WebhookSignature("second secret").sign(body), body)).isEmpty();

        // A file that vanishes mid-rotation keeps the last secret rather than refusing everything.
        Files.delete(file);
        assertThat(secret.get().verify(new WebhookSignature("second secret").sign(body), body)).isEmpty();
    }

    @Test
    void noSecretConfiguredStopsTheStartNamingTheVariables() {
        assertThatThrownBy(() -> WebhookSecret.fromEnvironment(Map.of())).hasMessageContaining(
                "GITHUB_WEBHOOK_SECRET_FILE").hasMessageContaining("GITHUB_WEBHOOK_SECRET");
        assertThatThrownBy(() -> WebhookSecret.fromEnvironment(Map.of("GITHUB_WEBHOOK_SECRET_FILE",
                dir.resolve("missing").toString()))).hasMessageContaining("cannot be read");
    }
}
