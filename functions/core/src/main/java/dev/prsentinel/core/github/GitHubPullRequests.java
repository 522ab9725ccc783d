package dev.prsentinel.core.github;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prsentinel.core.model.InvalidPayloadException;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps GitHub's pull-request JSON (REST API objects and the {@code pull_request} object of
 * webhooks, which share one shape) to {@link PullRequest}, and back for the synthetic source.
 *
 * <p>A key that is absent maps to null (the source did not say); a key present with JSON null
 * maps to what GitHub means by it (no body is a body of length 0, no merge time is not merged).
 * Reading raw JSON rather than github-api's objects keeps author_association, which github-api
 * does not expose on pull requests.
 */
public final class GitHubPullRequests {

    /** owner/name; compiled once, this runs for every PR scored or stored. */
    private static final java.util.regex.Pattern REPO = java.util.regex.Pattern.compile("[^/\\s]+/[^/\\s]+");

    private GitHubPullRequests() {
    }

    /**
     * Maps one PR object.
     *
     * @param pr           the PR object
     * @param fallbackRepo "owner/name" to use when the object lacks base.repo (a webhook's
     *                     repository.full_name), or null
     * @param source       the source to record
     * @param prefix       the path of {@code pr} in the payload, used in error messages
     */
    public static PullRequest fromJson(JsonNode pr, String fallbackRepo, Source source, String prefix) {
        if (pr == null || !pr.isObject()) {
            throw new InvalidPayloadException(prefix, "expected a pull request object");
        }
        String repo = text(pr.path("base").path("repo"), "full_name", prefix + ".base.repo");
        if (repo == null) {
            repo = fallbackRepo;
        }
        if (repo == null || !REPO.matcher(repo).matches()) {
            throw new InvalidPayloadException(prefix + ".base.repo.full_name", "missing or not owner/name");
        }
        JsonNode numberNode = pr.get("number");
        if (numberNode == null || numberNode.isNull()) {
            throw new InvalidPayloadException(prefix + ".number", "missing");
        }
        if (!numberNode.canConvertToInt() || !numberNode.isIntegralNumber() || numberNode.intValue() <= 0) {
            throw new InvalidPayloadException(prefix + ".number", "expected a positive integer");
        }
        Integer additions = count(pr, "additions", prefix);
        Integer deletions = count(pr, "deletions", prefix);
        Instant mergedAt = time(pr, "merged_at", prefix);
        Boolean merged = bool(pr, "merged", prefix);
        if (merged == null && pr.has("merged_at")) {
            merged = mergedAt != null;
        }
        return new PullRequest(
                repo,
                numberNode.intValue(),
                source,
                length(pr, "title", prefix),
                length(pr, "body", prefix),
                text(pr, "state", prefix),
                bool(pr, "draft", prefix),
                merged,
                additions,
                deletions,
                additions != null && deletions != null ? additions + deletions : null,
                count(pr, "changed_files", prefix),
                count(pr, "commits", prefix),
                count(pr, "comments", prefix),
                count(pr, "review_comments", prefix),
                labels(pr, prefix),
                requestedReviewers(pr, prefix),
                text(pr, "author_association", prefix),
                text(pr.path("user"), "login", prefix + ".user"),
                time(pr, "created_at", prefix),
                time(pr, "updated_at", prefix),
                mergedAt,
                time(pr, "closed_at", prefix),
                text(pr.path("base"), "ref", prefix + ".base"),
                text(pr.path("head"), "ref", prefix + ".head"),
                headFork(pr, repo));
    }

