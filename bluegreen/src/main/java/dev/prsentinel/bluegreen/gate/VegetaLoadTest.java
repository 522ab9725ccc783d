package dev.prsentinel.bluegreen.gate;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a scenario of the contract with vegeta (the local and CI stand-in for k6, which cannot be
 * installed here: perf/README.md) and maps its JSON report onto the gate's metrics. vegeta's
 * {@code attack -rate} is open-loop like k6's constant-arrival-rate: requests start on schedule
 * whatever the server's latency. A shared-iterations scenario becomes its iterations spread over
 * one second with at most {@code vus} requests in flight.
 */
public final class VegetaLoadTest {

    private final String vegeta;
    private final Path work;

    /**
     * @param vegeta the vegeta binary
     * @param work   where targets, results and reports are written
     */
    public VegetaLoadTest(String vegeta, Path work) {
        this.vegeta = vegeta;
        this.work = work;
    }

    /** vegeta from VEGETA, else PATH, else the project's tools folder (scripts/install-kube-tools.sh). */
    public static String locate(Map<String, String> env) {
        String configured = env.get("VEGETA");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        List<Path> candidates = new ArrayList<>();
        for (String d : env.getOrDefault("PATH", "").split(":")) {
            candidates.add(Path.of(d.isEmpty() ? "." : d, "vegeta"));
        }
        candidates.add(Path.of(env.getOrDefault("PRSENTINEL_TOOLS",
                Path.of(System.getProperty("user.home"), ".cache", "prsentinel-tools").toString()), "bin", "vegeta"));
        return candidates.stream().filter(Files::isExecutable).findFirst().map(Path::toString)
                .orElseThrow(() -> new IllegalStateException(
                        "vegeta is not installed: run scripts/install-kube-tools.sh"
                        + " (or set VEGETA)"));
    }

    /** Runs one scenario against {@code base} (the revision's address) and returns its summary. */
    public LoadSummary run(LoadContract contract, String scenarioName, URI base) throws IOException,
            InterruptedException {
        LoadContract.Scenario scenario = contract.scenario(scenarioName);
        Files.createDirectories(work);
        Path body = work.resolve("body.json");
        Files.write(body, contract.body());
        Path targets = work.resolve(scenarioName + ".targets");
        String url = base.toString().replaceAll("/$", "") + contract.path();
        Files.writeString(targets, "POST " + url + "\nContent-Type: application/json\n@" + body + "\n",
                StandardCharsets.UTF_8);
        Path results = work.resolve(scenarioName + ".bin");
        List<String> attack = new ArrayList<>(List.of(vegeta, "attack", "-targets", targets.toString(),
                "-output", results.toString(), "-timeout", "10s"));
        if (scenario.executor().equals("constant-arrival-rate")) {
            attack.addAll(List.of("-rate", scenario.rate() + "/" + scenario.timeUnit().toMillis() + "ms",
                    "-duration", scenario.duration().toMillis() + "ms"));
        } else {
            int iterations = Math.max(1, scenario.iterations());
            attack.addAll(List.of("-rate", iterations + "/1s", "-duration", "1s", "-workers", "1", "-max-workers",
                    Integer.toString(Math.max(1, scenario.vus()))));
        }
        exec(attack, work.resolve(scenarioName + ".attack.log"));
        Path report = work.resolve(scenarioName + ".report.json");
        exec(List.of(vegeta, "report", "-type", "json", "-output", report.toString(), results.toString()),
                work.resolve(scenarioName + ".report.log"));
        return LoadSummary.fromVegeta(new ObjectMapper().readTree(report.toFile()), scenario);
    }

    private static void exec(List<String> command, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int exit = p.waitFor();
        if (exit != 0) {
            throw new IOException(command.get(1) + " exited " + exit + ": " + Files.readString(log).strip());
        }
    }
}
