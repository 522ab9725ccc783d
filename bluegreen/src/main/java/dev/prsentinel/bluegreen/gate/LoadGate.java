package dev.prsentinel.bluegreen.gate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Judges a load test by its scenario's thresholds. Each expression is evaluated here on the
 * summary's values, for k6 and vegeta alike; for k6 its own verdict must agree as well, so a
 * threshold k6 failed never passes here (k6 evaluates on every sample, which a summary's rounded
 * values can hide). A metric the summary lacks fails its thresholds: an absent figure is no pass.
 */
public final class LoadGate {

    private LoadGate() {
    }

    public static GateResult judge(String scenarioLabel, LoadContract.Scenario scenario, LoadSummary summary) {
        List<Check> checks = new ArrayList<>();
        scenario.thresholds().forEach((metric, expressions) -> {
            LoadSummary.Metric m = summary.metrics().get(metric);
            for (Threshold t : expressions) {
                String name = scenarioLabel + " " + metric + " " + t.expression();
                if (m == null && summary.tool().equals("k6") && t.aggregation().equals("count")
                        && t.operator().startsWith("<")) {
                    // k6 leaves a counter without samples out of its summary: none dropped is 0.
                    checks.add(new Check(name, 0, t.expression(), t.holds(0),
                            metric + " is absent from k6's summary: no samples, counted as 0"));
                    continue;
                }
                if (m == null) {
                    checks.add(new Check(name, Double.NaN, t.expression(), false,
                            summary.tool() + "'s summary has no metric " + metric));
                    continue;
                }
                double value = t.read(m.values());
                boolean holds = t.holds(value);
                Boolean tool = m.verdicts().get(t.expression());
                String why;
                if (Double.isNaN(value)) {
                    why = metric + " has no " + t.aggregation() + " in " + summary.tool() + "'s summary";
                } else if (tool != null && !tool && holds) {
                    holds = false;
                    why = "k6 reported this threshold failed (its summary's value: " + format(value) + ")";
                } else {
                    why = metric + " " + t.aggregation() + " = " + format(value) + (holds ? "" : ", outside "
                            + t.expression());
                }
                checks.add(new Check(name, value, t.expression(), holds, why));
            }
        });
        return GateResult.of("load", checks);
    }

    static String format(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
