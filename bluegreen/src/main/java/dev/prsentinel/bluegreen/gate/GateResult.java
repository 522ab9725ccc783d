package dev.prsentinel.bluegreen.gate;

import java.util.List;

/**
 * A gate's verdict with every figure behind it.
 *
 * @param gate   "load" or "quality"
 * @param passed true when every check is ok (and there was at least one)
 * @param checks the checks, in the order they were made
 */
public record GateResult(String gate, boolean passed, List<Check> checks) {

    public GateResult {
        checks = List.copyOf(checks);
    }

    public static GateResult of(String gate, List<Check> checks) {
        return new GateResult(gate, !checks.isEmpty() && checks.stream().allMatch(Check::ok), checks);
    }

    /** The checks that failed. */
    public List<Check> failed() {
        return checks.stream().filter(c -> !c.ok()).toList();
    }
}
