package dev.prsentinel.bluegreen.gate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The load gate's contract, perf/thresholds.json: per scenario its executor settings and its k6
 * thresholds. k6's scripts read the same file with open(); so does vegeta's runner here
 * ({@link VegetaLoadTest}) and the gate ({@link LoadGate}). One file, one set of numbers.
 *
 * @param dir       the folder it was read from (perf/, or the ConfigMap it is mounted from)
 * @param path      the request path every scenario sends to
 * @param body      the request body
 * @param scenarios by name: smoke, load, cold-start
 */
public record LoadContract(Path dir, String path, byte[] body, Map<String, Scenario> scenarios) {

    /** The file's name inside its folder. */
    public static final String FILE = "thresholds.json";

    /**
     * One scenario.
     *
     * @param name       its name
     * @param executor   k6's executor (shared-iterations, constant-arrival-rate)
     * @param vus        requests in flight at most (shared-iterations), else 0
     * @param iterations requests in all (shared-iterations), else 0
     * @param rate       requests per {@code timeUnit} (constant-arrival-rate), else 0
     * @param timeUnit   the rate's unit
     * @param duration   how long requests start (constant-arrival-rate), else zero
     * @param thresholds per metric, its expressions
     */
    public record Scenario(String name, String executor, int vus, int iterations, int rate, Duration timeUnit,
            Duration duration, Map<String, List<Threshold>> thresholds) {

        public Scenario {
            thresholds = Map.copyOf(thresholds);
        }

        /** Requests per second this scenario starts (constant-arrival-rate), else 0. */
        public double perSecond() {
            return timeUnit.isZero() ? 0 : rate * 1e9 / timeUnit.toNanos();
        }
    }

    public LoadContract {
        scenarios = Map.copyOf(scenarios);
    }

    public Scenario scenario(String name) {
        Scenario s = scenarios.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no scenario \"" + name + "\" in " + dir.resolve(FILE) + " (it has "
                    + scenarios.keySet() + ")");
        }
        return s;
    }

    /** Reads {@code dir}/thresholds.json and the request body it names; a malformed file is refused with the field. */
    public static LoadContract read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        JsonNode request = required(root, "request", file);
        String body = required(request, "body", file).asText();
        Map<String, Scenario> scenarios = new LinkedHashMap<>();
        JsonNode all = required(root, "scenarios", file);
        for (var it = all.fields(); it.hasNext();) {
            var e = it.next();
            String name = e.getKey();
            JsonNode s = e.getValue();
            String where = "scenarios." + name;
            Map<String, List<Threshold>> thresholds = new LinkedHashMap<>();
            JsonNode t = required(s, "thresholds", file);
            for (var m = t.fields(); m.hasNext();) {
                var metric = m.next();
                List<Threshold> expressions = new ArrayList<>();
                for (JsonNode x : metric.getValue()) {
                    try {
                        expressions.add(Threshold.parse(x.asText()));
                    } catch (IllegalArgumentException ex) {
                        throw new IllegalArgumentException(file + ": " + where + ".thresholds." + metric.getKey()
                                + ": " + ex.getMessage());
                    }
                }
                thresholds.put(metric.getKey(), expressions);
            }
            scenarios.put(name, new Scenario(name, required(s, "executor", file).asText(), s.path("vus").asInt(0),
                    s.path("iterations").asInt(0), s.path("rate").asInt(0),
                    s.has("timeUnit") ? k6Duration(s.get("timeUnit").asText()) : Duration.ofSeconds(1),
                    s.has("duration") ? k6Duration(s.get("duration").asText()) : Duration.ZERO, thresholds));
        }
        return new LoadContract(dir, required(request, "path", file).asText(),
                Files.readAllBytes(dir.resolve(body)), scenarios);
    }

    private static JsonNode required(JsonNode node, String field, Path file) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(file + ": \"" + field + "\" is missing");
        }
        return v;
    }

    /** k6's durations as the contract writes them: 500ms, 30s, 2m, 1h. */
    static Duration k6Duration(String text) {
        var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration: \"" + text + "\" (e.g. 30s, 2m, 500ms)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
