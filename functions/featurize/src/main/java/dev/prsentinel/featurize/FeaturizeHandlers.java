package dev.prsentinel.featurize;

import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.events.Events;
import dev.prsentinel.core.events.FeaturesReady;
import dev.prsentinel.core.events.PrIngested;
import dev.prsentinel.core.model.InvalidPayloadException;
import dev.prsentinel.core.store.PullRequestStore;
import io.cloudevents.CloudEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The featurize function: on pr.ingested (and its schedule's ping) it asks the policy whether a
 * feature set is due and, if so and no job is running, starts one and answers at once (202). Many
 * events while a job runs start nothing: the lease coalesces them. The job emits features.ready or
 * featurize.failed itself, and features.ready comes back here to re-check, so PRs that arrived
 * while a set was built are not left waiting for the next event.
 */
public final class FeaturizeHandlers implements java.util.function.Function<CloudEvent, CloudEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(FeaturizeHandlers.class);
    public static final String FUNCTION = "featurize";
    /** New PRs, the schedule, and its own finished sets (PRs may have arrived while one was built). */
    public static final Set<String> TYPES = Set.of(EventTypes.PR_INGESTED, EventTypes.PING,
            EventTypes.FEATURES_READY);

    private final PullRequestStore store;
    private final FeaturizeState state;
    private final FeaturizePolicy policy;
    private final JobLauncher launcher;
    private final Duration lease;
    private final Clock clock;

    /**
     * @param lease how long a job may hold the lease before another may start (a job's upper bound)
     */
    public FeaturizeHandlers(PullRequestStore store, FeaturizeState state, FeaturizePolicy policy,
            JobLauncher launcher, Duration lease, Clock clock) {
        this.store = store;
        this.state = state;
        this.policy = policy;
        this.launcher = launcher;
        this.lease = lease;
        this.clock = clock;
    }


    /**
     * The function as Spring Cloud Function (and any Function host) calls it: the reply, or null when
     * there is none.
     */
    @Override
    public CloudEvent apply(CloudEvent event) {
        return handle(event).orElse(null);
    }

    public Optional<CloudEvent> handle(CloudEvent event) {
        if (EventTypes.PR_INGESTED.equals(event.getType())) {
            PrIngested ingested = Events.data(event, PrIngested.class);
            if (ingested.repo() == null) {
                throw new InvalidPayloadException("repo", "missing");
            }
        } else if (EventTypes.FEATURES_READY.equals(event.getType())) {
            Events.data(event, FeaturesReady.class);
        } else if (!EventTypes.PING.equals(event.getType())) {
            throw new InvalidPayloadException("type", "featurize does not handle " + event.getType());
        }
        check();
        return Optional.empty();
    }

    /** Starts a job if one is due and none is running; returns whether it started one. */
    public boolean check() {
        Instant now = clock.instant();
        FeaturizePolicy.Decision decision = policy.decide(store.estimatedCount(), state.last(), now);
        if (!decision.due()) {
            LOG.debug("no feature set due: {}", decision.reason());
            return false;
        }
        if (!state.claim(now, lease)) {
            LOG.info("feature set due ({}), but a job is running: coalesced", decision.reason());
            return false;
        }
        LOG.info("feature set due: {}; starting a job for the window up to {}", decision.reason(), now);
        launcher.launch(now, state::release);
        return true;
    }
}
