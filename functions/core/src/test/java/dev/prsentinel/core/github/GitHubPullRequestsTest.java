package dev.prsentinel.core.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.model.InvalidPayloadException;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import dev.prsentinel.core.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class GitHubPullRequestsTest {

    static Stream<Path> webhooks() throws IOException {
        try (Stream<Path> files = Files.list(SharedData.require("fixtures/webhooks"))) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("webhooks")
    void everyRecordedWebhookMaps(Path file) throws IOException {
        JsonNode payload = Json.mapper().readTree(file.toFile());
        JsonNode raw = payload.get("pull_request");

        PullRequest pr = GitHubPullRequests.fromJson(raw, payload.path("repository").path("full_name").asText(null),
                Source.WEBHOOK, "pull_request");

        assertThat(pr.repo()).isEqualTo(raw.path("base").path("repo").path("full_name").asText());
        assertThat(pr.number()).isEqualTo(raw.get("number").asInt());
        assertThat(pr.authorAssociation()).isEqualTo(raw.get("author_association").asText());
        assertThat(pr.updatedAt()).isEqualTo(Instant.parse(raw.get("updated_at").asText()));
        assertThat(pr.state()).isEqualTo(raw.get("state").asText());
        if (raw.has("additions")) {
            assertThat(pr.hasDetail()).isTrue();
            assertThat(pr.changedLines()).isEqualTo(raw.get("additions").asInt() + raw.get("deletions").asInt());
            assertThat(pr.commits()).isEqualTo(raw.get("commits").asInt());
        } else {
            // Review events carry a partial PR: the counts are unknown, not zero.
            assertThat(pr.hasDetail()).isFalse();
            assertThat(pr.additions()).isNull();
            assertThat(pr.commits()).isNull();
        }
        assertThat(pr.labels()).hasSize(raw.get("labels").size());
    }

    @Test
    void everyRecordedRestObjectMaps() throws IOException {
        List<String> lines = Files.readAllLines(SharedData.require("fixtures/github/pulls.jsonl"));
        assertThat(lines).hasSizeGreaterThanOrEqualTo(40);
        int detailed = 0;
        for (String line : lines) {
            JsonNode raw = Json.mapper().readTree(line);
            PullRequest pr = GitHubPullRequests.fromJson(raw, null, Source.API, "pull");
            assertThat(pr.authorAssociation()).isEqualTo(raw.get("author_association").asText());
            assertThat(pr.titleLength()).isEqualTo(raw.get("title").asText().length());
            assertThat(pr.headFork()).isEqualTo(
                    !raw.at("/head/repo/full_name").asText().equals(raw.at("/base/repo/full_name").asText()));
            if (pr.hasDetail()) {
                detailed++;
                assertThat(pr.reviewComments()).isEqualTo(raw.get("review_comments").asInt());
                assertThat(pr.merged()).isEqualTo(raw.get("merged").asBoolean());
            }
        }
        assertThat(detailed).isGreaterThanOrEqualTo(40);
    }

    @Test
    void absentIsMissingButNullBodyIsEmpty() {
        ObjectNode raw = minimal();
        raw.putNull("body");
        PullRequest pr = GitHubPullRequests.fromJson(raw, null, Source.API, "pr");
        assertThat(pr.bodyLength()).isZero();
        assertThat(pr.titleLength()).isNull();
        assertThat(pr.additions()).isNull();
        assertThat(pr.labels()).isNull();
        assertThat(pr.merged()).isNull();
        assertThat(pr.headFork()).isNull();
    }

    @Test
    void mergedIsDerivedFromMergedAtOnListObjects() {
        ObjectNode raw = minimal();
        raw.putNull("merged_at");
        assertThat(GitHubPullRequests.fromJson(raw, null, Source.API, "pr").merged()).isFalse();
        raw.put("merged_at", "2024-01-02T03:04:05Z");
        assertThat(GitHubPullRequests.fromJson(raw, null, Source.API, "pr").merged()).isTrue();
    }

    @Test
    void aPrWithoutNumberIsRejectedNamingTheField() {
        ObjectNode raw = minimal();
        raw.remove("number");
        assertThatThrownBy(() -> GitHubPullRequests.fromJson(raw, null, Source.WEBHOOK, "pull_request"))
                .isInstanceOf(InvalidPayloadException.class).hasMessage("pull_request.number: missing");
    }

    @Test
    void mistypedAndNegativeCountsAreRejected() {
        ObjectNode raw = minimal();
        raw.put("additions", "12");
        assertThatThrownBy(() -> GitHubPullRequests.fromJson(raw, null, Source.API, "pr"))
                .hasMessageStartingWith("pr.additions: expected a non-negative integer");
        raw.put("additions", -1);
        assertThatThrownBy(() -> GitHubPullRequests.fromJson(raw, null, Source.API, "pr"))
                .hasMessageStartingWith("pr.additions: expected a non-negative integer");
        raw.put("additions", 1);
        raw.put("created_at", "yesterday");
        assertThatThrownBy(() -> GitHubPullRequests.fromJson(raw, null, Source.API, "pr"))
                .hasMessageStartingWith("pr.created_at: expected an ISO-8601 time");
    }

    @Test
    void aRepoIsRequired() {
        ObjectNode raw = minimal();
        raw.remove("base");
        assertThatThrownBy(() -> GitHubPullRequests.fromJson(raw, null, Source.API, "pr"))
                .hasMessageStartingWith("pr.base.repo.full_name");
        assertThat(GitHubPullRequests.fromJson(raw, "o/r", Source.API, "pr").repo()).isEqualTo("o/r");
    }

    @Test
    void renderingAndMappingBackIsLossless() {
        PullRequest pr = new PullRequest("o/r", 7, Source.SYNTHETIC, 12, 0, "closed", false, true, 10, 4, 14, 3, 2, 1,
                0, List.of("bug"), 2, "CONTRIBUTOR", "alice", Instant.parse("2024-01-01T00:00:00Z"),
                Instant.parse("2024-01-02T00:00:00Z"), Instant.parse("2024-01-02T00:00:00Z"),
                Instant.parse("2024-01-02T00:00:00Z"), "main", "fix", true);
        assertThat(GitHubPullRequests.fromJson(GitHubPullRequests.toJson(pr), null, Source.SYNTHETIC, "pr"))
                .isEqualTo(pr);
    }

    private static ObjectNode minimal() {
        ObjectNode raw = Json.mapper().createObjectNode();
        raw.put("number", 5);
        raw.put("updated_at", "2024-01-01T00:00:00Z");
        raw.putObject("base").putObject("repo").put("full_name", "octo/repo");
        return raw;
    }
}
