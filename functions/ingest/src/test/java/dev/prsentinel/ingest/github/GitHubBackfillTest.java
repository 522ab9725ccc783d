package dev.prsentinel.ingest.github;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.testing.EmbeddedMongo;
import dev.prsentinel.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Backfill against WireMock replaying GitHub's recorded answers, into the embedded store. */
class GitHubBackfillTest {

    private static final int PAGE = 10;

    @RegisterExtension
    final EmbeddedMongo mongo = new EmbeddedMongo();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-02-01T00:00:00Z"));
    private final List<Duration> waits = new ArrayList<>();
    private WireMockServer server;
    private GitHubReplay replay;
    private PullRequestStore store;
    private SyncStateStore states;

    @BeforeEach
    void setUp() throws Exception {
        server = new WireMockServer(wireMockConfig().dynamicPort());
        server.start();
        replay = new GitHubReplay(server);
        replay.stubAll(PAGE, clock.instant());
        store = new PullRequestStore(mongo.database(), clock).ensureIndexes();
        states = new SyncStateStore(mongo.database());
    }

    @AfterEach
    void tearDown() {
        server.stop();
    }

    private GitHubBackfill backfill(Duration maxWait) {
        return new GitHubBackfill(new GitHubBackfill.Settings(server.baseUrl(), null, PAGE, maxWait, 3,
                Duration.ofMillis(100), 7), store, states, clock, waits::add);
    }

    private BackfillResult run() {
        return backfill(Duration.ofMinutes(2)).run(GitHubReplay.REPO, null, r -> { });
    }

    @Test
    void firstRunPagesThroughEverythingAtOneCallPerPrPlusOnePerPage() {
        int n = replay.pulls().size();
        BackfillResult r = run();

        assertThat(r.status()).isEqualTo("complete");
        assertThat(r.stored().inserted()).isEqualTo(n);
        assertThat(store.count()).isEqualTo(n);
        int pages = (n + PAGE - 1) / PAGE;
        assertThat(replay.listCalls()).isEqualTo(pages);
        assertThat(replay.detailCalls()).isEqualTo(n);
        // Plus one GET of the repository itself.
        assertThat(r.apiCalls()).isEqualTo(n + pages + 1).isEqualTo(replay.allCalls());

        ObjectNode newest = replay.pulls().get(0);
        PullRequest stored = store.find(GitHubReplay.REPO, newest.get("number").asInt()).orElseThrow();
        assertThat(stored.source()).isEqualTo(Source.API);
        assertThat(stored.authorAssociation()).isEqualTo(newest.get("author_association").asText());
        assertThat(stored.additions()).isEqualTo(newest.get("additions").asInt());
        assertThat(stored.hasDetail()).isTrue();
        assertThat(states.find(GitHubReplay.REPO).orElseThrow().highWaterMark())
                .isEqualTo(Instant.parse(newest.get("updated_at").asText()));
    }

    @Test
    void aRerunStopsAtTheHighWaterMarkAndFetchesNoDetails() {
        run();
        server.resetRequests();
        BackfillResult again = run();
        assertThat(again.status()).isEqualTo("complete");
        assertThat(again.stored().changed()).isEmpty();
        assertThat(replay.listCalls()).isEqualTo(1);
        assertThat(replay.detailCalls()).isZero();
        assertThat(states.find(GitHubReplay.REPO).orElseThrow().apiCallsTotal())
                .isEqualTo((long) replay.pulls().size() + (replay.pulls().size() + PAGE - 1) / PAGE + 1 + 2);
    }

    @Test
    void aShortRateLimitIsWaitedOutAndNothingIsLost() {
        Instant reset = clock.instant().plusSeconds(30);
        replay.stubPrimaryRateLimitOnce(2, PAGE, reset, clock.instant());

        BackfillResult r = run();

        assertThat(r.status()).isEqualTo("complete");
        assertThat(store.count()).isEqualTo(replay.pulls().size());
        assertThat(waits).containsExactly(Duration.ofSeconds(30));
    }

