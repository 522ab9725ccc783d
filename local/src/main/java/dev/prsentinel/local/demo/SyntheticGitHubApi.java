package dev.prsentinel.local.demo;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.github.GitHubPullRequests;
import dev.prsentinel.core.model.PullRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for api.github.com that serves one synthetic repository, so the demo's sync request
 * exercises the real backfill path (github-api, paging, high-water mark, detail fetches) on a
 * machine without network. It answers only the three calls a backfill makes, in GitHub's shapes:
 * the repository, the PR list sorted by update (Link-header paging) and single PRs. `sync --repo`
 * talks to the real GitHub.
 */
public final class SyntheticGitHubApi implements AutoCloseable {

    private static final Pattern SINGLE = Pattern.compile("/repos/([^/]+/[^/]+)/pulls/(\\d+)");
    private static final Pattern LIST = Pattern.compile("/repos/([^/]+/[^/]+)/pulls");
    private static final Pattern REPO = Pattern.compile("/repos/([^/]+/[^/]+)");

    private final String repo;
    private final List<PullRequest> pulls;
    private final HttpServer server;
    private final AtomicInteger calls = new AtomicInteger();

    public SyntheticGitHubApi(String repo, List<PullRequest> pulls) throws IOException {
        this.repo = repo;
        this.pulls = pulls.stream().sorted(Comparator.comparing(PullRequest::updatedAt).reversed()).toList();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public int calls() {
        return calls.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            calls.incrementAndGet();
            String path = exchange.getRequestURI().getPath();
            Matcher m;
            if ((m = SINGLE.matcher(path)).matches() && m.group(1).equals(repo)) {
                int number = Integer.parseInt(m.group(2));
                PullRequest pr = pulls.stream().filter(p -> p.number() == number).findFirst().orElse(null);
                if (pr == null) {
                    send(exchange, 404, "{\"message\":\"Not Found\"}", null);
                } else {
                    send(exchange, 200, withUrls(GitHubPullRequests.toJson(pr)).toString(), null);
                }
            } else if ((m = LIST.matcher(path)).matches() && m.group(1).equals(repo)) {
                Map<String, String> q = query(exchange.getRequestURI().getRawQuery());
                int perPage = Integer.parseInt(q.getOrDefault("per_page", "30"));
                int page = Integer.parseInt(q.getOrDefault("page", "1"));
                ArrayNode array = Json.mapper().createArrayNode();
                pulls.stream().skip((long) (page - 1) * perPage).limit(perPage).forEach(pr -> {
                    ObjectNode listed = withUrls(GitHubPullRequests.toJson(pr));
                    List.of("additions", "deletions", "changed_files", "commits", "comments", "review_comments",
                            "merged").forEach(listed::remove);
                    array.add(listed);
                });
                String link = null;
                if ((long) page * perPage < pulls.size()) {
                    link = "<" + url() + path + "?state=all&sort=updated&direction=desc&per_page=" + perPage + "&page="
                            + (page + 1) + ">; rel=\"next\"";
                }
                send(exchange, 200, array.toString(), link);
            } else if ((m = REPO.matcher(path)).matches() && m.group(1).equals(repo)) {
                ObjectNode r = Json.mapper().createObjectNode().put("id", 1).put("name", repo.split("/")[1])
                        .put("full_name", repo).put("url", url() + "/repos/" + repo);
                r.putObject("owner").put("login", repo.split("/")[0]);
                send(exchange, 200, r.toString(), null);
            } else {
                send(exchange, 404, "{\"message\":\"Not Found\"}", null);
            }
        }
    }

    private ObjectNode withUrls(ObjectNode pr) {
        pr.put("url", url() + "/repos/" + repo + "/pulls/" + pr.get("number").asInt());
        pr.put("id", Math.abs((repo + pr.get("number")).hashCode()));
        return pr;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String part : raw.split("&")) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    q.put(part.substring(0, eq), URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    private static void send(HttpExchange exchange, int status, String body, String link) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        exchange.getResponseHeaders().add("X-RateLimit-Limit", "5000");
        exchange.getResponseHeaders().add("X-RateLimit-Remaining", "4999");
        exchange.getResponseHeaders().add("X-RateLimit-Reset",
                String.valueOf(Instant.now().plusSeconds(3600).getEpochSecond()));
        if (link != null) {
            exchange.getResponseHeaders().add("Link", link);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
