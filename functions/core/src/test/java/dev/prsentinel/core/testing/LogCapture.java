package dev.prsentinel.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Everything written to System.err (where slf4j-simple logs in tests) while it is open, still
 * passed through: the no-leak tests grep it for secret values.
 */
public final class LogCapture implements AutoCloseable {

    private final PrintStream original = System.err;
    private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

    public LogCapture() {
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (copy) {
                    copy.write(b);
                }
                original.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (copy) {
                    copy.write(b, off, len);
                }
                original.write(b, off, len);
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    public String text() {
        synchronized (copy) {
            return copy.toString(StandardCharsets.UTF_8);
        }
    }

    /**
     * Fails unless what was captured holds {@code seen} (the capture saw the run) and none of
     * {@code secrets}.
     */
    public void assertHoldsNone(java.util.Collection<String> secrets, String seen) {
        String text = text();
        org.assertj.core.api.Assertions.assertThat(text).contains(seen);
        for (String secret : secrets) {
            org.assertj.core.api.Assertions.assertThat(text).as("the logs hold a secret value or token")
                    .doesNotContain(secret);
        }
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
