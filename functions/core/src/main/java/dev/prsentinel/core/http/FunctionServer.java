package dev.prsentinel.core.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * A function's HTTP server without a web framework, for functions that need none (the JDK's
 * server starts in milliseconds): POST / goes to the {@link CloudEventEndpoint}, GET
 * /health/liveness and /health/readiness answer Knative's probes, other paths go to the routes
 * given. Bodies are read with the endpoint's bound.
 */
public final class FunctionServer implements AutoCloseable {

    /** A route beside the CloudEvent endpoint: method, query string and body in, a response out. */
    @FunctionalInterface
    public interface Route {
        HttpAnswer handle(String method, String query, Headers headers, byte[] body);
    }

    static {
        // The JDK server writes headers and body separately; with Nagle's algorithm on, each keep-alive
        // answer waits for the client's delayed ACK: 40 ms per request, 363 req/s at any load (measured
        // with hey, benchmarks/RESULTS.md). Read once, when the server's configuration first loads.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /** How much of an oversized body is read and dropped before the connection is closed instead. */
    static final long DRAIN_BYTES = 256L * 1024 * 1024;

    private final long maxBodyBytes;
    private final BooleanSupplier ready;
    private final Map<String, Route> routes;
    private final HttpServer server;
    private final ExecutorService executor;

    /**
     * @param port  0 for any free port
     * @param ready whether the function can take events (readiness); liveness is always up
     */
    public FunctionServer(CloudEventEndpoint endpoint, String host, int port, BooleanSupplier ready)
            throws IOException {
        this(endpoint, host, port, ready, Map.of());
    }

    /**
     * @param routes more paths (exact match), each read with the endpoint's body bound
     */
    public FunctionServer(CloudEventEndpoint endpoint, String host, int port, BooleanSupplier ready,
            Map<String, Route> routes) throws IOException {
        this(endpoint.maxBodyBytes(), host, port, ready, withEvents(endpoint, routes));
    }

    /**
     * A server whose routes include "/" (CloudEvents) themselves: for a function that builds its
     * event endpoint on the first event, not at start (score serves /score without a store).
     *
     * @param maxBodyBytes bodies are read up to this bound plus one byte
     */
    public FunctionServer(long maxBodyBytes, String host, int port, BooleanSupplier ready, Map<String, Route> routes)
            throws IOException {
        this.maxBodyBytes = maxBodyBytes;
        this.ready = ready;
        this.routes = Map.copyOf(routes);
        this.server = HttpServer.create(new InetSocketAddress(host, port), 128);
        this.executor = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "function-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    private static Map<String, Route> withEvents(CloudEventEndpoint endpoint, Map<String, Route> routes) {
        Map<String, Route> all = new java.util.HashMap<>(routes);
        all.put("/", events((headers, body) -> endpoint.handle(headers, body)));
        return all;
    }

    /** The "/" route: CloudEvents by POST, to {@code endpoint}. */
    public static Route events(java.util.function.BiFunction<Headers, byte[], HttpAnswer> endpoint) {
        return (method, query, headers, body) -> "POST".equals(method) ? endpoint.apply(headers, body)
                : HttpAnswer.error(405, "POST CloudEvents to /");
    }

    /** Blocks until the JVM is asked to stop (SIGTERM from Kubernetes): a function's main waits here. */
    public static void awaitShutdown() throws InterruptedException {
        java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        stop.await();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals("/health/liveness") && method.equals("GET")) {
                respond(exchange, new HttpAnswer(200, Map.of("content-type", "application/json"),
                        "{\"status\":\"UP\"}".getBytes()));
            } else if (path.equals("/health/readiness") && method.equals("GET")) {
                boolean up = ready.getAsBoolean();
                respond(exchange, new HttpAnswer(up ? 200 : 503,
                        Map.of("content-type", "application/json"),
                        (up ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}").getBytes()));
            } else if (routes.containsKey(path)) {
                respond(exchange, routes.get(path).handle(method, exchange.getRequestURI().getRawQuery(),
                        headers(exchange), body(exchange)));
            } else {
                respond(exchange, HttpAnswer.error(404, "no such path: " + path));
            }
        }
    }

    private static Headers headers(HttpExchange exchange) {
        Headers headers = new Headers();
        exchange.getRequestHeaders().forEach((k, v) -> v.forEach(value -> headers.add(k, value)));
        return headers;
    }

    /**
     * At most the bound plus one byte, so an oversized body can be told from a full one. The rest of
     * an oversized body is read and dropped (up to {@link #DRAIN_BYTES}): a client that writes its
     * whole body before it reads, as Python's http.client does, would otherwise see the connection
     * reset instead of the 413. Past that the connection is closed after the answer.
     */
    private byte[] body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
            if (body.length > maxBodyBytes) {
                byte[] sink = new byte[64 * 1024];
                long drained = 0;
                int n;
                while (drained < DRAIN_BYTES && (n = in.read(sink)) > 0) {
                    drained += n;
                }
                if (drained >= DRAIN_BYTES) {
                    exchange.getResponseHeaders().set("connection", "close");
                }
            }
            return body;
        }
    }

    private static void respond(HttpExchange exchange, HttpAnswer response) throws IOException {
        response.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        byte[] body = response.body();
        exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
