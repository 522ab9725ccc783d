package dev.prsentinel.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.events.Events;
import dev.prsentinel.core.events.FeaturesReady;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.testing.EmbeddedMongo;
import dev.prsentinel.core.testing.FunctionCatalogs;
import dev.prsentinel.core.testing.MutableClock;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.Function;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * train-trigger's logic is a plain {@code Function<CloudEvent, CloudEvent>}: looked up in Spring
 * Cloud Function's catalog, a features.ready for a ready set starts its training (a recorder stands
 * in for the launcher, which TrainTriggerIT and TrainingJobIT run for real), and one for a set that
 * does not exist is answered with train.failed.
 */
class TrainTriggerFunctionCatalogTest {

    @RegisterExtension
    final EmbeddedMongo mongo = new EmbeddedMongo();

    @Test
    void theFunctionRunsThroughSpringCloudFunctionsCatalog() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-27T08:00:00Z"));
        List<String> launched = new ArrayList<>();
        Function<CloudEvent, CloudEvent> function = FunctionCatalogs.lookup(TrainTriggerHandlers.FUNCTION,
                new TrainTriggerHandlers(mongo.database(), new TrainPolicy(100, 0.25, Duration.ofDays(7)),
                        (set, onFailure) -> launched.add(set), Duration.ofMinutes(90), clock));
        mongo.database().getCollection("feature_sets").insertOne(new Document("_id", "fs-v1-scf")
                .append("status", "ready").append("spec_version", FeatureSpecs.CURRENT.version()).append("rows", 500L)
                .append("created_at", Date.from(clock.instant())));

        assertThat(function.apply(ready("fs-v1-scf", clock))).isNull();
        assertThat(launched).containsExactly("fs-v1-scf");
        CloudEvent failed = function.apply(ready("fs-v1-nope", clock));
        assertThat(failed.getType()).isEqualTo(EventTypes.TRAIN_FAILED);
    }

    private static CloudEvent ready(String id, MutableClock clock) {
        return Events.create("scf-" + id, EventTypes.FEATURES_READY, FeaturesReady.VERSION, "featurize", id,
                new FeaturesReady(id, FeatureSpecs.CURRENT.version(), 500, 0, "/x", clock.instant(), List.of()), clock);
    }
}
