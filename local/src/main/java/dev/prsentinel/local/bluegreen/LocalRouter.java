package dev.prsentinel.local.bluegreen;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.prsentinel.bluegreen.Rollout;
import dev.prsentinel.bluegreen.ServiceRoutes;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The score Service on one machine: what Knative does for the promoter, done by this JVM. Its
 * template is a model version (or none: the alias); each new template starts a revision (a local
 * score server, {@link Revisions}), named score-0000N as Knative names them. Its traffic block is
 * the promoter's: the Service's own address sends each request to a target drawn by the
 * percentages, and each tag has an address of its own (a port) reaching its revision alone, as a
 * Knative tag's URL does. Writes are conditional on a resourceVersion, like the API server's.
 */
public final class LocalRouter implements ServiceRoutes, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalRouter.class);

    /** Starts and stops the score servers that are this Service's revisions. */
    public interface Revisions {
        /** Starts a revision serving {@code modelVersion} (null: the registry's alias); returns its address. */
        URI start(String name, String modelVersion) throws IOException;

        boolean ready(String name);

        void stop(String name);
    }

    /** A revision; its address once its server has started. */
    private static final class Revision {
        final String name;
        final String modelVersion;
        volatile URI address;

        Revision(String name, String modelVersion) {
            this.name = name;
            this.modelVersion = modelVersion;
        }
    }

    static {
        noDelay();
    }

    /**
     * The JDK's server leaves Nagle's algorithm on, which with the client's delayed ACK cost about
     * 40 ms per proxied answer (p95 52 ms through the router at 100/s, where score alone answers in
     * 1 ms). The setting is read once, when the JVM's first JDK server starts, so the runtime calls
     * this before it starts any.
     */
    public static void noDelay() {
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private static final java.util.Set<String> HOP_BY_HOP = java.util.Set.of("host", "content-length", "connection",
            "transfer-encoding", "expect", "upgrade", "http2-settings", "keep-alive", "te", "trailer");

    private final Revisions revisions;
    private final HttpServer main;
    private final Map<String, HttpServer> tagServers = new LinkedHashMap<>();
    private final Map<String, Revision> created = new LinkedHashMap<>();
    // HTTP/1.1: the default (HTTP/2) offers an h2c upgrade on every new connection to score.
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final AtomicLong version = new AtomicLong(1);
    private List<Target> traffic = List.of();
    private String templateModel;
    private Integer initialScale;
    private String rollout;
    private long generation = 1;

    /** Starts the router with one revision serving {@code modelVersion} (null: the alias), at 100%. */
    public LocalRouter(Revisions revisions, String modelVersion) throws IOException {
        // The first revision is started here, not in the background: the Service serves from the start.
        this.revisions = revisions;
        this.templateModel = modelVersion;
        this.main = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        main.createContext("/", exchange -> forward(exchange, null));
        main.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        main.start();
        String first = String.format("score-%05d", 1);
        Revision r = new Revision(first, modelVersion);
        r.address = revisions.start(first, modelVersion);
        created.put(first, r);
    }

    /** The Service's own address: the traffic block's split. */
    public URI address() {
        return URI.create("http://127.0.0.1:" + main.getAddress().getPort());
    }

    /**
     * A revision for the current template, started in the background as Knative starts a pod: it
     * exists (latest created) at once, and is ready once its server is.
     */
    private synchronized String newRevision() {
        String name = String.format("score-%05d", created.size() + 1);
        Revision r = new Revision(name, templateModel);
        created.put(name, r);
        Thread start = new Thread(() -> {
            try {
                r.address = revisions.start(name, r.modelVersion);
                LOG.info("revision {} started (model version {})", name,
                        r.modelVersion == null ? "by alias" : r.modelVersion);
            } catch (IOException | RuntimeException e) {
                LOG.error("revision {} did not start: {}", name, e.toString());
            }
        }, "revision-" + name);
        start.setDaemon(true);
        start.start();
        return name;
    }

    private synchronized String latestCreated() {
        String last = null;
        for (String n : created.keySet()) {
            last = n;
        }
        return last;
    }

    private synchronized String latestReady() {
        String last = null;
        for (Revision r : created.values()) {
            String n = r.name;
            if (r.address != null && revisions.ready(n)) {
                last = n;
            }
        }
        return last;
    }

    /** The traffic as served: the block with each target resolved to a revision and each tag's address. */
    private synchronized List<Target> routed() {
        List<Target> spec = traffic.isEmpty() ? List.of(new Target(null, true, 100, null, null)) : traffic;
        List<Target> out = new ArrayList<>();
        for (Target t : spec) {
            String rev = t.latestRevision() ? latestReady() : t.revisionName();
            HttpServer tagServer = t.tag() == null ? null : tagServers.get(t.tag());
            out.add(new Target(rev, t.latestRevision(), t.percent(), t.tag(),
                    tagServer == null ? null : "http://127.0.0.1:" + tagServer.getAddress().getPort()));
        }
        return out;
    }

    @Override
    public synchronized ServiceState read() {
        return new ServiceState(Long.toString(version.get()), generation, generation, latestCreated(), latestReady(),
                traffic, routed(), templateModel, initialScale, rollout);
    }

    @Override
    public synchronized Optional<RevisionState> revision(String name) {
        Revision r = created.get(name);
        if (r == null) {
            return Optional.empty();
        }
        boolean ready = r.address != null && revisions.ready(name);
        return Optional.of(new RevisionState(name, r.modelVersion, ready, ready ? null : "starting", ready ? 1 : 0));
    }

    @Override
    public synchronized long apply(Owned owned, String resourceVersion) {
        if (resourceVersion != null && !resourceVersion.equals(Long.toString(version.get()))) {
            throw new Conflict("the Service changed since it was read");
        }
        boolean newTemplate = !Objects.equals(templateModel, owned.modelVersion())
                || !Objects.equals(initialScale, owned.initialScale());
        templateModel = owned.modelVersion();
        initialScale = owned.initialScale();
        rollout = owned.rollout();
        traffic = owned.traffic();
        try {
            for (Target t : traffic) {
                if (t.tag() != null && !tagServers.containsKey(t.tag())) {
                    String tag = t.tag();
                    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
                    s.createContext("/", exchange -> forward(exchange, tag));
                    s.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
                    s.start();
                    tagServers.put(tag, s);
                }
            }
            if (newTemplate) {
                generation++;
                newRevision();
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a revision: " + e.getMessage(), e);
        }
        version.incrementAndGet();
        retire();
        return generation;
    }

    /** Revisions no target names, and older than the newest, are stopped: Knative scales them to zero. */
    private void retire() {
        List<String> keep = new ArrayList<>();
        routed().forEach(t -> keep.add(t.revisionName()));
        keep.add(latestCreated());
        if (rollout != null && !Rollout.fromJson(rollout).step().finished()) {
            return;
        }
        for (Revision r : new ArrayList<>(created.values())) {
            if (!keep.contains(r.name) && r.address != null) {
                revisions.stop(r.name);
            }
        }
    }

    @Override
    public synchronized Optional<URI> address(String tag) {
        HttpServer s = tagServers.get(tag);
        return s == null ? Optional.empty() : Optional.of(URI.create("http://127.0.0.1:" + s.getAddress().getPort()));
    }

    /** Sends a request to the tag's revision, or to one drawn by the traffic's percentages. */
    private void forward(HttpExchange exchange, String tag) throws IOException {
        Revision target;
        synchronized (this) {
            target = pick(tag);
        }
        try (exchange) {
            if (target == null || target.address == null) {
                byte[] body = ("no revision serves " + (tag == null ? "the Service" : "tag " + tag) + "\n").getBytes();
                exchange.sendResponseHeaders(503, body.length);
                exchange.getResponseBody().write(body);
                return;
            }
            HttpRequest.Builder req = HttpRequest.newBuilder(target.address.resolve(exchange.getRequestURI()))
                    .timeout(Duration.ofSeconds(10))
                    .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(
                            exchange.getRequestBody().readAllBytes()));
            exchange.getRequestHeaders().forEach((k, v) -> {
                // Hop-by-hop headers, and an HTTP/2 upgrade offer (Java's client makes one), stay here.
                if (!HOP_BY_HOP.contains(k.toLowerCase(java.util.Locale.ROOT))) {
                    v.forEach(value -> req.header(k, value));
                }
            });
            HttpResponse<byte[]> res = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            res.headers().map().forEach((k, v) -> {
                if (!List.of("content-length", "connection", "transfer-encoding", ":status")
                        .contains(k.toLowerCase(java.util.Locale.ROOT))) {
                    exchange.getResponseHeaders().put(k, v);
                }
            });
            exchange.getResponseHeaders().set("X-Revision", target.name);
            exchange.sendResponseHeaders(res.statusCode(), res.body().length == 0 ? -1 : res.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(res.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.warn("forwarding to {} failed: {}", target.name, e.toString());
            exchange.sendResponseHeaders(502, -1);
        }
    }

    private Revision pick(String tag) {
        List<Target> routed = routed();
        if (tag != null) {
            return routed.stream().filter(t -> tag.equals(t.tag()) && t.revisionName() != null).findFirst()
                    .map(t -> created.get(t.revisionName())).orElse(null);
        }
        long draw = ThreadLocalRandom.current().nextLong(100);
        long sum = 0;
        for (Target t : routed) {
            sum += t.percent();
            if (draw < sum && t.revisionName() != null) {
                return created.get(t.revisionName());
            }
        }
        return null;
    }

    @Override
    public synchronized void close() {
        main.stop(0);
        tagServers.values().forEach(s -> s.stop(0));
        created.keySet().forEach(revisions::stop);
    }
}
