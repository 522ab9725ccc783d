package dev.prsentinel.score;

import dev.prsentinel.core.anomaly.Scorer;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The model being served, once loaded, and why there is none before that. Readiness is "a model
 * is here": the app never answers a score without one.
 */
final class ServedModel {

    /**
     * A model with its scorer.
     *
     * @param loaded   where it came from
     * @param scorer   the scorer over it
     * @param rendered what its answers repeat, rendered once
     */
    record Current(ModelSource.Loaded loaded, Scorer scorer, ScoreJson.Constants rendered) {
    }

    private final AtomicReference<Current> current = new AtomicReference<>();
    private volatile String problem = "the model is loading";
    private volatile boolean noneRegistered;

    Optional<Current> get() {
        return Optional.ofNullable(current.get());
    }

    void set(ModelSource.Loaded loaded) {
        current.set(new Current(loaded, new Scorer(loaded.model()), new ScoreJson.Constants(loaded)));
    }

    void failed(String reason, boolean noneRegistered) {
        this.problem = dev.prsentinel.core.config.Redact.forClient(reason);
        this.noneRegistered = noneRegistered;
    }

    /** Whether the registry said there is no model yet (as opposed to loading, or failing to load one). */
    boolean noneRegistered() {
        return current.get() == null && noneRegistered;
    }

    String problem() {
        return problem;
    }

    boolean ready() {
        return current.get() != null;
    }
}
