package dev.prsentinel.bluegreen;

import dev.prsentinel.bluegreen.gate.Check;
import dev.prsentinel.bluegreen.gate.GateResult;
import dev.prsentinel.bluegreen.gate.LoadContract;
import dev.prsentinel.bluegreen.gate.LoadGate;
import dev.prsentinel.bluegreen.gate.LoadSummary;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * The load gate as the promoter runs it: the contract's scenarios in order (smoke, then load), each
 * judged by its own thresholds; a failed smoke skips the load, which would only add load to a
 * revision already answering wrong. The runner is k6 as a Job in the cluster, vegeta here.
 */
public final class ContractLoadTest implements Promoter.LoadTest {

    /** One scenario's run against an address. */
    public interface Runner {
        LoadSummary run(LoadContract contract, String scenario, URI target) throws Exception;
    }

    private final LoadContract contract;
    private final Runner runner;
    private final List<String> scenarios;

    public ContractLoadTest(LoadContract contract, Runner runner, List<String> scenarios) {
        this.contract = contract;
        this.runner = runner;
        this.scenarios = List.copyOf(scenarios);
    }

    @Override
    public GateResult run(URI green) throws Exception {
        List<Check> checks = new ArrayList<>();
        for (String name : scenarios) {
            GateResult one = LoadGate.judge(name, contract.scenario(name), runner.run(contract, name, green));
            checks.addAll(one.checks());
            if (!one.passed()) {
                break;
            }
        }
        return GateResult.of("load", checks);
    }
}
