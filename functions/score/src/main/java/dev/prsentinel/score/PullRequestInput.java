package dev.prsentinel.score;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prsentinel.core.github.GitHubPullRequests;
import dev.prsentinel.core.github.PullRequestJson;
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

    /** A line of a file (score-file). */
    static PullRequest parse(JsonNode node, String prefix) {
        if (node == null || !node.isObject()) {
            throw notAnObject(prefix);
        }
        return parse(PullRequestJson.of(node), prefix);
    }

    /** An object of a request's body, read as tokens; null if the value was not an object. */
    static PullRequest parse(PullRequestJson fields, String prefix) {
        if (fields == null) {
            throw notAnObject(prefix);
        }
        String p = prefix.isEmpty() ? "" : prefix + ".";
        if (fields.hasPullRequest()) {
            if (fields.pullRequest() == null) {
                throw new InvalidPayloadException(p + "pull_request", "expected a pull request object");
            }
            return GitHubPullRequests.fromJson(fields.pullRequest(), fields.repositoryFullName(), Source.WEBHOOK,
                    p + "pull_request");
        }
        if (fields.hasBase()) {
            return GitHubPullRequests.fromJson(fields, null, Source.API, prefix.isEmpty() ? "pr" : prefix);
        }
        if (fields.hasRepo()) {
            return GitHubPullRequests.fromStoredJson(fields, prefix.isEmpty() ? "pr" : prefix);
        }
        throw new InvalidPayloadException(prefix.isEmpty() ? "body" : prefix,
                "not a pull request: expected a webhook payload (pull_request), GitHub's object (base) or the"
                        + " stored shape (repo)");
    }

    private static InvalidPayloadException notAnObject(String prefix) {
        return new InvalidPayloadException(prefix.isEmpty() ? "body" : prefix, "expected a pull request object");
    }
}
