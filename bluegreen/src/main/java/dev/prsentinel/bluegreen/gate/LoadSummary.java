package dev.prsentinel.bluegreen.gate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a load test measured, per metric in k6's terms: its {@code values} (durations in ms, rates as
 * fractions) and, from k6, its own verdict per threshold expression. A k6 summary document
 * (handleSummary's data) is read as it is; a vegeta report is mapped onto the same names, so one
 * gate judges both.
 *
 * @param tool    "k6" or "vegeta"
 * @param metrics by k6 metric name
 */
public record LoadSummary(String tool, Map<String, Metric> metrics) {

    /**
     * One metric.
     *
     * @param values   k6's values: avg, med, p(95), rate, count, ...
     * @param verdicts the tool's own verdict per threshold expression (k6 only; empty for vegeta)
     */
    public record Metric(Map<String, Double> values, Map<String, Boolean> verdicts) {

        public Metric {
            values = Map.copyOf(values);
            verdicts = Map.copyOf(verdicts);
        }
    }

    public LoadSummary {
        metrics = Map.copyOf(metrics);
    }

    /**
     * A k6 summary document: {@code metrics.NAME = {type, contains, values: {...}, thresholds:
     * {"p(95)<200": {ok: true}}}}. A document without metrics is refused.
     */
    public static LoadSummary fromK6(JsonNode summary) {
        JsonNode metrics = summary.get("metrics");
        if (metrics == null || !metrics.isObject()) {
            throw new IllegalArgumentException("not a k6 summary: it has no \"metrics\" object");
        }
        Map<String, Metric> out = new LinkedHashMap<>();
        for (var it = metrics.fields(); it.hasNext();) {
            var e = it.next();
            Map<String, Double> values = new HashMap<>();
            for (var v = e.getValue().path("values").fields(); v.hasNext();) {
                var value = v.next();
                if (value.getValue().isNumber()) {
                    values.put(value.getKey(), value.getValue().asDouble());
                }
            }
            Map<String, Boolean> verdicts = new HashMap<>();
            for (var t = e.getValue().path("thresholds").fields(); t.hasNext();) {
                var threshold = t.next();
                verdicts.put(threshold.getKey(), threshold.getValue().path("ok").asBoolean(false));
            }
            out.put(e.getKey(), new Metric(values, verdicts));
        }
        return new LoadSummary("k6", out);
    }

    /**
     * A vegeta JSON report ({@code vegeta report -type=json}) of one scenario's run, in k6's names:
     * http_req_duration from the latencies (ns to ms), http_req_failed from the success ratio,
     * http_reqs, dropped_iterations (requests the scenario should have started and did not), and for
     * the cold-start scenario cold_start, the slowest (there: the only) request.
     */
    public static LoadSummary fromVegeta(JsonNode report, LoadContract.Scenario scenario) {
        JsonNode latencies = report.get("latencies");
        if (latencies == null || !report.has("requests") || !report.has("success")) {
            throw new IllegalArgumentException("not a vegeta JSON report: it needs latencies, requests and success");
        }
        long requests = report.get("requests").asLong();
        Map<String, Double> durations = new HashMap<>();
        durations.put("avg", ms(latencies, "mean"));
        durations.put("min", ms(latencies, "min"));
        durations.put("med", ms(latencies, "50th"));
        durations.put("max", ms(latencies, "max"));
        durations.put("p(90)", ms(latencies, "90th"));
        durations.put("p(95)", ms(latencies, "95th"));
        durations.put("p(99)", ms(latencies, "99th"));
        Map<String, Metric> out = new LinkedHashMap<>();
        out.put("http_req_duration", new Metric(durations, Map.of()));
        // No requests at all is a failure of all of them, not a success rate of NaN.
        double failed = requests == 0 ? 1.0 : 1.0 - report.get("success").asDouble();
        out.put("http_req_failed", new Metric(Map.of("rate", failed, "passes", failed * requests), Map.of()));
        out.put("http_reqs", new Metric(Map.of("count", (double) requests,
                "rate", report.path("rate").asDouble(0)), Map.of()));
        long expected = expectedRequests(scenario);
        out.put("dropped_iterations", new Metric(Map.of("count", (double) Math.max(0, expected - requests)),
                Map.of()));
        if (scenario.name().equals("cold-start")) {
            out.put("cold_start", new Metric(Map.of("max", ms(latencies, "max"), "avg", ms(latencies, "mean")),
                    Map.of()));
        }
        return new LoadSummary("vegeta", out);
    }

    /** The requests a scenario starts: its iterations, or rate x duration. */
    static long expectedRequests(LoadContract.Scenario scenario) {
        if (scenario.iterations() > 0) {
            return scenario.iterations();
        }
        return Math.round(scenario.perSecond() * scenario.duration().toNanos() / 1e9);
    }

    private static double ms(JsonNode latencies, String field) {
        JsonNode v = latencies.get(field);
        return v == null ? Double.NaN : v.asDouble() / 1e6;
    }
}
