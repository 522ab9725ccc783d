package dev.prsentinel.score;

import dev.prsentinel.core.anomaly.Scorer;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.events.Events;
import dev.prsentinel.core.events.PrIngested;
import dev.prsentinel.core.events.PrScored;
import dev.prsentinel.core.events.RetryLater;
import dev.prsentinel.core.model.InvalidPayloadException;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.store.PullRequestStore;
import io.cloudevents.CloudEvent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * On pr.ingested: reads those PRs from the store, scores them, keeps the scores, and replies
 * pr.scored with the batch. PRs that are gone from the store are left out of the batch. While the
 * model is loading (or cannot be read) it fails with 503, so the broker retries; when the registry
 * holds no model at all yet (before the first training) it accepts the event unscored (202, counted
 * in /metrics), since retries could not help: dead letters would only pile up.
 */
final class ScoreHandlers implements java.util.function.Function<CloudEvent, CloudEvent> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ScoreHandlers.class);

    static final String FUNCTION = "score";
    static final Set<String> TYPES = Set.of(EventTypes.PR_INGESTED);

    private final PullRequestStore prs;
    private final ScoreStore scores;
    private final ServedModel served;
    private final Clock clock;
    private final java.util.concurrent.atomic.LongAdder unscored = new java.util.concurrent.atomic.LongAdder();

    ScoreHandlers(PullRequestStore prs, ScoreStore scores, ServedModel served, Clock clock) {
        this.prs = prs;
        this.scores = scores;
        this.served = served;
        this.clock = clock;
    }

    /** pr.ingested events accepted without a model to score them. */
    long unscored() {
        return unscored.sum();
    }


    /**
     * The function as Spring Cloud Function (and any Function host) calls it: the reply, or null when
     * there is none.
     */
    @Override
    public CloudEvent apply(CloudEvent event) {
        return handle(event).orElse(null);
    }

    Optional<CloudEvent> handle(CloudEvent event) {
        PrIngested ingested = Events.data(event, PrIngested.class);
        if (ingested.repo() == null || !ingested.repo().contains("/")) {
            throw new InvalidPayloadException("repo", "missing or not owner/name");
        }
        if (served.noneRegistered()) {
            unscored.increment();
            LOG.info("{} PRs of {} not scored: {}", ingested.numbers().size(), ingested.repo(), served.problem());
            return Optional.empty();
        }
        ServedModel.Current model = served.get().orElseThrow(() -> new RetryLater(
                "no model loaded: " + served.problem()));
        List<PrScored.PrScore> out = new ArrayList<>();
        java.util.Map<Integer, PullRequest> stored = prs.find(ingested.repo(), ingested.numbers());
        for (int number : ingested.numbers()) {
            PullRequest pr = stored.get(number);
            if (pr == null) {
                continue;
            }
            Scorer.Score s = model.scorer().explain(pr, ScoreApi.TOP_FEATURES);
            scores.put(pr, s, model.loaded(), clock.instant());
            out.add(new PrScored.PrScore(number, s.score(), s.anomalous(), s.category(),
                    s.top().stream().map(Scorer.Contribution::feature).toList()));
        }
        return Optional.of(Events.caused(event, EventTypes.PR_SCORED, PrScored.VERSION, FUNCTION, ingested.repo(),
                new PrScored(ingested.repo(), model.loaded().name(), model.loaded().version(),
                        model.loaded().model().specVersion(),
                        model.loaded().model().threshold(), out), clock));
    }
}
