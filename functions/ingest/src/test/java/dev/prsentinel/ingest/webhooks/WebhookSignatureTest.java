package dev.prsentinel.ingest.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

    private final WebhookSignature signature = new WebhookSignature("It's a Secret to Everybody");
    private final byte[] body = "Hello, World!".getBytes(StandardCharsets.UTF_8);

    @Test
    void githubsDocumentedExampleVerifies() {
        // The example of GitHub's "Validating webhook deliveries" page.
        String expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assertThat(signature.sign(body)).isEqualTo(expected);
        assertThat(signature.verify(expected, body)).isEmpty();
        assertThat(signature.verify(expected.toUpperCase().replace("SHA256=", "sha256="), body)).isEmpty();
    }

    @Test
    void aBodyAlteredByOneByteFails() {
        String header = signature.sign(body);
        for (int i = 0; i < body.length; i++) {
            byte[] altered = body.clone();
            altered[i] ^= 1;
            assertThat(signature.verify(header, altered)).as("byte %d", i).get().asString()
                    .contains("does not match the body");
        }
    }

    @Test
    void missingWrongAlgorithmMalformedAndWrongSecretFail() {
        assertThat(signature.verify(null, body)).get().asString().contains("is missing");
        assertThat(signature.verify("sha1=0a0b", body)).get().asString().contains("other algorithms are not accepted");
        assertThat(signature.verify("sha256=zz", body)).get().asString().contains("64 hex digits");
        assertThat(signature.verify("sha256=abcd", body)).get().asString().contains("64 hex digits");
        String other = new WebhookSignature("another secret").sign(body);
        assertThat(signature.verify(other, body)).get().asString().contains("wrong secret")
                .doesNotContain(signature.sign(body).substring(7));
    }
}
