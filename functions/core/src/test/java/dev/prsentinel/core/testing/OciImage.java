package dev.prsentinel.core.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.jobs.ParentWatch;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An image as Jib built it (an OCI layout in target/jib-image.tar), unpacked layer by layer into a
 * root directory and started the way a container runtime starts it, without a daemon: its own
 * root (chroot), its config's entrypoint, environment and user, a fresh /proc and /dev, the root
 * read-only and /tmp a writable tmpfs, as the manifests mount it (knative/: readOnlyRootFilesystem
 * with an emptyDir at /tmp), and the host's /etc/hosts, hostname and resolv.conf as a runtime
 * provides the pod's. The network is the host's, so a test reaches it on 127.0.0.1.
 *
 * <p>Needs root (mounts and chroot, in a private mount namespace by unshare). Elsewhere tests
 * using it skip, saying so; under CI they fail.
 */
public final class OciImage {

    private final Path root;
    private final JsonNode config;

    private OciImage(Path root, JsonNode config) {
        this.root = root;
        this.config = config;
    }

    /** Whether this machine can start an unpacked image: root, unshare and chroot. */
    public static void assumeRunnable() {
        String why = null;
        if (!"root".equals(System.getProperty("user.name"))) {
            why = "starting an unpacked image needs root (chroot and mounts in a private namespace)";
        } else if (!Files.isExecutable(Path.of("/usr/bin/unshare"))
                || !Files.isExecutable(Path.of("/usr/sbin/chroot"))) {
            why = "unshare or chroot (util-linux, coreutils) is missing";
        }
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(why);
            }
            assumeTrue(false, "skipped: " + why);
        }
    }

    /** The image Jib built for this module, or a skip (a failure under CI) when it was not built. */
    public static Path builtImage() {
        Path tar = Path.of("target", "jib-image.tar");
        if (!Files.isRegularFile(tar)) {
            String why = "target/jib-image.tar is missing: the images profile builds it at package (not -DskipImages)";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(why);
            }
            assumeTrue(false, "skipped: " + why);
        }
        return tar;
    }

    /** Unpacks the image's layers, in order, into {@code root}. */
    public static OciImage unpack(Path imageTar, Path root) throws IOException, InterruptedException {
        Path layout = Files.createTempDirectory(root.getParent(), "oci-layout");
        run(List.of("tar", "-xf", imageTar.toString(), "-C", layout.toString()));
        JsonNode index = Json.mapper().readTree(layout.resolve("index.json").toFile());
        JsonNode manifest = Json.mapper().readTree(blob(layout, index.at("/manifests/0/digest").asText()).toFile());
        Files.createDirectories(root);
        for (JsonNode layer : manifest.get("layers")) {
            run(List.of("tar", "-xzf", blob(layout, layer.get("digest").asText()).toString(), "-C", root.toString()));
        }
        JsonNode config = Json.mapper().readTree(blob(layout, manifest.at("/config/digest").asText()).toFile());
        return new OciImage(root, config.get("config"));
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs").resolve(digest.replace(':', '/'));
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

    public Path root() {
        return root;
    }

    /** The image's config (Entrypoint, Env, User, ExposedPorts, ...). */
    public JsonNode config() {
        return config;
    }

    /** The environment the image declares, in order. */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : config.path("Env")) {
            String s = e.asText();
            env.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
        }
        return env;
    }

    /**
     * Starts the entrypoint (with {@code args} after it, as a pod's args) with the image's
     * environment plus {@code env}, and each host directory of {@code mounts} bound read-only at its
     * path inside. Output goes to {@code log}. Stopped with this JVM, even after a kill -9.
     */
    public Process start(Map<String, String> env, Map<String, Path> mounts, List<String> args, Path log)
            throws IOException {
        List<String> entrypoint = new ArrayList<>();
        config.path("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
        return run(entrypoint, env, mounts, args, log);
    }

    /**
     * Starts {@code command} in place of the entrypoint, as a pod's {@code command} replaces it (the
     * training Job's template does), otherwise as {@link #start}.
     */
    public Process run(List<String> command, Map<String, String> env, Map<String, Path> mounts, List<String> args,
            Path log) throws IOException {
        // $0 is the root, $1 the user, $2 the image's PATH; the rest is the command. The host's PATH
        // serves the watchdog and the mounts; the entrypoint gets exactly the image's environment
        // plus env.
        StringBuilder script = new StringBuilder("set -e; r=\"$0\"; u=\"$1\"; p=\"$2\"; shift 2; ");
        script.append("/bin/mount --rbind \"$r\" \"$r\"; ");
        Files.createDirectories(root.resolve("proc"));
        Files.createDirectories(root.resolve("dev"));
        Files.createDirectories(root.resolve("tmp"));
        script.append("/bin/mount -t proc proc \"$r/proc\"; /bin/mount --rbind /dev \"$r/dev\"; ")
                .append("/bin/mount -t tmpfs -o size=4g,mode=1777 tmpfs \"$r/tmp\"; ");
        // After /tmp's tmpfs, so that a directory under the host's /tmp is not hidden by it.
        for (var m : mounts.entrySet()) {
            String inside = "$r/" + m.getKey().replaceFirst("^/", "");
            script.append("mkdir -p \"").append(inside).append("\"; /bin/mount --bind '")
                    .append(m.getValue().toAbsolutePath()).append("' \"").append(inside)
                    .append("\"; /bin/mount -o remount,bind,ro \"").append(inside).append("\"; ");
        }
        // A runtime (the kubelet's) gives every container the pod's /etc/hosts, hostname and DNS.
        for (String file : List.of("etc/hosts", "etc/hostname", "etc/resolv.conf")) {
            Path host = Path.of("/").resolve(file);
            if (Files.isRegularFile(host)) {
                Path inside = root.resolve(file);
                Files.createDirectories(inside.getParent());
                if (!Files.exists(inside)) {
                    Files.createFile(inside);
                }
                script.append("/bin/mount --bind ").append(host).append(" '").append(inside).append("'; ");
            }
        }
        script.append("/bin/mount -o remount,bind,ro \"$r\"; ")
                .append("export PATH=\"$p\"; exec /usr/sbin/chroot --userspec=\"$u\" \"$r\" \"$@\"");
        List<String> full = new ArrayList<>(List.of("/usr/bin/unshare", "--mount", "--propagation", "private",
                "/bin/sh", "-c", script.toString(), root.toString(), config.path("User").asText("0:0")));
        Map<String, String> inside = new LinkedHashMap<>(environment());
        inside.putAll(env);
        full.add(inside.getOrDefault("PATH", "/usr/bin:/bin"));
        full.addAll(command);
        full.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(ParentWatch.command(full));
        builder.environment().clear();
        builder.environment().putAll(inside);
        builder.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        return builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * Waits until a started image answers 200 on {@code health}; fails with its log when it exits or
     * does not answer within {@code timeout}.
     */
    public static void awaitReady(Process container, URI health, Path log, Duration timeout) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!container.isAlive()) {
                throw new AssertionError("the container exited (" + container.exitValue() + "): "
                        + Files.readString(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not ready in " + timeout + ": " + Files.readString(log));
    }

    /** Stops a started image and waits for it. */
    public static void stop(Process p) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
