package dev.prsentinel.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.http.EventSink;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.testing.EmbeddedMongo;
import dev.prsentinel.core.testing.FunctionCatalogs;
import dev.prsentinel.core.testing.MutableClock;
import dev.prsentinel.core.testing.SharedData;
import dev.prsentinel.ingest.github.GitHubBackfill;
import dev.prsentinel.ingest.github.SyncStateStore;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.file.Files;
import java.time.Instant;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ingest's logic is a plain {@code Function<CloudEvent, CloudEvent>}: registered in Spring Cloud
 * Function's catalog and looked up there, it stores a webhook's PR and answers pr.ingested, so the
 * same code deploys under SCF wherever users run it.
 */
class IngestFunctionCatalogTest {

    @RegisterExtension
    final EmbeddedMongo mongo = new EmbeddedMongo();

    @Test
    void theFunctionRunsThroughSpringCloudFunctionsCatalog() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-02-01T00:00:00Z"));
        PullRequestStore store = new PullRequestStore(mongo.database(), clock).ensureIndexes();
        GitHubBackfill backfill = new GitHubBackfill(GitHubBackfill.Settings.defaults("http://127.0.0.1:9", null),
                store, new SyncStateStore(mongo.database()), clock, d -> { });
        try (SyncJobs jobs = new SyncJobs(backfill, EventSink.forUrl(null), clock)) {
            Function<CloudEvent, CloudEvent> function = FunctionCatalogs.lookup(IngestHandlers.FUNCTION,
                    new IngestHandlers(store, jobs, clock));

            byte[] body = Files.readAllBytes(SharedData.require("fixtures/webhooks/pull_request.opened.12.json"));
            CloudEvent delivery = CloudEventBuilder.v1().withId("scf-1")
                    .withSource(URI.create("https://github.com/octo/repo")).withType(EventTypes.GITHUB_PULL_REQUEST)
                    .withDataContentType("application/json").withData(body).build();
            CloudEvent reply = function.apply(delivery);
            assertThat(reply.getType()).isEqualTo(EventTypes.PR_INGESTED);
            assertThat(reply.getSource()).isEqualTo(URI.create(EventTypes.functionSource(IngestHandlers.FUNCTION)));
            assertThat(store.count()).isEqualTo(1);
        }
    }
}
