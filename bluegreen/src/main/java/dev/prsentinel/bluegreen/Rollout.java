package dev.prsentinel.bluegreen;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.prsentinel.bluegreen.gate.GateResult;
import dev.prsentinel.core.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * A rollout as the Service's annotation records it: written in the same apply as the traffic it
 * describes, so a promoter that starts after a crash reads exactly how far the last one got.
 *
 * @param id            one per candidate and environment
 * @param environment   staging, production, local
 * @param candidate     the candidate's registered version
 * @param step          how far it got
 * @param blueRevision  the revision serving when it started
 * @param blueModel     the version blue serves, or null when blue followed the registry's alias
 * @param greenRevision the candidate's revision, once Knative made it
 * @param generation    the Service's generation after the candidate's template was applied
 * @param targetScale   the pods green must run before it carries the traffic (blue's, at least one)
 * @param owner         who holds it (the lease holder's identity)
 * @param started       ISO-8601
 * @param updated       ISO-8601
 * @param gates         the gates' results so far
 * @param reasons       why it was rejected, rolled back or superseded
 */
public record Rollout(String id, String environment, String candidate, Step step, String blueRevision, String blueModel,
        String greenRevision, long generation, int targetScale, String owner, String started, String updated,
        List<GateResult> gates, List<String> reasons) {

    /** The steps, in order; the last three end a rollout. */
    public enum Step {
        /** The candidate's template and a 0% green tag are applied; Knative is making the revision. */
        CREATING,
        /** Green is pinned by name at 0% under its tag. */
        GREEN_CREATED,
        /** Green is Ready at the target scale. */
        GREEN_READY,
        LOAD_PASSED,
        QUALITY_PASSED,
        /** 100% to green; the alias and the event follow. */
        SWITCHED,
        PROMOTED,
        REJECTED,
        ROLLED_BACK;

        public boolean finished() {
            return this == PROMOTED || this == REJECTED || this == ROLLED_BACK;
        }
    }

    public Rollout {
        gates = List.copyOf(gates);
        reasons = List.copyOf(reasons);
    }

    public Rollout at(Step next, String now) {
        return new Rollout(id, environment, candidate, next, blueRevision, blueModel, greenRevision, generation,
                targetScale, owner, started, now, gates, reasons);
    }

    public Rollout withGreen(String revision, String now) {
        return new Rollout(id, environment, candidate, Step.GREEN_CREATED, blueRevision, blueModel, revision,
                generation,
                targetScale, owner, started, now, gates, reasons);
    }

    public Rollout withGate(GateResult gate, Step next, String now) {
        List<GateResult> all = new ArrayList<>(gates);
        all.removeIf(g -> g.gate().equals(gate.gate()));
        all.add(gate);
        return new Rollout(id, environment, candidate, next, blueRevision, blueModel, greenRevision, generation,
                targetScale, owner, started, now, all, reasons);
    }

    public Rollout finished(Step end, List<String> why, String now) {
        List<String> all = new ArrayList<>(reasons);
        all.addAll(why);
        return new Rollout(id, environment, candidate, end, blueRevision, blueModel, greenRevision, generation,
                targetScale, owner, started, now, gates, all);
    }

    /** Every check of every gate, one line each. */
    public List<String> checkLines(boolean failedOnly) {
        List<String> lines = new ArrayList<>();
        for (GateResult g : gates) {
            g.checks().stream().filter(c -> !failedOnly || !c.ok()).forEach(c -> lines.add(g.gate() + " " + c.name()
                    + ": " + (Double.isNaN(c.value()) ? "none" : String.format(java.util.Locale.ROOT, "%.4g", c.value(
                            )))
                    + " (" + c.bound() + ") " + (c.ok() ? "ok" : "FAILED") + ": " + c.why()));
        }
        return lines;
    }

    public String toJson() {
        try {
            return Json.mapper().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the rollout record", e);
        }
    }

    /** The annotation's record; an unreadable one is reported, never guessed at. */
    public static Rollout fromJson(String json) {
        try {
            return Json.mapper().readValue(json, Rollout.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the annotation " + ServiceRoutes.ROLLOUT_ANNOTATION
                    + " is not a rollout record: " + e.getOriginalMessage());
        }
    }
}
