package dev.prsentinel.ingest.github;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Replays GitHub's REST API for one repository with WireMock, from the real PR objects GitHub
 * returned (shared/fixtures/github/pulls.jsonl, recorded by hub4j/github-api's tests). The
 * recordings are single-PR responses, so the list pages are assembled from them the way GitHub
 * builds them: sorted by updated_at, newest first, without the detail fields the list endpoint
 * omits, split into pages linked by Link headers; the repository object is the full one GitHub
 * embeds in every PR's base.repo.
 */
public final class GitHubReplay {

    public static final String REPO = "hub4j-test-org/github-api";
    private static final List<String> DETAIL_ONLY = List.of("additions", "deletions", "changed_files", "commits",
            "comments", "review_comments", "merged", "mergeable", "mergeable_state", "rebaseable", "merged_by",
            "maintainer_can_modify");

    private final WireMockServer server;
    private final List<ObjectNode> pulls;

    public GitHubReplay(WireMockServer server) throws IOException {
        this.server = server;
        List<ObjectNode> all = new ArrayList<>();
        for (String line : Files.readAllLines(SharedData.require("fixtures/github/pulls.jsonl"))) {
            JsonNode node = Json.mapper().readTree(line);
            if (REPO.equals(node.at("/base/repo/full_name").asText()) && node.has("additions")) {
                all.add((ObjectNode) node);
            }
        }
        all.sort(Comparator.comparing((ObjectNode n) -> Instant.parse(n.get("updated_at").asText())).reversed());
        this.pulls = all;
    }

    /** The recorded PRs, newest update first. */
    public List<ObjectNode> pulls() {
        return pulls;
    }

    /** Stubs the repository, the list pages and every PR's detail; every answer has budget left. */
    public void stubAll(int pageSize, Instant now) {
        server.stubFor(get(urlPathEqualTo("/repos/" + REPO))
                .willReturn(ok(pulls.get(0).at("/base/repo"), now)));
        int pages = (pulls.size() + pageSize - 1) / pageSize;
        for (int page = 1; page <= pages; page++) {
            stubPage(page, pageSize, ok(listPage(page, pageSize), now).withHeader("Link", link(page, pages, pageSize)));
        }
        for (ObjectNode pr : pulls) {
            server.stubFor(get(urlPathEqualTo("/repos/" + REPO + "/pulls/" + pr.get("number").asInt()))
                    .willReturn(ok(pr, now)));
        }
    }

    /** Stubs one list page with the given answer, replacing what was there. */
    public void stubPage(int page, int pageSize, ResponseDefinitionBuilder response) {
        server.stubFor(pageRequest(page, pageSize).willReturn(response));
    }

    /**
     * The list page answers once as GitHub does when the primary budget is spent (403,
     * X-RateLimit-Remaining 0, X-RateLimit-Reset), then normally.
     */
    public void stubPrimaryRateLimitOnce(int page, int pageSize, Instant reset, Instant now) {
        String scenario = "rate-limit-page-" + page;
        server.stubFor(pageRequest(page, pageSize).inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(403).withHeader("X-RateLimit-Remaining", "0")
                        .withHeader("X-RateLimit-Reset", String.valueOf(reset.getEpochSecond()))
                        .withBody("{\"message\":\"API rate limit exceeded\"}"))
                .willSetStateTo("reset"));
        int pages = (pulls.size() + pageSize - 1) / pageSize;
        server.stubFor(pageRequest(page, pageSize).inScenario(scenario).whenScenarioStateIs("reset")
                .willReturn(ok(listPage(page, pageSize), now).withHeader("Link", link(page, pages, pageSize))));
    }

    public MappingBuilder pageRequest(int page, int pageSize) {
        MappingBuilder m = get(urlPathEqualTo("/repos/" + REPO + "/pulls"))
                .withQueryParam("state", equalTo("all")).withQueryParam("sort", equalTo("updated"))
                .withQueryParam("direction", equalTo("desc"))
                .withQueryParam("per_page", equalTo(String.valueOf(pageSize)));
        return page == 1 ? m.withQueryParam("page", absent()) : m.withQueryParam("page", equalTo(String.valueOf(page)));
    }

    public ArrayNode listPage(int page, int pageSize) {
        ArrayNode array = Json.mapper().createArrayNode();
        pulls.stream().skip((long) (page - 1) * pageSize).limit(pageSize).forEach(pr -> {
            ObjectNode listed = pr.deepCopy();
            DETAIL_ONLY.forEach(listed::remove);
            array.add(listed);
        });
        return array;
    }

    public static ResponseDefinitionBuilder ok(JsonNode body, Instant now) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json; charset=utf-8")
                .withHeader("X-RateLimit-Limit", "5000").withHeader("X-RateLimit-Remaining", "4000")
                .withHeader("X-RateLimit-Reset", String.valueOf(now.getEpochSecond() + 3600))
                .withBody(body.toString());
    }

    public String link(int page, int pages, int pageSize) {
        String base = server.baseUrl() + "/repos/" + REPO + "/pulls?state=all&sort=updated&direction=desc&per_page="
                + pageSize + "&page=";
        List<String> parts = new ArrayList<>();
        if (page < pages) {
            parts.add("<" + base + (page + 1) + ">; rel=\"next\"");
            parts.add("<" + base + pages + ">; rel=\"last\"");
        }
        if (page > 1) {
            parts.add("<" + base + 1 + ">; rel=\"first\"");
            parts.add("<" + base + (page - 1) + ">; rel=\"prev\"");
        }
        return String.join(", ", parts);
    }

    public int listCalls() {
        return server.findAll(getRequestedFor(urlPathEqualTo("/repos/" + REPO + "/pulls"))).size();
    }

    public int detailCalls() {
        return server.findAll(getRequestedFor(urlPathMatching("/repos/" + REPO + "/pulls/\\d+"))).size();
    }

    public int allCalls() {
        return server.getAllServeEvents().size();
    }
}
