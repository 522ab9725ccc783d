package dev.prsentinel.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server under hostile clients, over real sockets: slow headers, slow bodies, events that
 * block, huge headers, conflicting lengths. Each test is bounded in time and stops its clients.
 */
class FunctionServerIT {

    private static final HttpAnswer OK = new HttpAnswer(200, Map.of("content-type", "application/json"),
            "{\"ok\":true}".getBytes(StandardCharsets.UTF_8));

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Socket> sockets = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private FunctionServer server;

    @AfterEach
    void stop() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        pool.shutdownNow();
        if (server != null) {
            server.close();
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(2)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Socket open() throws Exception {
        Socket s = new Socket("127.0.0.1", server.port());
        s.setSoTimeout(10_000);
        sockets.add(s);
        return s;
    }

    @Test
    void fiftySlowClientsLeaveProbesAndRealRequestsAnswered() throws Exception {
        server = new FunctionServer(1024 * 1024, "127.0.0.1", 0, () -> true,
                Map.of("/score", (method, query, headers, body) -> OK));
        AtomicBoolean running = new AtomicBoolean(true);
        List<Socket> slowHeaders = new ArrayList<>();
        List<Socket> slowBodies = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            Socket s = open();
            s.getOutputStream().write("POST /score HTTP/1.1\r\nHost: x\r\nX-Slow: "
                    .getBytes(StandardCharsets.US_ASCII));
            slowHeaders.add(s);
            Socket b = open();
            b.getOutputStream().write(("POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
            slowBodies.add(b);
        }
        // One byte a second on every slow connection, as a slowloris client sends.
        Future<?> trickle = pool.submit(() -> {
            while (running.get()) {
                for (Socket s : sockets) {
                    try {
                        s.getOutputStream().write('a');
                    } catch (java.io.IOException closed) {
                        // The server cut it off: what it should do.
                    }
                }
                Thread.sleep(1000);
            }
            return null;
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        int checks = 0;
        while (System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            assertThat(get("/health/liveness").statusCode()).isEqualTo(200);
            assertThat(get("/health/readiness").statusCode()).isEqualTo(200);
            assertThat(post("/score", "{}").statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
            checks++;
            Thread.sleep(250);
        }
        running.set(false);
        trickle.get(5, TimeUnit.SECONDS);
        assertThat(checks).isGreaterThan(10);
        // A body arriving at 1 byte/s is below the minimum rate: the server has given up on it.
        for (Socket b : slowBodies) {
            assertThat(readAll(b)).as("a slow body is cut off").doesNotContain("200 OK");
        }
        // Headers trickled a byte a second, each within the idle timeout, still hit the header
        // deadline (4 to 8 s with the default 8 s body deadline): the server has closed them, so a
        // read ends at once instead of waiting out the socket timeout.
        for (Socket h : slowHeaders) {
            h.setSoTimeout(3_000);
            assertThat(closedByServer(h)).as("a connection trickling its headers is closed").isTrue();
        }
    }

    @Test
    void eventsThatBlockCannotTakeTheClientsRouteOrTheProbes() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server = new FunctionServer(FunctionServer.Limits.of(1024).withEventConcurrency(2), "127.0.0.1", 0,
                () -> true, Map.of("/", (method, query, headers, body) -> {
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return OK;
                }, "/score", (method, query, headers, body) -> OK));
        List<Future<HttpResponse<String>>> blocked = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            blocked.add(pool.submit(() -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.port() + "/")).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofString())));
        }
        Thread.sleep(300);
        HttpResponse<String> third = post("/", "{}");
        assertThat(third.statusCode()).isEqualTo(503);
        assertThat(third.body()).contains("retry later");
        // The 503 comes after the body was read to its end, so the connection stays usable: a
        // client that writes a whole event before reading gets its answer, and its next request
        // goes down the same connection.
        Socket raw = open();
        String event = "{\"x\":\"" + "e".repeat(60_000) + "\"}";
        raw.getOutputStream().write(("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + event.length() + "\r\n\r\n" + event
                + "GET /health/liveness HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        StringBuilder both = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (!both.toString().contains("HTTP/1.1 200")) {
            int n = raw.getInputStream().read(buffer);
            assertThat(n).as("the connection was closed after: %s", both).isPositive();
            both.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
        }
        assertThat(both.toString()).startsWith("HTTP/1.1 503").doesNotContainIgnoringCase("connection: close")
                .contains("HTTP/1.1 200");
        for (int i = 0; i < 20; i++) {
            assertThat(post("/score", "{}").statusCode()).isEqualTo(200);
            assertThat(get("/health/liveness").statusCode()).isEqualTo(200);
        }
        release.countDown();
        for (Future<HttpResponse<String>> f : blocked) {
            assertThat(f.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void hugeHeadersAre431AndConflictingLengthsAreRefused() throws Exception {
        server = new FunctionServer(1024, "127.0.0.1", 0, () -> true, Map.of("/score", (m, q, h, b) -> OK));
        Socket big = open();
        big.getOutputStream().write(("GET /health/liveness HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(32 * 1024)
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(readAll(big)).startsWith("HTTP/1.1 431");
        Socket twice = open();
        twice.getOutputStream().write(("POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n"
                + "\r\n{}").getBytes(StandardCharsets.US_ASCII));
        assertThat(readAll(twice)).startsWith("HTTP/1.1 400");
        Socket both = open();
        both.getOutputStream().write(("POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(readAll(both)).startsWith("HTTP/1.1 400");
    }

    @Test
    void anIdleConnectionIsClosed() throws Exception {
        server = new FunctionServer(new FunctionServer.Limits(1024, 4, 20, 512, Duration.ofMillis(500), 1024,
                Duration.ofSeconds(8)),
                "127.0.0.1", 0, () -> true, Map.of());
        Socket idle = open();
        idle.getOutputStream().write("GET /health/liv".getBytes(StandardCharsets.US_ASCII));
        long t0 = System.nanoTime();
        assertThat(idle.getInputStream().read()).as("closed by the server").isEqualTo(-1);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }

    /** Whether the peer has closed (end of stream or a reset), rather than the read timing out. */
    private static boolean closedByServer(Socket s) throws Exception {
        try {
            return s.getInputStream().read() == -1;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    private static String readAll(Socket s) throws Exception {
        InputStream in = s.getInputStream();
        OutputStream ignored = s.getOutputStream();
        try {
            return new String(in.readNBytes(64), StandardCharsets.US_ASCII);
        } catch (java.net.SocketException reset) {
            return "";
        }
    }
}
