package dev.prsentinel.featurize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.events.Events;
import dev.prsentinel.core.events.PrIngested;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import dev.prsentinel.core.testing.EmbeddedMongo;
import dev.prsentinel.core.testing.FunctionCatalogs;
import dev.prsentinel.core.testing.MutableClock;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * featurize's logic is a plain {@code Function<CloudEvent, CloudEvent>}: looked up in Spring Cloud
 * Function's catalog, a pr.ingested that makes a feature set due starts its job (a recorder stands
 * in for the Spark launcher, which FeaturizeIT runs for real) and has no reply.
 */
class FeaturizeFunctionCatalogTest {

    @RegisterExtension
    final EmbeddedMongo mongo = new EmbeddedMongo();

    @Test
    void theFunctionRunsThroughSpringCloudFunctionsCatalog() {
        MutableClock clock = new MutableClock(Instant.parse("2026-02-01T00:00:00Z"));
        PullRequestStore prs = new PullRequestStore(mongo.database(), clock).ensureIndexes();
        prs.upsertAll(SyntheticPullRequests.generate(5, 20, 2, 0.0, clock.instant()).pullRequests());
        List<Instant> launched = new ArrayList<>();
        Function<CloudEvent, CloudEvent> function = FunctionCatalogs.lookup(FeaturizeHandlers.FUNCTION,
                new FeaturizeHandlers(prs, new FeaturizeState(mongo.database()),
                        new FeaturizePolicy(10, Duration.ofHours(24)), (window, onFailure) -> launched.add(window),
                        Duration.ofHours(1), clock));

        CloudEvent ingested = Events.create("scf-featurize-1", EventTypes.PR_INGESTED, PrIngested.VERSION, "ingest",
                "o/r", new PrIngested("o/r", List.of(1), 1, 0, 0, null, null), clock);
        assertThat(function.apply(ingested)).isNull();
        assertThat(launched).containsExactly(clock.instant());
    }
}
