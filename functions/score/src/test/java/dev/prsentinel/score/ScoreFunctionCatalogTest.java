package dev.prsentinel.score;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.events.Events;
import dev.prsentinel.core.events.PrIngested;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.testing.EmbeddedMongo;
import dev.prsentinel.core.testing.FunctionCatalogs;
import dev.prsentinel.core.testing.MutableClock;
import dev.prsentinel.core.testing.TestModels;
import io.cloudevents.CloudEvent;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * score's event logic is a plain {@code Function<CloudEvent, CloudEvent>}: looked up in Spring Cloud
 * Function's catalog, it scores the PRs a pr.ingested names and answers pr.scored.
 */
class ScoreFunctionCatalogTest {

    @RegisterExtension
    final EmbeddedMongo mongo = new EmbeddedMongo();

    @Test
    void theFunctionRunsThroughSpringCloudFunctionsCatalog() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-02-01T00:00:00Z"));
        PullRequestStore prs = new PullRequestStore(mongo.database(), clock).ensureIndexes();
        PullRequest pr = TestModels.PRS.get(0);
        prs.upsertAll(List.of(pr));
        ServedModel served = new ServedModel();
        served.set(new ModelSource.Loaded(TestModels.calibrated(3), "local", "sha256:test"));
        Function<CloudEvent, CloudEvent> function = FunctionCatalogs.lookup(ScoreHandlers.FUNCTION,
                new ScoreHandlers(prs, new ScoreStore(mongo.database()), served, clock));

        CloudEvent ingested = Events.create("scf-score-1", EventTypes.PR_INGESTED, PrIngested.VERSION, "ingest",
                pr.repo(), new PrIngested(pr.repo(), List.of(pr.number()), 1, 0, 0, null, null), clock);
        CloudEvent reply = function.apply(ingested);
        assertThat(reply.getType()).isEqualTo(EventTypes.PR_SCORED);
        JsonNode data = Json.mapper().readTree(reply.getData().toBytes());
        assertThat(data.get("scores")).hasSize(1);
        assertThat(data.at("/scores/0/number").asInt()).isEqualTo(pr.number());
        assertThat(mongo.database().getCollection(ScoreStore.COLLECTION).countDocuments()).isEqualTo(1);
    }
}
