package dev.prsentinel.core.events;

/**
 * Which CloudEvents (by source and id, which the spec makes unique) a function has handled, and
 * what it replied, so a redelivery gets the same answer and changes nothing. An event is claimed
 * before it is handled and completed with its reply in one write, so concurrent copies of one event
 * are handled once and all answered with the same reply.
 */
public interface EventLedger {

    /** Where an event stands when a copy of it arrives. */
    enum State {
        /** This caller owns the event now: handle it, then {@link #complete} or {@link #release} it. */
        CLAIMED,
        /** Handled before: answer with {@link Claim#reply()}. */
        DONE,
        /** Another copy is being handled right now. */
        IN_PROGRESS,
        /** Never seen ({@link #find} only). */
        ABSENT
    }

    /**
     * What a claim found.
     *
     * @param state where the event stands
     * @param reply for DONE, the reply in structured JSON, or null when there was none
     */
    record Claim(State state, String reply) {
    }

    /** Claims an event, or says who has it. */
    Claim claim(String source, String id, String type);

    /** Where an event stands, without claiming it. */
    Claim find(String source, String id);

    /**
     * Records a claimed event as handled, with its reply (structured JSON, or null for none). Only
     * the claim's owner completes it; a completed record is never replaced.
     */
    void complete(String source, String id, String reply);

    /** Gives a claim back unhandled (the handler failed), so a retry can handle the event. */
    void release(String source, String id);
}
