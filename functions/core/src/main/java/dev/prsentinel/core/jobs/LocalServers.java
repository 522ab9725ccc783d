package dev.prsentinel.core.jobs;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What starting a tool's server as a child process takes (mlflow server, bao server -dev): a free
 * loopback port, and waiting until its health endpoint answers 200.
 */
public final class LocalServers {

    private LocalServers() {
    }

    /** {@code port}, or a free loopback port when it is 0. */
    public static int portOrFree(int port) throws IOException {
        if (port != 0) {
            return port;
        }
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * Polls {@code health} every {@code pause} until it answers 200.
     *
     * @throws IOException when the process exits or {@code timeout} passes first; the message names
     *                     {@code what} and its log. The caller stops the process.
     */
    public static void awaitHealthy(Process process, URI health, Duration timeout, Duration pause, String what,
            Path log) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                IOException failure = null;
                try {
                    if (http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    failure = e;
                }
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException(what + " did not start within " + timeout + "; see " + log, failure);
                }
                Thread.sleep(pause.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + what + " was starting", e);
        }
    }
}