    /**
     * A PR in the stored shape (the fields of the pull_requests collection, snake case, times as
     * ISO-8601 strings), as a client that read it from the store sends it back. Same checks as
     * {@link #fromJson}: every count a non-negative integer, every time ISO-8601, named by field.
     */
    public static PullRequest fromStoredJson(JsonNode d, String prefix) {
        if (d == null || !d.isObject()) {
            throw new InvalidPayloadException(prefix, "expected a pull request object");
        }
        String repo = text(d, "repo", prefix);
        if (repo == null || !REPO.matcher(repo).matches()) {
            throw new InvalidPayloadException(prefix + ".repo", "missing or not owner/name");
        }
        JsonNode number = d.get("number");
        if (number == null || !number.isIntegralNumber() || !number.canConvertToInt() || number.intValue() <= 0) {
            throw new InvalidPayloadException(prefix + ".number", "expected a positive integer");
        }
        Integer additions = count(d, "additions", prefix);
        Integer deletions = count(d, "deletions", prefix);
        Integer changed = count(d, "changed_lines", prefix);
        JsonNode labels = d.get("labels");
        List<String> names = null;
        if (labels != null && !labels.isNull()) {
            if (!labels.isArray()) {
                throw new InvalidPayloadException(prefix + ".labels", "expected an array of names");
            }
            names = new ArrayList<>();
            for (int i = 0; i < labels.size(); i++) {
                if (!labels.get(i).isTextual()) {
                    throw new InvalidPayloadException(prefix + ".labels[" + i + "]", "expected a string");
                }
                names.add(labels.get(i).asText());
            }
        }
        return new PullRequest(repo, number.intValue(), Source.API, count(d, "title_length", prefix),
                count(d, "body_length", prefix), text(d, "state", prefix), bool(d, "draft", prefix),
                bool(d, "merged", prefix), additions, deletions,
                changed != null ? changed : additions != null && deletions != null ? additions + deletions : null,
                count(d, "changed_files", prefix), count(d, "commits", prefix), count(d, "comments", prefix),
                count(d, "review_comments", prefix), names, count(d, "requested_reviewers", prefix),
                text(d, "author_association", prefix), text(d, "author", prefix), time(d, "created_at", prefix),
                time(d, "updated_at", prefix), time(d, "merged_at", prefix), time(d, "closed_at", prefix),
                text(d, "base_ref", prefix), text(d, "head_ref", prefix), bool(d, "head_fork", prefix));
    }

