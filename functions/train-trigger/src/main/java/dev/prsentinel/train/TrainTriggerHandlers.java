package dev.prsentinel.train;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.events.Events;
import dev.prsentinel.core.events.FeaturesReady;
import dev.prsentinel.core.events.ModelTrained;
import dev.prsentinel.core.events.TrainFailed;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.model.InvalidPayloadException;
import dev.prsentinel.core.store.TrainingReference;
import io.cloudevents.CloudEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The train-trigger function: on features.ready it checks the set, asks the policy whether a
 * training is due and, if so and none is running, starts one and answers at once. A set that does
 * not exist, is not ready or has another spec version is answered with train.failed (nothing is
 * trained, nothing registered). Its own model.trained and train.failed come back here: the newest
 * ready set is checked again, so a set that arrived while a training ran is not left waiting.
 */
public final class TrainTriggerHandlers implements java.util.function.Function<CloudEvent, CloudEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(TrainTriggerHandlers.class);
    public static final String FUNCTION = TrainingJob.FUNCTION;
    public static final Set<String> TYPES = Set.of(EventTypes.FEATURES_READY, EventTypes.MODEL_TRAINED,
            EventTypes.TRAIN_FAILED);

    private final MongoDatabase db;
    private final MongoCollection<Document> sets;
    private final TrainState state;
    private final TrainPolicy policy;
    private final TrainLauncher launcher;
    private final Duration lease;
    private final Clock clock;

    /**
     * @param lease how long a training may hold the lease before another may start (its upper bound)
     */
    public TrainTriggerHandlers(MongoDatabase db, TrainPolicy policy, TrainLauncher launcher, Duration lease,
            Clock clock) {
        this.db = db;
        this.sets = db.getCollection("feature_sets");
        this.state = new TrainState(db);
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
        switch (event.getType()) {
            case EventTypes.FEATURES_READY -> {
                FeaturesReady ready = Events.data(event, FeaturesReady.class);
                if (ready.featureSetId() == null || ready.featureSetId().isBlank()) {
                    throw new InvalidPayloadException("feature_set_id", "missing");
                }
                return consider(ready.featureSetId(), event);
            }
            case EventTypes.MODEL_TRAINED -> Events.data(event, ModelTrained.class);
            case EventTypes.TRAIN_FAILED -> Events.data(event, TrainFailed.class);
            default -> throw new InvalidPayloadException("type", "train-trigger does not handle " + event.getType());
        }
        Document newest = sets.find(Filters.eq("status", "ready")).sort(Sorts.descending("created_at")).first();
        if (newest != null) {
            consider(newest.getString("_id"), event);
        }
        return Optional.empty();
    }

    private Optional<CloudEvent> consider(String featureSetId, CloudEvent cause) {
        Document record = sets.find(Filters.eq("_id", featureSetId)).first();
        String problem = null;
        if (record == null) {
            problem = "feature set " + featureSetId + " does not exist";
        } else if (!"ready".equals(record.getString("status"))) {
            problem = "feature set " + featureSetId + " is " + record.getString("status") + ", not ready";
        } else if (!(record.get("spec_version") instanceof Integer v) || FeatureSpecs.of(v).isEmpty()) {
            problem = "feature set " + featureSetId + " has spec v" + record.get("spec_version")
                    + ", this build trains " + FeatureSpecs.known();
        }
        if (problem != null) {
            LOG.warn("not training: {}", problem);
            return Optional.of(Events.caused(cause, EventTypes.TRAIN_FAILED, TrainFailed.VERSION, FUNCTION,
                    featureSetId, new TrainFailed(featureSetId, problem), clock));
        }
        if (state.attempted(featureSetId)) {
            LOG.debug("{} was trained on already", featureSetId);
            return Optional.empty();
        }
        Instant now = clock.instant();
        Optional<TrainingReference> last = TrainingReference.read(db);
        TrainPolicy.Decision decision = policy.decide(featureSetId, ((Number) record.get("rows")).longValue(),
                driftCounts(record, last), last, now);
        if (!decision.train()) {
            LOG.info("no training for {}: {}", featureSetId, decision.reason());
            return Optional.empty();
        }
        switch (state.claim(featureSetId, now, lease)) {
            case CLAIMED -> {
                LOG.info("training {}: {}", featureSetId, decision.reason());
                launcher.launch(featureSetId, () -> state.failed(featureSetId,
                        "the training ended without reporting; see its log", clock.instant()));
            }
            case BUSY -> LOG.info("training due for {} ({}), but one is running: checked again when it ends",
                    featureSetId, decision.reason());
            case DONE -> LOG.debug("{} was claimed meanwhile", featureSetId);
            default -> throw new IllegalStateException();
        }
        return Optional.empty();
    }

    /** The set's counts in the reference's bins, if featurize counted them against this reference. */
    private static Map<String, List<Long>> driftCounts(Document record, Optional<TrainingReference> last) {
        Document drift = record.get("drift", Document.class);
        if (drift == null || last.isEmpty() || !last.get().featureSetId().equals(drift.getString("reference_set_id"))) {
            return Map.of();
        }
        return TrainingReference.countsFrom(drift.get("bin_counts", Document.class));
    }
}
