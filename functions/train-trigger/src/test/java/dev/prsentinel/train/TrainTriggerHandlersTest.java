package dev.prsentinel.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prsentinel.core.Json;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.events.Events;
import dev.prsentinel.core.events.FeaturesReady;
import dev.prsentinel.core.events.TrainFailed;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.model.InvalidPayloadException;
import dev.prsentinel.core.store.TrainingReference;
import dev.prsentinel.core.testing.EmbeddedMongo;
import dev.prsentinel.core.testing.MutableClock;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The function's decisions over the real store. The launcher is a recorder standing in for the
 * child JVM or the Kubernetes Job (both have their own tests): here only "was one started, for
 * which set" matters, and a real training would take the test's time without telling more.
 */
class TrainTriggerHandlersTest {

    @RegisterExtension
    final EmbeddedMongo mongo = new EmbeddedMongo();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T08:00:00Z"));
    private final List<String> launched = new ArrayList<>();
    private final List<Runnable> failures = new ArrayList<>();
    private TrainTriggerHandlers handlers;
    private int events;

    @BeforeEach
    void setUp() {
        handlers = new TrainTriggerHandlers(mongo.database(), new TrainPolicy(1000, 0.25, Duration.ofDays(7)),
                (set, onFailure) -> {
                    launched.add(set);
                    failures.add(onFailure);
                }, Duration.ofMinutes(90), clock);
    }

    private void featureSet(String id, long rows, Document drift) {
        mongo.database().getCollection("feature_sets").insertOne(new Document("_id", id).append("status", "ready")
                .append("spec_version", FeatureSpecs.CURRENT.version()).append("rows", rows).append("drift", drift)
                .append("created_at", Date.from(clock.instant())));
        clock.advance(Duration.ofMinutes(1));
    }

    private CloudEvent ready(String id) {
        return Events.create("e" + events++, EventTypes.FEATURES_READY, FeaturesReady.VERSION, "featurize", id,
                new FeaturesReady(id, FeatureSpecs.CURRENT.version(), 10, 0, "/x", clock.instant(), List.of()), clock);
    }

    private CloudEvent trainingEnded(String id) {
        return Events.create("t" + events++, EventTypes.TRAIN_FAILED, TrainFailed.VERSION, "train-trigger", id,
                new TrainFailed(id, "x"), clock);
    }

    /** What the job records when a model came out. */
    private void jobTrained(String id, long rows, Map<String, List<Long>> counts) {
        new TrainState(mongo.database()).trained(id, "run-" + id, null, null, clock.instant());
        new TrainingReference(id, rows, clock.instant(), Map.of("log_commits", List.of(0.0, 1.0, 2.0)), counts)
                .write(mongo.database());
    }

    @Test
    void aMissingOrUnreadySetIsAnsweredWithTrainFailedAndNothingStarts() throws Exception {
        Optional<CloudEvent> reply = handlers.handle(ready("fs-v1-nope"));
        assertThat(reply).isPresent();
        assertThat(reply.get().getType()).isEqualTo(EventTypes.TRAIN_FAILED);
        assertThat(Json.mapper().readTree(reply.get().getData().toBytes()).get("reason").asText())
                .isEqualTo("feature set fs-v1-nope does not exist");
        mongo.database().getCollection("feature_sets").insertOne(new Document("_id", "fs-v1-b")
                .append("status", "building"));
        assertThat(handlers.handle(ready("fs-v1-b")).orElseThrow().getData().toString()).isNotEmpty();
        assertThat(launched).isEmpty();
        assertThatThrownBy(() -> handlers.handle(ready(" "))).isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("feature_set_id");
    }

    @Test
    void theFirstSetTrainsOnceAndASetArrivingMeanwhileWaitsForTheEnd() {
        featureSet("fs-v1-a", 500, null);
        assertThat(handlers.handle(ready("fs-v1-a"))).isEmpty();
        assertThat(handlers.handle(ready("fs-v1-a"))).isEmpty();
        assertThat(launched).containsExactly("fs-v1-a");

        featureSet("fs-v1-b", 5000, null);
        handlers.handle(ready("fs-v1-b"));
        assertThat(launched).as("a is training").containsExactly("fs-v1-a");

        jobTrained("fs-v1-a", 500, Map.of("log_commits", List.of(50L, 50L)));
        handlers.handle(trainingEnded("fs-v1-a"));
        assertThat(launched).as("its end re-checks the newest set").containsExactly("fs-v1-a", "fs-v1-b");
    }

    @Test
    void driftCountsOnlyAgainstTheCurrentReference() {
        featureSet("fs-v1-a", 500, null);
        handlers.handle(ready("fs-v1-a"));
        jobTrained("fs-v1-a", 500, Map.of("log_commits", List.of(50L, 50L)));

        featureSet("fs-v1-old-ref", 600, new Document("reference_set_id", "fs-v1-older")
                .append("bin_counts", new Document("log_commits", List.of(5L, 95L))));
        handlers.handle(ready("fs-v1-old-ref"));
        assertThat(launched).as("counted against another reference: not judged").containsExactly("fs-v1-a");

        featureSet("fs-v1-same", 600, new Document("reference_set_id", "fs-v1-a")
                .append("bin_counts", new Document("log_commits", List.of(52L, 48L))));
        handlers.handle(ready("fs-v1-same"));
        assertThat(launched).containsExactly("fs-v1-a");

        featureSet("fs-v1-drifted", 600, new Document("reference_set_id", "fs-v1-a")
                .append("bin_counts", new Document("log_commits", List.of(5L, 95L))));
        handlers.handle(ready("fs-v1-drifted"));
        assertThat(launched).containsExactly("fs-v1-a", "fs-v1-drifted");
    }

    @Test
    void aLaunchThatFailsFreesTheSetForAnotherTry() {
        featureSet("fs-v1-a", 500, null);
        handlers.handle(ready("fs-v1-a"));
        failures.get(0).run();
        handlers.handle(ready("fs-v1-a"));
        assertThat(launched).containsExactly("fs-v1-a", "fs-v1-a");
    }

    @Test
    void otherTypesAreRefused() {
        CloudEvent ping = Events.create("p", EventTypes.PING, 1, "x", null, Map.of(), clock);
        assertThatThrownBy(() -> handlers.handle(ping)).isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("does not handle");
    }
}
