package dev.prsentinel.local.broker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.http.CloudEventBinding;
import dev.prsentinel.core.http.CloudEventHttp;
import dev.prsentinel.core.http.Headers;
import dev.prsentinel.core.http.InvalidEvent;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A development stand-in for a Knative Broker, small on purpose: an HTTP ingress that takes
 * CloudEvents in either mode, and delivery to every matching Trigger of knative/ in binary mode,
 * with each Trigger's retries and backoff. Replies are fed back into the broker; what fails for
 * good is written to a dead-letter folder with the reason (the cluster sends it to the Trigger's
 * deadLetterSink instead). No persistence, no ordering guarantees, at-least-once like the real one.
 */
public final class LocalBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalBroker.class);
    private static final int MAX_BODY = 10 * 1024 * 1024;

    private final String name;
    private final List<Trigger> triggers;
    private final Path deadLetterDir;
    private final Map<String, String> services = new ConcurrentHashMap<>();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ExecutorService workers = Executors.newFixedThreadPool(4, daemon("broker-delivery"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("broker-retry"));
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
    private final AtomicInteger delivered = new AtomicInteger();
    private final AtomicInteger retried = new AtomicInteger();
    private final AtomicInteger deadLettered = new AtomicInteger();
    private final AtomicInteger unrouted = new AtomicInteger();
    private HttpServer server;
    private final List<java.util.function.Consumer<CloudEvent>> listeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    public LocalBroker(KnativeManifests manifests, String name, Path deadLetterDir) {
        if (!manifests.brokers().containsKey(name)) {
            throw new IllegalArgumentException("no Broker named " + name + " in knative/; found "
                    + manifests.brokers().keySet());
        }
        this.name = name;
        this.triggers = manifests.triggers(name);
        this.deadLetterDir = deadLetterDir;
    }

    /** Starts the ingress on a free loopback port. */
    public LocalBroker start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", this::ingress);
        server.setExecutor(Executors.newFixedThreadPool(2, daemon("broker-ingress")));
        server.start();
        return this;
    }

    /** The ingress URL, shaped like Knative's (/namespace/broker). */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/default/" + name);
    }

    public List<Trigger> triggers() {
        return triggers;
    }

    /** Makes a Knative Service reachable: the local stand-in of its cluster address. */
    public void registerService(String service, String baseUrl) {
        services.put(service, baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
    }

    /**
     * Calls {@code listener} with every event the broker receives from now on (before routing), until
     * the returned handle is closed: for a run that waits on an outcome rather than on a timer.
     */
    public Subscription listen(java.util.function.Consumer<CloudEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** A listener's registration; closing it stops the calls. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /** Publishes an event as if it had been posted to the ingress. */
    public void publish(CloudEvent event) {
        received.computeIfAbsent(event.getType(), t -> new AtomicInteger()).incrementAndGet();
        for (java.util.function.Consumer<CloudEvent> listener : listeners) {
            listener.accept(event);
        }
        boolean routed = false;
        for (Trigger trigger : triggers) {
            if (trigger.matches(event)) {
                routed = true;
                inFlight.incrementAndGet();
                workers.execute(() -> attempt(trigger, event, 0));
            }
        }
        if (!routed) {
            unrouted.incrementAndGet();
            LOG.debug("no trigger for {} ({}): dropped, as a Knative broker does", event.getId(), event.getType());
        }
    }

    /** Waits until nothing is being delivered or waiting for a retry. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlight.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** What went through, for summaries and tests. */
    public record Stats(Map<String, Integer> received, int delivered, int retried, int deadLettered, int unrouted) {
    }

    public Stats stats() {
        Map<String, Integer> byType = new TreeMap<>();
        received.forEach((k, v) -> byType.put(k, v.get()));
        return new Stats(byType, delivered.get(), retried.get(), deadLettered.get(), unrouted.get());
    }

    private void ingress(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                respond(exchange, 405, "{\"reason\":\"POST CloudEvents to " + url().getPath() + "\"}");
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            if (body.length > MAX_BODY) {
                respond(exchange, 413, "{\"reason\":\"event larger than " + MAX_BODY + " bytes\"}");
                return;
            }
            Headers headers = new Headers();
            exchange.getRequestHeaders().forEach((k, v) -> v.forEach(value -> headers.add(k, value)));
            CloudEvent event;
            try {
                event = CloudEventBinding.read(headers, body);
            } catch (InvalidEvent e) {
                ObjectNode error = Json.mapper().createObjectNode().put("reason", "not a valid CloudEvent: "
                        + e.getMessage());
                respond(exchange, e.status(), error.toString());
                return;
            }
            publish(event);
            respond(exchange, 202, "");
        }
    }

    private void attempt(Trigger trigger, CloudEvent event, int retryNumber) {
        String base = services.get(trigger.subscriber());
        if (base == null) {
            finish(trigger, event, retryNumber, -1, "service " + trigger.subscriber() + " is not running locally");
            return;
        }
        URI target = URI.create(base + trigger.path());
        int status;
        String failure;
        try {
            HttpResponse<byte[]> response = CloudEventHttp.send(client, target, event, Duration.ofSeconds(60));
            status = response.statusCode();
            if (status / 100 == 2) {
                delivered.incrementAndGet();
                feedBackReply(trigger, response);
                inFlight.decrementAndGet();
                return;
            }
            failure = "HTTP " + status + ": " + truncate(new String(response.body(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            status = -1;
            failure = "unreachable: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            inFlight.decrementAndGet();
            return;
        }
        if (retryable(status) && retryNumber < trigger.delivery().retry()) {
            int next = retryNumber + 1;
            retried.incrementAndGet();
            Duration wait = trigger.delivery().backoff(next);
            LOG.debug("{} to {} failed ({}); retry {} in {}", event.getId(), trigger.name(), failure, next, wait);
            timer.schedule(() -> workers.execute(() -> attempt(trigger, event, next)), wait.toMillis(),
                    TimeUnit.MILLISECONDS);
            return;
        }
        finish(trigger, event, retryNumber, status, failure);
    }

    private void feedBackReply(Trigger trigger, HttpResponse<byte[]> response) {
        if (response.headers().firstValue("ce-type").isEmpty()
                && !response.headers().firstValue("content-type").orElse("").startsWith("application/cloudevents")) {
            return;
        }
        Headers headers = new Headers();
        response.headers().map().forEach((k, v) -> v.forEach(value -> headers.add(k, value)));
        try {
            publish(CloudEventBinding.read(headers, response.body()));
        } catch (InvalidEvent e) {
            LOG.warn("reply from {} is not a valid CloudEvent ({}): dropped", trigger.subscriber(), e.getMessage());
        }
    }

    /** Knative retries these; other answers (400 and the like) go to the dead letters at once. */
    private static boolean retryable(int status) {
        return status < 0 || status >= 500 || status == 404 || status == 408 || status == 409 || status == 429;
    }

    private void finish(Trigger trigger, CloudEvent event, int retries, int status, String reason) {
        try {
            deadLettered.incrementAndGet();
            ObjectNode letter = Json.mapper().createObjectNode();
            letter.put("trigger", trigger.name());
            letter.put("subscriber", trigger.subscriber() + trigger.path());
            letter.put("cluster_dead_letter_sink", trigger.delivery().deadLetterSink());
            letter.put("status", status);
            letter.put("reason", reason);
            letter.put("attempts", retries + 1);
            letter.set("event", Json.mapper().readTree(CloudEventBinding.toStructuredJson(event)));
            Files.createDirectories(deadLetterDir);
            String file = trigger.name() + "-" + event.getId().replaceAll("[^A-Za-z0-9._-]", "_") + ".json";
            Files.writeString(deadLetterDir.resolve(file), letter.toPrettyString());
            LOG.info("dead-lettered {} from {}: {}", event.getId(), trigger.name(), reason);
        } catch (IOException e) {
            LOG.error("cannot write dead letter for {}: {}", event.getId(), e.toString());
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private static String truncate(String s) {
        return s.length() > 500 ? s.substring(0, 500) + "..." : s;
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 0) {
            exchange.getResponseHeaders().add("content-type", "application/json");
        }
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
        timer.shutdownNow();
        workers.shutdownNow();
    }
}
