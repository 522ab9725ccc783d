package dev.prsentinel.core.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every function's HTTP server, on Jetty 12's core API (no servlets, no framework): POST / goes to
 * the {@link CloudEventEndpoint}, GET /health/liveness and /health/readiness answer Knative's
 * probes, other paths go to the routes given.
 *
 * <p>It replaces the JDK's built-in server, where 8 clients sending a byte every 5 s held all 8
 * worker threads and the liveness probe timed out. Here:
 * <ul>
 *   <li>headers are parsed by Jetty's selector without holding a thread, and a connection that
 *       sends nothing for {@link Limits#idle} is closed, and one whose request line and headers
 *       are still incomplete after half of {@link Limits#bodyDeadline} (checked at that interval,
 *       so between one and two halves) is closed too, however steadily it trickles them; a body
 *       arriving slower than {@link Limits#minBytesPerSecond} is cut off;</li>
 *   <li>bodies are read asynchronously, so a slow one holds no thread while it trickles in;</li>
 *   <li>work is bounded per kind: CloudEvents ("/") and client routes each take a permit, and a
 *       request that finds none is answered 503 at once (a broker retries it), so events never
 *       queue in front of clients and neither can take the threads the probes need;</li>
 *   <li>the probes take no permit and read no body;</li>
 *   <li>connections are capped, headers over 16 KiB get a 431, and Jetty refuses conflicting
 *       lengths.</li>
 * </ul>
 */
public final class FunctionServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FunctionServer.class);

    /** A route beside the CloudEvent endpoint: method, query string and body in, a response out. */
    @FunctionalInterface
    public interface Route {
        HttpAnswer handle(String method, String query, Headers headers, byte[] body);
    }

    /**
     * The server's bounds.
     *
     * @param maxBodyBytes      larger bodies get a 413 (after being read to their end, up to
     *                          {@link #DRAIN_BYTES}, so a client that writes before it reads sees it)
     * @param eventConcurrency  CloudEvents handled at once; more get a 503
     * @param workConcurrency   requests to the other routes handled at once (containerConcurrency)
     * @param maxConnections    open connections; more wait in the accept queue
     * @param idle              a connection that sends nothing this long is closed
     * @param minBytesPerSecond a body that arrives slower is cut off
     * @param bodyDeadline      a body not complete this long after its headers is answered 408; below
     *                          the Service's timeoutSeconds, so the caller sees an answer
     */
    public record Limits(long maxBodyBytes, int eventConcurrency, int workConcurrency, int maxConnections,
            Duration idle, long minBytesPerSecond, Duration bodyDeadline) {

        /**
         * The defaults: 4 events and 20 client requests at once, 512 connections, 5 s idle, 1 KiB/s,
         * a body complete within 8 s (Knative's shortest timeoutSeconds here is 10).
         */
        public static Limits of(long maxBodyBytes) {
            return new Limits(maxBodyBytes, 4, 20, 512, Duration.ofSeconds(5), 1024, Duration.ofSeconds(8));
        }

        /** The same limits with another number of CloudEvents at once. */
        public Limits withEventConcurrency(int n) {
            return new Limits(maxBodyBytes, n, workConcurrency, maxConnections, idle, minBytesPerSecond,
                    bodyDeadline);
        }
    }

    /** How much of an oversized body is read and dropped before the connection is closed instead. */
    static final long DRAIN_BYTES = 256L * 1024 * 1024;
    /** Threads for the probes and Jetty's own work, beyond the permits. */
    private static final int SPARE_THREADS = 8;

    private final Limits limits;
    private final BooleanSupplier ready;
    private final Map<String, Route> routes;
    private final Semaphore events;
    private final Semaphore work;
    private final Server server;
    private final ServerConnector connector;

    /**
     * A server for a function whose only route is its CloudEvent endpoint at "/".
     *
     * @param port  0 for any free port
     * @param ready whether the function can take events (readiness); liveness is always up
     */
    public FunctionServer(Limits limits, CloudEventEndpoint endpoint, String host, int port, BooleanSupplier ready)
            throws IOException {
        this(limits, host, port, ready, Map.of("/", events(endpoint::handle)));
    }

    /**
     * A server whose routes include "/" (CloudEvents) themselves: for a function that builds its
     * event endpoint on the first event, not at start (score serves /score without a store).
     *
     * @param maxBodyBytes bodies are read up to this bound
     */
    public FunctionServer(long maxBodyBytes, String host, int port, BooleanSupplier ready, Map<String, Route> routes)
            throws IOException {
        this(Limits.of(maxBodyBytes), host, port, ready, routes);
    }

    public FunctionServer(Limits limits, String host, int port, BooleanSupplier ready, Map<String, Route> routes)
            throws IOException {
        this.limits = limits;
        this.ready = ready;
        this.routes = Map.copyOf(routes);
        this.events = new Semaphore(limits.eventConcurrency());
        this.work = new Semaphore(limits.workConcurrency());
        QueuedThreadPool threads = new QueuedThreadPool(
                limits.eventConcurrency() + limits.workConcurrency() + SPARE_THREADS, 2);
        threads.setName("function-http");
        threads.setDaemon(true);
        this.server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(16 * 1024);
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setMinRequestDataRate(limits.minBytesPerSecond());
        this.connector = new ServerConnector(server, 1, 1, new HeaderDeadlineFactory(http,
                limits.bodyDeadline().dividedBy(2)));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(limits.idle().toMillis());
        connector.setAcceptQueueSize(128);
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));
        server.setHandler(new Dispatch());
        server.setStopTimeout(2_000);
        try {
            server.start();
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("the HTTP server did not start on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * The server of a function that takes only CloudEvents, over what it built from its secrets: "/"
     * goes to the current generation's endpoint (a 503 naming the function while there is none), and
     * readiness follows {@code ready}.
     */
    public static <T extends AutoCloseable> FunctionServer forEvents(String function, Limits limits, String host,
            int port, dev.prsentinel.core.secrets.Rotating<T> wiring, java.util.function.Predicate<T> ready,
            java.util.function.Function<T, CloudEventEndpoint> endpoint) throws IOException {
        return new FunctionServer(limits, host, port, () -> wiring.use(ready::test, reason -> false),
                Map.of("/", events((headers, body) -> wiring.use(w -> endpoint.apply(w).handle(headers, body),
                        reason -> HttpAnswer.error(503, function + " is not ready yet (its store or secrets are "
                                + "unavailable); retry later")))));
    }

    /** The "/" route: CloudEvents by POST, to {@code endpoint}. */
    public static Route events(java.util.function.BiFunction<Headers, byte[], HttpAnswer> endpoint) {
        return (method, query, headers, body) -> "POST".equals(method) ? endpoint.apply(headers, body)
                : HttpAnswer.error(405, "POST CloudEvents to /");
    }

    /**
     * Blocks until the JVM is asked to stop (Knative's SIGTERM), and closes {@code app} inside the
     * shutdown hook itself: the JVM waits for a hook, not for the main thread, so this is how the
     * close (the server's drain, the Vault token's revocation) is sure to finish.
     */
    public static void closeOnShutdown(AutoCloseable app) throws InterruptedException {
        java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                app.close();
            } catch (Exception e) {
                LOG.warn("closing on shutdown failed: {}", e.getMessage());
            } finally {
                closed.countDown();
            }
        }, "shutdown"));
        closed.await();
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** Routes each request; blocking work runs on the pool's threads, bounded by the permits. */
    private final class Dispatch extends Handler.Abstract {

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            String method = request.getMethod();
            if (path.equals("/health/liveness") && method.equals("GET")) {
                send(response, callback, new HttpAnswer(200, Map.of("content-type", "application/json"), UP), false);
                return true;
            }
            if (path.equals("/health/readiness") && method.equals("GET")) {
                boolean up = ready.getAsBoolean();
                send(response, callback, new HttpAnswer(up ? 200 : 503, Map.of("content-type", "application/json"),
                        up ? UP : DOWN), false);
                return true;
            }
            Route route = routes.get(path);
            if (route == null) {
                send(response, callback, HttpAnswer.error(404, "no such path: " + path), false);
                return true;
            }
            // The permit is taken once the body is in: reading holds no thread, and a slow body must not
            // hold a permit either (the deadline bounds how long it may take).
            new BodyReader(request, response, callback, route, path.equals("/") ? events : work).start();
            return true;
        }
    }

    private static final byte[] UP = "{\"status\":\"UP\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private static final byte[] DOWN = "{\"status\":\"DOWN\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    /**
     * Reads a body without holding a thread while it arrives (Jetty calls {@link #run} again when
     * more is there), keeping at most the bound plus one byte and dropping the rest of an oversized
     * one, then runs the route.
     */
    private final class BodyReader implements Runnable {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final Route route;
        private final Semaphore permits;
        private final java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        private byte[] body = new byte[1024];
        private int size;
        private long dropped;
        private org.eclipse.jetty.util.thread.Scheduler.Task deadline;

        BodyReader(Request request, Response response, Callback callback, Route route, Semaphore permits) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.route = route;
            this.permits = permits;
        }

        void start() {
            deadline = server.getScheduler().schedule(this::expire, limits.bodyDeadline().toMillis(),
                    java.util.concurrent.TimeUnit.MILLISECONDS);
            run();
        }

        private void expire() {
            if (done.compareAndSet(false, true)) {
                send(response, callback, HttpAnswer.error(408, "the body did not arrive within "
                        + limits.bodyDeadline().toSeconds() + " s"), true);
            }
        }

        @Override
        public void run() {
            while (!done.get()) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    // A body cut off (too slow, or the client went away): nobody to answer.
                    if (done.compareAndSet(false, true)) {
                        deadline.cancel();
                        callback.failed(chunk.getFailure());
                    }
                    return;
                }
                keep(chunk.getByteBuffer());
                chunk.release();
                if (chunk.isLast()) {
                    answer(false);
                    return;
                }
                if (dropped > DRAIN_BYTES) {
                    answer(true);
                    return;
                }
            }
        }

        private void keep(ByteBuffer bytes) {
            int n = bytes.remaining();
            long room = limits.maxBodyBytes() + 1 - size;
            if (room <= 0) {
                dropped += n;
                return;
            }
            int take = (int) Math.min(room, n);
            if (size + take > body.length) {
                body = java.util.Arrays.copyOf(body, (int) Math.min(limits.maxBodyBytes() + 1,
                        Math.max((long) body.length * 2, size + take)));
            }
            bytes.get(body, size, take);
            size += take;
            dropped += n - take;
        }

        private void answer(boolean close) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            deadline.cancel();
            if (!permits.tryAcquire()) {
                send(response, callback, HttpAnswer.error(503, (permits == events ? "events" : "requests")
                        + " are being handled at this function's limit; retry later"), close);
                return;
            }
            HttpAnswer answer;
            try {
                answer = route.handle(request.getMethod(), request.getHttpURI().getQuery(), headers(request),
                        size == body.length ? body : java.util.Arrays.copyOf(body, size));
            } catch (RuntimeException e) {
                LOG.error("{} {} failed", request.getMethod(), Request.getPathInContext(request), e);
                answer = HttpAnswer.error(503, "temporarily unable to answer; retry later");
            } finally {
                permits.release();
            }
            send(response, callback, answer, close);
        }
    }

    /**
     * Jetty bounds the time between bytes (idle) but not a request's header as a whole: a client
     * sending one header byte every few seconds would hold its connection for ever. Each connection
     * is looked at every {@code interval}; one found in the middle of the same request's headers
     * twice in a row is closed.
     */
    private static final class HeaderDeadlineFactory extends HttpConnectionFactory {

        private final Duration interval;

        HeaderDeadlineFactory(HttpConfiguration config, Duration interval) {
            super(config);
            this.interval = interval;
        }

        @Override
        public Connection newConnection(Connector connector, EndPoint endPoint) {
            Connection connection = super.newConnection(connector, endPoint);
            if (connection instanceof HttpConnection http) {
                new HeaderWatch(http, connector.getScheduler(), interval).schedule();
            }
            return connection;
        }
    }

    private static final class HeaderWatch implements Runnable {

        private final HttpConnection connection;
        private final org.eclipse.jetty.util.thread.Scheduler scheduler;
        private final Duration interval;
        /** The request count when last seen mid-headers, or -1. */
        private long midHeadersAt = -1;

        HeaderWatch(HttpConnection connection, org.eclipse.jetty.util.thread.Scheduler scheduler, Duration interval) {
            this.connection = connection;
            this.scheduler = scheduler;
            this.interval = interval;
        }

        void schedule() {
            scheduler.schedule(this, interval.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        @Override
        public void run() {
            EndPoint endPoint = connection.getEndPoint();
            if (!endPoint.isOpen()) {
                return;
            }
            HttpParser parser = connection.getParser();
            boolean midHeaders = parser.inHeaderState() && !parser.isStart();
            long requests = connection.getMessagesIn();
            if (midHeaders && requests == midHeadersAt) {
                LOG.debug("closing a connection whose request headers took longer than {}", interval);
                endPoint.close();
                return;
            }
            midHeadersAt = midHeaders ? requests : -1;
            schedule();
        }
    }

    private static Headers headers(Request request) {
        Headers headers = new Headers();
        for (HttpField field : request.getHeaders()) {
            headers.add(field.getName(), field.getValue());
        }
        return headers;
    }

    private static void send(Response response, Callback callback, HttpAnswer answer, boolean close) {
        response.setStatus(answer.status());
        answer.headers().forEach((k, v) -> response.getHeaders().put(k, v));
        if (close) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        response.write(true, ByteBuffer.wrap(answer.body()), callback);
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("the HTTP server did not stop cleanly: {}", e.getMessage());
        }
    }
}
