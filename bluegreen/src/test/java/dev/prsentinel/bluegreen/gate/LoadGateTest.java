package dev.prsentinel.bluegreen.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The load gate on k6 summary documents in k6's documented handleSummary format (metrics.NAME =
 * {type, contains, values, thresholds: {expr: {ok}}}) and on a vegeta report, both judged by the
 * project's own contract, perf/thresholds.json.
 */
class LoadGateTest {

    static final Path PERF = Path.of("..", "perf");
    private static LoadContract contract;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void read() throws Exception {
        contract = LoadContract.read(PERF);
    }

    /** A k6 summary of the load scenario: p95 and p99 as given, k6's verdicts as given. */
    static JsonNode k6(double p95, double p99, double failed, boolean k6SaysP95Ok) throws Exception {
        return JSON.readTree("""
                {"root_group": {"name": "", "path": "", "id": "d41d8cd98f00b204e9800998ecf8427e", "groups": [],
                        "checks": []},
                 "options": {"summaryTrendStats": ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"]},
                 "state": {"isStdOutTTY": false, "isStdErrTTY": false, "testRunDurationMs": 30012.3},
                 "metrics": {
                   "http_req_duration": {"type": "trend", "contains": "time",
                     "values": {"avg": 8.2, "min": 1.1, "med": 6.0, "max": 301.0, "p(90)": 12.0, "p(95)": %s,
                             "p(99)": %s},
                     "thresholds": {"p(95)<100": {"ok": %s}, "p(99)<250": {"ok": true}}},
                   "http_req_failed": {"type": "rate", "contains": "default",
                     "values": {"rate": %s, "passes": 0, "fails": 3000},
                     "thresholds": {"rate<0.01": {"ok": true}}},
                   "http_reqs": {"type": "counter", "contains": "default", "values": {"count": 3000, "rate": 99.96}},
                   "checks": {"type": "rate", "contains": "default", "values": {"rate": 1, "passes": 6000, "fails": 0}}
                 }}
                """.formatted(p95, p99, k6SaysP95Ok, failed));
    }

    @Test
    void theContractIsReadWithItsScenarios() {
        assertThat(contract.scenarios()).containsKeys("smoke", "load", "cold-start");
        LoadContract.Scenario load = contract.scenario("load");
        assertThat(load.executor()).isEqualTo("constant-arrival-rate");
        assertThat(load.perSecond()).isPositive();
        assertThat(load.thresholds().get("http_req_duration")).extracting(Threshold::expression)
                .contains("p(95)<100", "p(99)<250");
        assertThat(contract.body()).isNotEmpty();
    }

    @Test
    void aK6RunWithinItsThresholdsPasses() throws Exception {
        GateResult r = LoadGate.judge("load", contract.scenario("load"), LoadSummary.fromK6(k6(30, 80, 0, true)));
        assertThat(r.passed()).as(r.checks().toString()).isTrue();
        // dropped_iterations had no samples, so k6 left it out: counted as none dropped.
        assertThat(r.checks()).anySatisfy(c -> assertThat(c.name()).contains("dropped_iterations"));
    }

    @Test
    void aSlowTailFailsNamingTheThreshold() throws Exception {
        GateResult r = LoadGate.judge("load", contract.scenario("load"), LoadSummary.fromK6(k6(30, 400, 0, true)));
        assertThat(r.passed()).isFalse();
        assertThat(r.failed()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("load http_req_duration p(99)<250");
            assertThat(c.value()).isEqualTo(400);
        });
    }

    @Test
    void errorsFailTheRate() throws Exception {
        GateResult r = LoadGate.judge("load", contract.scenario("load"), LoadSummary.fromK6(k6(30, 80, 0.2, true)));
        assertThat(r.failed()).extracting(Check::name).containsExactly("load http_req_failed rate<0.01");
    }

    @Test
    void k6sOwnFailedVerdictIsNeverOverruled() throws Exception {
        // The summary's rounded p95 looks fine, but k6, judging every sample, failed it.
        GateResult r = LoadGate.judge("load", contract.scenario("load"), LoadSummary.fromK6(k6(99.99, 80, 0, false)));
        assertThat(r.failed()).singleElement().satisfies(c -> assertThat(c.why()).contains("k6 reported"));
    }

    @Test
    void aMissingMetricIsAFailureNotAPass() throws Exception {
        JsonNode doc = k6(30, 80, 0, true);
        ((com.fasterxml.jackson.databind.node.ObjectNode) doc.get("metrics")).remove("http_req_failed");
        GateResult r = LoadGate.judge("load", contract.scenario("load"), LoadSummary.fromK6(doc));
        assertThat(r.failed()).singleElement().satisfies(c -> assertThat(c.why()).contains(
                "no metric http_req_failed"));
        assertThatThrownBy(() -> LoadSummary.fromK6(JSON.readTree("{}"))).hasMessageContaining("metrics");
    }

    @Test
    void aVegetaReportIsMappedOntoK6sNames() throws Exception {
        // vegeta report -type=json: latencies in nanoseconds, success as a ratio.
        JsonNode report = JSON.readTree("""
                {"latencies": {"total": 9000000000, "mean": 3000000, "50th": 2500000, "90th": 5000000,
                  "95th": 7000000, "99th": 12000000, "max": 40000000, "min": 900000},
                 "bytes_in": {"total": 1, "mean": 1}, "bytes_out": {"total": 1, "mean": 1},
                 "earliest": "2026-12-01T22:00:00Z", "latest": "2026-12-01T22:00:30Z", "end": "2026-12-01T22:00:30Z",
                 "duration": 29990000000, "wait": 3000000, "requests": 2990, "rate": 99.7, "throughput": 99.6,
                 "success": 0.995, "status_codes": {"200": 2975, "503": 15}, "errors": ["503 Service Unavailable"]}
                """);
        LoadContract.Scenario load = contract.scenario("load");
        LoadSummary s = LoadSummary.fromVegeta(report, load);
        assertThat(s.metrics().get("http_req_duration").values()).containsEntry("p(95)", 7.0).containsEntry("p(99)",
                12.0)
                .containsEntry("med", 2.5);
        assertThat(s.metrics().get("http_req_failed").values().get("rate")).isCloseTo(0.005,
                org.assertj.core.api.Assertions.within(1e-9));
        long expected = LoadSummary.expectedRequests(load);
        assertThat(s.metrics().get("dropped_iterations").values().get("count")).isEqualTo((double) (expected - 2990));
        GateResult r = LoadGate.judge("load", load, s);
        assertThat(r.checks()).extracting(Check::name).contains("load http_req_failed rate<0.01");
    }

    @Test
    void badExpressionsAreRefusedWithTheirText() {
        assertThat(Threshold.parse("p(95)<200")).isEqualTo(new Threshold("p(95)<200", "p(95)", "<", 200));
        assertThat(Threshold.parse("rate <= 0.01").holds(0.01)).isTrue();
        assertThat(Threshold.parse("p(99.9)<300").aggregation()).isEqualTo("p(99.9)");
        assertThatThrownBy(() -> Threshold.parse("p95<200")).hasMessageContaining("\"p95<200\"");
        assertThat(Threshold.parse("max<1000").holds(Double.NaN)).isFalse();
    }
}
