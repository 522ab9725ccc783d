package dev.prsentinel.core.testing;

import dev.prsentinel.core.jobs.LocalServers;
import dev.prsentinel.core.jobs.ParentWatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A real Kubernetes API server (kube-apiserver v1.34, built by scripts/install-kube-tools.sh) over
 * a real etcd (Debian's etcd-server), both child processes of the test JVM, stopped with it even
 * after a kill -9 (ParentWatch). No controllers, no kubelet: it validates, stores, authenticates
 * and authorizes (RBAC), which is what the manifests' checks need. kubectl talks to it as an
 * admin (a static token in system:masters).
 */
public final class KubeApiServer implements AutoCloseable {

    /** What a kubectl run printed, and its exit code. */
    public record Result(int exit, String out, String err) {
        public String both() {
            return out + err;
        }
    }

    private final List<Process> processes;
    private final Path kubeconfig;
    private final Path dir;

    private KubeApiServer(List<Process> processes, Path kubeconfig, Path dir) {
        this.processes = processes;
        this.kubeconfig = kubeconfig;
        this.dir = dir;
    }

    /** The tools' folder: PRSENTINEL_TOOLS, as scripts/install-kube-tools.sh uses it. */
    public static Path toolsBin() {
        String tools = System.getenv().getOrDefault("PRSENTINEL_TOOLS",
                Path.of(System.getProperty("user.home"), ".cache", "prsentinel-tools").toString());
        return Path.of(tools, "bin");
    }

    static String etcd() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(d.isEmpty() ? "." : d, "etcd");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    /**
     * Starts etcd and the API server in {@code dir}. Without them installed: a failure under CI
     * (where .ci/run installs them), else a skip that says how to install them.
     */
    public static KubeApiServer start(Path dir) throws Exception {
        Need.KUBE_APISERVER.assume();
        Path apiserver = toolsBin().resolve("kube-apiserver");
        String etcd = etcd();
        Files.createDirectories(dir);
        List<Process> started = new ArrayList<>();
        try {
            int client = LocalServers.portOrFree(0);
            int peer = LocalServers.portOrFree(0);
            started.add(new ProcessBuilder(ParentWatch.command(List.of(etcd,
                    "--data-dir", dir.resolve("etcd").toString(),
                    "--listen-client-urls", "http://127.0.0.1:" + client,
                    "--advertise-client-urls", "http://127.0.0.1:" + client,
                    "--listen-peer-urls", "http://127.0.0.1:" + peer,
                    "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
                    "--initial-cluster", "default=http://127.0.0.1:" + peer)))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start());

            byte[] random = new byte[16];
            new SecureRandom().nextBytes(random);
            String token = HexFormat.of().formatHex(random);
            Files.writeString(dir.resolve("tokens.csv"), token + ",admin,admin-uid,system:masters\n");
            // The key the server signs service-account tokens with (PKCS #8, which it reads).
            KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
            rsa.initialize(2048);
            String pem = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(rsa.generateKeyPair().getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            Files.writeString(dir.resolve("sa.key"), pem);
            int port = LocalServers.portOrFree(0);
            started.add(new ProcessBuilder(ParentWatch.command(List.of(apiserver.toString(),
                    "--etcd-servers", "http://127.0.0.1:" + client,
                    "--bind-address", "127.0.0.1", "--secure-port", Integer.toString(port),
                    // No certificate given: it makes a self-signed one here.
                    "--cert-dir", dir.resolve("certs").toString(),
                    "--token-auth-file", dir.resolve("tokens.csv").toString(),
                    "--service-account-key-file", dir.resolve("sa.key").toString(),
                    "--service-account-signing-key-file", dir.resolve("sa.key").toString(),
                    "--service-account-issuer", "https://kubernetes.default.svc",
                    "--authorization-mode", "RBAC",
                    "--service-cluster-ip-range", "10.96.0.0/16",
                    // No nodes to reconcile the kubernetes Service's endpoints with.
                    "--endpoint-reconciler-type", "none")))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("kube-apiserver.log").toFile()).start());

            Path kubeconfig = dir.resolve("kubeconfig");
            Files.writeString(kubeconfig, """
                    apiVersion: v1
                    kind: Config
                    clusters:
                      - name: test
                        cluster: {server: "https://127.0.0.1:%d", insecure-skip-tls-verify: true}
                    users:
                      - name: admin
                        user: {token: "%s"}
                    contexts:
                      - name: test
                        context: {cluster: test, user: admin}
                    current-context: test
                    """.formatted(port, token));
            KubeApiServer server = new KubeApiServer(started, kubeconfig, dir);
            server.awaitReady(Duration.ofSeconds(90));
            return server;
        } catch (Exception | AssertionError e) {
            started.forEach(Process::destroyForcibly);
            throw e;
        }
    }

    private void awaitReady(Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        Result last = null;
        while (Instant.now().isBefore(deadline)) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IOException("a server exited (" + p.exitValue() + "); logs in " + dir);
                }
            }
            last = kubectl(null, "get", "--raw", "/readyz");
            if (last.exit() == 0) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IOException("kube-apiserver not ready within " + timeout + ": " + (last == null ? "" : last.both())
                + "; logs in " + dir);
    }

    /** Runs kubectl against this server, with {@code stdin} (or nothing) as its input. */
    public Result kubectl(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.remove("KUBECONFIG");
        Path out = Files.createTempFile(dir, "kubectl", ".out");
        Path err = Files.createTempFile(dir, "kubectl", ".err");
        Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        int exit = p.waitFor();
        Result result = new Result(exit, Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return result;
    }

    /** A kubeconfig for this server as an admin, for kubectl and for API clients. */
    public Path kubeconfig() {
        return kubeconfig;
    }

    /**
     * Installs the CRDs of each named folder of ../shared/crds (knative-serving, knative-eventing,
     * argo-cd) and waits until all are established. Without ../shared/crds: a failure under CI,
     * where it is always present, else a skip that says so.
     */
    public void installCrds(String... sets) throws Exception {
        Path crds = SharedData.require("crds");
        for (String set : sets) {
            Result applied = kubectl(null, "apply", "--server-side", "-f", crds.resolve(set).toString());
            if (applied.exit() != 0) {
                throw new IOException("installing the " + set + " CRDs: " + applied.both());
            }
        }
        // A CRD just created may have no status yet, which kubectl wait reports as an error rather
        // than waiting on: ask again until every one is established.
        Instant deadline = Instant.now().plusSeconds(60);
        Result ready;
        do {
            ready = kubectl(null, "wait", "--for", "condition=established", "crd", "--all", "--timeout=10s");
            if (ready.exit() != 0) {
                Thread.sleep(200);
            }
        } while (ready.exit() != 0 && Instant.now().isBefore(deadline));
        if (ready.exit() != 0) {
            throw new IOException("CRDs not established: " + ready.both());
        }
    }

    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            try {
                p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            p.destroyForcibly();
        }
    }
}