    /**
     * Renders a PR as GitHub's JSON, the shape a webhook or the REST API would carry. Fields the
     * record lacks are left out. Title and body are filler text of the recorded length.
     */
    public static ObjectNode toJson(PullRequest pr) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        o.put("number", pr.number());
        putText(o, "state", pr.state());
        if (pr.titleLength() != null) {
            o.put("title", filler(pr.titleLength()));
        }
        if (pr.bodyLength() != null) {
            o.put("body", pr.bodyLength() == 0 ? null : filler(pr.bodyLength()));
        }
        if (pr.author() != null) {
            o.putObject("user").put("login", pr.author());
        }
        putText(o, "author_association", pr.authorAssociation());
        putBool(o, "draft", pr.draft());
        putBool(o, "merged", pr.merged());
        putTime(o, "created_at", pr.createdAt());
        putTime(o, "updated_at", pr.updatedAt());
        if (pr.state() != null) {
            putTime(o, "closed_at", pr.closedAt());
            putTime(o, "merged_at", pr.mergedAt());
        }
        putInt(o, "additions", pr.additions());
        putInt(o, "deletions", pr.deletions());
        putInt(o, "changed_files", pr.changedFiles());
        putInt(o, "commits", pr.commits());
        putInt(o, "comments", pr.comments());
        putInt(o, "review_comments", pr.reviewComments());
        if (pr.labels() != null) {
            ArrayNode labels = o.putArray("labels");
            pr.labels().forEach(name -> labels.addObject().put("name", name));
        }
        if (pr.requestedReviewers() != null) {
            ArrayNode reviewers = o.putArray("requested_reviewers");
            for (int i = 0; i < pr.requestedReviewers(); i++) {
                reviewers.addObject().put("login", "reviewer-" + i);
            }
            o.putArray("requested_teams");
        }
        ObjectNode base = o.putObject("base");
        putText(base, "ref", pr.baseRef());
        base.putObject("repo").put("full_name", pr.repo());
        ObjectNode head = o.putObject("head");
        putText(head, "ref", pr.headRef());
        if (pr.headFork() != null) {
            String owner = pr.headFork() ? (pr.author() == null ? "fork-owner" : pr.author()) : pr.repo().split("/")[0];
            head.putObject("repo").put("full_name", owner + "/" + pr.repo().split("/")[1])
                    .put("fork", pr.headFork());
        }
        return o;
    }

    private static String filler(int length) {
        StringBuilder sb = new StringBuilder(length);
        String words = "update the handling of edge cases in parser and tests ";
        while (sb.length() < length) {
            sb.append(words, 0, Math.min(words.length(), length - sb.length()));
        }
        return sb.toString();
    }

    private static Boolean headFork(JsonNode pr, String baseRepo) {
        JsonNode head = pr.get("head");
        if (head == null || !head.has("repo")) {
            return null;
        }
        JsonNode headRepo = head.get("repo");
        if (headRepo.isNull() || !headRepo.hasNonNull("full_name")) {
            // GitHub nulls head.repo when the fork was deleted: the origin is unknown now.
            return null;
        }
        return !headRepo.get("full_name").asText().equalsIgnoreCase(baseRepo);
    }

    private static Integer requestedReviewers(JsonNode pr, String prefix) {
        JsonNode users = pr.get("requested_reviewers");
        if (users == null) {
            return null;
        }
        if (!users.isArray()) {
            throw new InvalidPayloadException(prefix + ".requested_reviewers", "expected an array");
        }
        JsonNode teams = pr.get("requested_teams");
        return users.size() + (teams != null && teams.isArray() ? teams.size() : 0);
    }

    private static List<String> labels(JsonNode pr, String prefix) {
        JsonNode labels = pr.get("labels");
        if (labels == null) {
            return null;
        }
        if (!labels.isArray()) {
            throw new InvalidPayloadException(prefix + ".labels", "expected an array");
        }
        List<String> names = new ArrayList<>(labels.size());
        for (int i = 0; i < labels.size(); i++) {
            String name = text(labels.get(i), "name", prefix + ".labels[" + i + "]");
            if (name == null) {
                throw new InvalidPayloadException(prefix + ".labels[" + i + "].name", "missing");
            }
            names.add(name);
        }
        return names;
    }

    private static String text(JsonNode node, String field, String prefix) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new InvalidPayloadException(prefix + "." + field, "expected a string");
        }
        return v.asText();
    }

    private static Integer length(JsonNode node, String field, String prefix) {
        if (!node.has(field)) {
            return null;
        }
        String s = text(node, field, prefix);
        return s == null ? 0 : s.length();
    }

    private static Integer count(JsonNode node, String field, String prefix) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
            throw new InvalidPayloadException(prefix + "." + field, "expected a non-negative integer, got " + v);
        }
        return v.intValue();
    }

    private static Boolean bool(JsonNode node, String field, String prefix) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw new InvalidPayloadException(prefix + "." + field, "expected true or false, got " + v);
        }
        return v.booleanValue();
    }

    private static Instant time(JsonNode node, String field, String prefix) {
        String s = text(node, field, prefix);
        if (s == null) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new InvalidPayloadException(prefix + "." + field, "expected an ISO-8601 time, got \"" + s + "\"");
        }
    }

    private static void putText(ObjectNode o, String field, String value) {
        if (value != null) {
            o.put(field, value);
        }
    }

    private static void putInt(ObjectNode o, String field, Integer value) {
        if (value != null) {
            o.put(field, value);
        }
    }

    private static void putBool(ObjectNode o, String field, Boolean value) {
        if (value != null) {
            o.put(field, value);
        }
    }

    private static void putTime(ObjectNode o, String field, Instant value) {
        if (value == null) {
            o.putNull(field);
        } else {
            o.put(field, value.toString());
        }
    }
}