    @Test
    void aLongRateLimitIsRescheduledKeepingTheMarkAndTheNextRunCompletes() {
        Instant reset = clock.instant().plus(Duration.ofHours(1));
        replay.stubPrimaryRateLimitOnce(3, PAGE, reset, clock.instant());

        BackfillResult first = run();
        assertThat(first.status()).isEqualTo("rate_limited");
        assertThat(first.resumeAfter()).isEqualTo(reset);
        assertThat(waits).isEmpty();
        assertThat(store.count()).isEqualTo(2L * PAGE);
        assertThat(states.find(GitHubReplay.REPO).orElseThrow().highWaterMark()).isNull();

        BackfillResult tooEarly = run();
        assertThat(tooEarly.status()).isEqualTo("deferred");
        assertThat(tooEarly.apiCalls()).isZero();

        clock.advance(Duration.ofHours(1).plusSeconds(1));
        server.resetRequests();
        BackfillResult resumed = run();
        assertThat(resumed.status()).isEqualTo("complete");
        assertThat(store.count()).isEqualTo(replay.pulls().size());
        // Only what the first run had not stored is fetched again.
        assertThat(replay.detailCalls()).isEqualTo(replay.pulls().size() - 2 * PAGE);
    }

    @Test
    void aSecondaryRateLimitWaitsForRetryAfter() {
        int number = replay.pulls().get(3).get("number").asInt();
        String path = "/repos/" + GitHubReplay.REPO + "/pulls/" + number;
        server.stubFor(get(urlPathEqualTo(path)).inScenario("abuse").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(403).withHeader("Retry-After", "45")
                        .withBody("{\"message\":\"You have exceeded a secondary rate limit.\"}"))
                .willSetStateTo("ok"));
        server.stubFor(get(urlPathEqualTo(path)).inScenario("abuse").whenScenarioStateIs("ok")
                .willReturn(GitHubReplay.ok(replay.pulls().get(3), clock.instant())));

        assertThat(run().status()).isEqualTo("complete");
        assertThat(waits).containsExactly(Duration.ofSeconds(45));
        assertThat(store.find(GitHubReplay.REPO, number)).isPresent();
    }

    @Test
    void transient5xxIsRetriedWithBackoff() {
        int number = replay.pulls().get(5).get("number").asInt();
        String path = "/repos/" + GitHubReplay.REPO + "/pulls/" + number;
        server.stubFor(get(urlPathEqualTo(path)).inScenario("5xx").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(502)).willSetStateTo("again"));
        server.stubFor(get(urlPathEqualTo(path)).inScenario("5xx").whenScenarioStateIs("again")
                .willReturn(aResponse().withStatus(503)).willSetStateTo("ok"));
        server.stubFor(get(urlPathEqualTo(path)).inScenario("5xx").whenScenarioStateIs("ok")
                .willReturn(GitHubReplay.ok(replay.pulls().get(5), clock.instant())));

        BackfillResult r = run();
        assertThat(r.status()).isEqualTo("complete");
        assertThat(store.find(GitHubReplay.REPO, number)).isPresent();
        assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void aPersistent5xxFailsTheRunKeepsWhatWasStoredAndTheMark() {
        int number = replay.pulls().get(12).get("number").asInt();
        server.stubFor(get(urlPathEqualTo("/repos/" + GitHubReplay.REPO + "/pulls/" + number))
                .willReturn(aResponse().withStatus(500)));
        BackfillResult r = run();
        assertThat(r.status()).isEqualTo("failed");
        assertThat(r.detail()).contains("500");
        assertThat(store.count()).isEqualTo(12);
        assertThat(states.find(GitHubReplay.REPO).orElseThrow().highWaterMark()).isNull();
    }

    @Test
    void aNewerVersionAlreadyStoredIsNotOverwrittenByTheApi() {
        ObjectNode newest = replay.pulls().get(0);
        int number = newest.get("number").asInt();
        Instant later = Instant.parse(newest.get("updated_at").asText()).plusSeconds(600);
        store.upsertAll(List.of(new PullRequest(GitHubReplay.REPO, number, Source.WEBHOOK, 5, 5, "closed", false,
                false, 1, 1, 2, 1, 1, 0, 0, List.of(), 0, "OWNER", "x", later, later, null, later, "main", "x",
                false)));
        run();
        PullRequest stored = store.find(GitHubReplay.REPO, number).orElseThrow();
        assertThat(stored.updatedAt()).isEqualTo(later);
        assertThat(stored.source()).isEqualTo(Source.WEBHOOK);
        assertThat(replay.detailCalls()).isEqualTo(replay.pulls().size() - 1);
    }
}
