package dev.prsentinel.local.bluegreen;

import com.sun.net.httpserver.HttpServer;
import dev.prsentinel.bluegreen.Promoter;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.events.EventTypes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * knative/bluegreen's JobSink on one machine: the broker delivers model.candidate and
 * rollout.requested here by the same Triggers, each is accepted at once (202) and its rollout run
 * after the others, as JobSink starts a Job per event; a run that stops is tried again, as the
 * Job's backoffLimit does (a candidate that arrives before score has loaded any model, say).
 */
public final class LocalJobSink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalJobSink.class);
    private static final int ATTEMPTS = 4;

    private final HttpServer server;
    private final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();
    private final Promoter promoter;
    private final ExecutorService jobs = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "bluegreen-job");
        t.setDaemon(true);
        return t;
    });

    public LocalJobSink(Promoter promoter) throws IOException {
        this.promoter = promoter;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", exchange -> {
            try (exchange) {
                String type = exchange.getRequestHeaders().getFirst("ce-type");
                byte[] body = exchange.getRequestBody().readAllBytes();
                String candidate = EventTypes.MODEL_CANDIDATE.equals(type)
                        ? Json.mapper().readTree(body).path("model_version").asText(null) : null;
                if (!EventTypes.ROLLOUT_REQUESTED.equals(type) && (candidate == null || !candidate.matches("\\d+"))) {
                    byte[] why = ("type: takes " + EventTypes.MODEL_CANDIDATE + " with data.model_version, or "
                            + EventTypes.ROLLOUT_REQUESTED + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(400, why.length);
                    exchange.getResponseBody().write(why);
                    return;
                }
                pending.incrementAndGet();
                jobs.submit(() -> {
                    try {
                        run(promoter, candidate);
                    } finally {
                        pending.decrementAndGet();
                    }
                });
                exchange.sendResponseHeaders(202, -1);
            }
        });
        server.start();
    }

    private static void run(Promoter promoter, String candidate) {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                if (candidate == null) {
                    promoter.reconcile();
                } else {
                    var r = promoter.promote(candidate);
                    LOG.info("rollout of version {}: {}{}", candidate, r.step(),
                            r.reasons().isEmpty() ? "" : " (" + String.join("; ", r.reasons()) + ")");
                }
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.warn("rollout of version {} stopped (attempt {} of {}): {}", candidate, attempt, ATTEMPTS,
                        e.getMessage());
                try {
                    Thread.sleep(2000L << attempt);
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Waits until no rollout is queued or running; false if one still is after {@code timeout}. */
    public boolean awaitIdle(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pending.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return pending.get() == 0;
    }

    /** The promoter these rollouts run on, for a rollback. */
    public Promoter promoter() {
        return promoter;
    }

    public URI address() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
        jobs.shutdownNow();
    }
}
