package dev.prsentinel.score;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prsentinel.core.github.GitHubPullRequests;
import dev.prsentinel.core.model.InvalidPayloadException;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;

/**
 * One PR as a client sends it, in any of the three shapes the pipeline knows: a webhook payload
 * (with {@code pull_request}), GitHub's REST object (with {@code base}), or the stored shape (with
 * {@code repo}). Errors name the field, prefixed with the PR's place in a batch.
 */
final class PullRequestInput {

    private PullRequestInput() {
    }

    static PullRequest parse(JsonNode node, String prefix) {
        if (node == null || !node.isObject()) {
            throw new InvalidPayloadException(prefix.isEmpty() ? "body" : prefix, "expected a pull request object");
        }
        String p = prefix.isEmpty() ? "" : prefix + ".";
        if (node.has("pull_request")) {
            String repo = node.path("repository").path("full_name").isTextual()
                    ? node.path("repository").path("full_name").asText() : null;
            return GitHubPullRequests.fromJson(node.get("pull_request"), repo, Source.WEBHOOK, p + "pull_request");
        }
        if (node.has("base")) {
            return GitHubPullRequests.fromJson(node, null, Source.API, prefix.isEmpty() ? "pr" : prefix);
        }
        if (node.has("repo")) {
            return GitHubPullRequests.fromStoredJson(node, prefix.isEmpty() ? "pr" : prefix);
        }
        throw new InvalidPayloadException(prefix.isEmpty() ? "body" : prefix,
                "not a pull request: expected a webhook payload (pull_request), GitHub's object (base) or the"
                        + " stored shape (repo)");
    }
}
