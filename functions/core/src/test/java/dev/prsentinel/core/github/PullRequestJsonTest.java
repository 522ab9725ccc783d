package dev.prsentinel.core.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.model.InvalidPayloadException;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import dev.prsentinel.core.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The one-pass reader against the recorded payloads, in any key order, and at its edges. */
class PullRequestJsonTest {

    private static PullRequestJson stream(String json) throws IOException {
        try (JsonParser p = Json.mapper().getFactory().createParser(json)) {
            p.nextToken();
            return PullRequestJson.read(p);
        }
    }

    private static List<JsonNode> recorded() throws IOException {
        List<JsonNode> payloads = new ArrayList<>();
        try (Stream<Path> files = Files.list(SharedData.require("fixtures/webhooks"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                payloads.add(Json.mapper().readTree(f.toFile()));
            }
        }
        for (String line : Files.readAllLines(SharedData.require("fixtures/github/pulls.jsonl"))) {
            payloads.add(Json.mapper().readTree(line));
        }
        return payloads;
    }

    private static PullRequest map(PullRequestJson fields) {
        return fields.hasPullRequest()
                ? GitHubPullRequests.fromJson(fields.pullRequest(), fields.repositoryFullName(), Source.WEBHOOK, "pr")
                : GitHubPullRequests.fromJson(fields, null, Source.WEBHOOK, "pr");
    }

    /** The same object with its keys, at every depth, in a random order. */
    private static JsonNode shuffled(JsonNode node, Random random) {
        if (node.isObject()) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(node.properties());
            Collections.shuffle(fields, random);
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            fields.forEach(e -> o.set(e.getKey(), shuffled(e.getValue(), random)));
            return o;
        }
        if (node.isArray()) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            node.forEach(e -> a.add(shuffled(e, random)));
            return a;
        }
        return node;
    }

    @Test
    void recordedPayloadsMapAlikeFromBytesAndFromTreesInAnyKeyOrder() throws IOException {
        Random random = new Random(11);
        List<JsonNode> payloads = recorded();
        assertThat(payloads).hasSizeGreaterThan(60);
        for (JsonNode payload : payloads) {
            PullRequest fromTree = map(PullRequestJson.of(payload));
            assertThat(map(stream(payload.toString()))).isEqualTo(fromTree);
            for (int i = 0; i < 3; i++) {
                assertThat(map(stream(shuffled(payload, random).toString()))).isEqualTo(fromTree);
            }
        }
    }

    @Test
    void lengthsCountUtf16UnitsAsStringDoes() throws IOException {
        String title = "Fix \u00e9t\u00e9 \ud83d\ude80 parsing";
        PullRequest pr = GitHubPullRequests.fromJson(stream("{\"number\":1,\"title\":\"" + title
                + "\",\"body\":null,\"base\":{\"repo\":{\"full_name\":\"o/r\"}}}"), null, Source.API, "pr");
        assertThat(pr.titleLength()).isEqualTo(title.length());
        assertThat(pr.bodyLength()).isZero();
    }

    @Test
    void valuesOfTheWrongKindAreNamedAsWritten() {
        String base = ",\"base\":{\"repo\":{\"full_name\":\"o/r\"}}";
        Map<String, String> cases = Map.of(
                "{\"number\":1,\"additions\":1.0" + base + "}",
                "pr.additions: expected a non-negative integer, got 1.0",
                "{\"number\":1,\"additions\":3000000000" + base + "}", "got 3000000000",
                "{\"number\":1,\"additions\":\"5\\n\"" + base + "}", "got \"5\\n\"",
                "{\"number\":1,\"commits\":[1,2]" + base + "}",
                "pr.commits: expected a non-negative integer, got an array",
                "{\"number\":1,\"draft\":{\"a\":1}" + base + "}", "pr.draft: expected true or false, got an object",
                "{\"number\":1.5" + base + "}", "pr.number: expected a positive integer",
                "{\"number\":1,\"labels\":null" + base + "}", "pr.labels: expected an array",
                "{\"number\":1,\"labels\":[{\"color\":\"red\"}]" + base + "}", "pr.labels[0].name: missing",
                "{\"number\":1,\"user\":{\"login\":7}" + base + "}", "pr.user.login: expected a string");
        cases.forEach((json, message) -> assertThatThrownBy(
                () -> GitHubPullRequests.fromJson(stream(json), null, Source.API, "pr"))
                .as(json).isInstanceOf(InvalidPayloadException.class).hasMessageContaining(message));
    }

    @Test
    void headForkFollowsGitHubsNulls() throws IOException {
        String base = "\"number\":1,\"base\":{\"repo\":{\"full_name\":\"o/r\"}}";
        assertThat(GitHubPullRequests.fromJson(stream("{" + base + ",\"head\":{\"repo\":null}}"), null, Source.API,
                "pr").headFork()).isNull();
        assertThat(GitHubPullRequests.fromJson(stream("{" + base + ",\"head\":\"x\"}"), null, Source.API, "pr")
                .headFork()).isNull();
        assertThat(GitHubPullRequests.fromJson(stream("{" + base + ",\"head\":{\"repo\":{\"full_name\":\"O/R\"}}}"),
                null, Source.API, "pr").headFork()).isFalse();
        assertThat(GitHubPullRequests.fromJson(stream("{" + base + ",\"head\":{\"repo\":{\"full_name\":\"me/r\","
                + "\"owner\":{\"a\":[1,{\"b\":2}]}}}}"), null, Source.API, "pr").headFork()).isTrue();
    }

    @Test
    void theStoredShapeReadsFromTheSameFields() throws IOException {
        PullRequest pr = GitHubPullRequests.fromStoredJson(stream("{\"_id\":\"o/r#3\",\"repo\":\"o/r\",\"number\":3,"
                + "\"labels\":[\"bug\"],\"requested_reviewers\":2,\"changed_lines\":9,\"extra\":{\"x\":[1]},"
                + "\"created_at\":\"2024-01-02T03:04:05Z\"}"), "pr");
        assertThat(pr.labels()).containsExactly("bug");
        assertThat(pr.requestedReviewers()).isEqualTo(2);
        assertThat(pr.changedLines()).isEqualTo(9);
        assertThat(pr.createdAt()).hasToString("2024-01-02T03:04:05Z");
        assertThatThrownBy(() -> GitHubPullRequests.fromStoredJson(stream("{\"repo\":\"o/r\",\"number\":3,"
                + "\"labels\":[{\"name\":\"bug\"}]}"), "pr")).hasMessage("pr.labels[0]: expected a string");
    }

    @Test
    void aRepeatedKeyCountsOnceWithItsLastValueAsInATree() throws IOException {
        String json = "{\"number\":1,\"additions\":4,\"additions\":6,\"base\":{\"repo\":{\"full_name\":\"o/r\"}}}";
        assertThat(GitHubPullRequests.fromJson(stream(json), null, Source.API, "pr").additions())
                .isEqualTo(GitHubPullRequests.fromJson(Json.mapper().readTree(json), null, Source.API, "pr")
                        .additions())
                .isEqualTo(6);
    }
}
