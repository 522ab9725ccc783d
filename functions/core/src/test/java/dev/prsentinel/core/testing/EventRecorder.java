package dev.prsentinel.core.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP endpoint standing where K_SINK points: records the binary-mode events posted to it
 * and answers 202, as a broker's ingress does.
 */
public final class EventRecorder implements AutoCloseable {

    /**
     * One event as received.
     *
     * @param type ce-type
     * @param id   ce-id
     * @param body the data
     */
    public record Received(String type, String id, String body) {
    }

    private final HttpServer server;
    private final List<Received> events = new CopyOnWriteArrayList<>();

    public EventRecorder() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/", exchange -> {
            events.add(new Received(exchange.getRequestHeaders().getFirst("ce-type"),
                    exchange.getRequestHeaders().getFirst("ce-id"),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    public List<Received> events() {
        return events;
    }

    public List<String> types() {
        return events.stream().map(Received::type).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
