package dev.prsentinel.core.github;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prsentinel.core.model.InvalidPayloadException;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.PullRequestTimes;
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
        return fromJson(PullRequestJson.of(pr), fallbackRepo, source, prefix);
    }

    /** {@link #fromJson(JsonNode, String, Source, String)} for fields read from a stream of tokens. */
    public static PullRequest fromJson(PullRequestJson pr, String fallbackRepo, Source source, String prefix) {
        String repo = text(pr.base == null ? null : pr.base.repoFullName, "full_name", prefix + ".base.repo");
        if (repo == null) {
            repo = fallbackRepo;
        }
        RepoNames.require(repo, prefix + ".base.repo.full_name");
        PullRequestJson.Value number = pr.number;
        if (number == null || number.isNull()) {
            throw new InvalidPayloadException(prefix + ".number", "missing");
        }
        if (!number.isInt || number.intValue <= 0) {
            throw new InvalidPayloadException(prefix + ".number", "expected a positive integer");
        }
        Integer additions = count(pr.additions, "additions", prefix);
        Integer deletions = count(pr.deletions, "deletions", prefix);
        Instant mergedAt = time(pr.mergedAt, "merged_at", prefix);
        Boolean merged = bool(pr.merged, "merged", prefix);
        if (merged == null && pr.mergedAt != null) {
            merged = mergedAt != null;
        }
        return new PullRequest(
                repo,
                number.intValue,
                source,
                length(pr.title, "title", prefix),
                length(pr.body, "body", prefix),
                text(pr.state, "state", prefix),
                bool(pr.draft, "draft", prefix),
                merged,
                additions,
                deletions,
                additions != null && deletions != null ? additions + deletions : null,
                count(pr.changedFiles, "changed_files", prefix),
                count(pr.commits, "commits", prefix),
                count(pr.comments, "comments", prefix),
                count(pr.reviewComments, "review_comments", prefix),
                labels(pr.labels, prefix),
                requestedReviewers(pr, prefix),
                text(pr.authorAssociation, "author_association", prefix),
                text(pr.userLogin, "login", prefix + ".user"),
                time(pr.createdAt, "created_at", prefix),
                time(pr.updatedAt, "updated_at", prefix),
                mergedAt,
                time(pr.closedAt, "closed_at", prefix),
                text(pr.base == null ? null : pr.base.ref, "ref", prefix + ".base"),
                text(pr.head == null ? null : pr.head.ref, "ref", prefix + ".head"),
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
        return fromStoredJson(PullRequestJson.of(d), prefix);
    }

    /** {@link #fromStoredJson(JsonNode, String)} for fields read from a stream of tokens. */
    public static PullRequest fromStoredJson(PullRequestJson d, String prefix) {
        String repo = text(d.repo, "repo", prefix);
        RepoNames.require(repo, prefix + ".repo");
        PullRequestJson.Value number = d.number;
        if (number == null || !number.isInt || number.intValue <= 0) {
            throw new InvalidPayloadException(prefix + ".number", "expected a positive integer");
        }
        Integer additions = count(d.additions, "additions", prefix);
        Integer deletions = count(d.deletions, "deletions", prefix);
        Integer changed = count(d.changedLines, "changed_lines", prefix);
        PullRequestJson.Value labels = d.labels;
        List<String> names = null;
        if (labels != null && !labels.isNull()) {
            if (!labels.isArray()) {
                throw new InvalidPayloadException(prefix + ".labels", "expected an array of names");
            }
            names = new ArrayList<>(labels.items.size());
            for (int i = 0; i < labels.items.size(); i++) {
                if (!labels.items.get(i).isString()) {
                    throw new InvalidPayloadException(prefix + ".labels[" + i + "]", "expected a string");
                }
                names.add(labels.items.get(i).text);
            }
        }
        return new PullRequest(repo, number.intValue, Source.API, count(d.titleLength, "title_length", prefix),
                count(d.bodyLength, "body_length", prefix), text(d.state, "state", prefix),
                bool(d.draft, "draft", prefix), bool(d.merged, "merged", prefix), additions, deletions,
                changed != null ? changed : additions != null && deletions != null ? additions + deletions : null,
                count(d.changedFiles, "changed_files", prefix), count(d.commits, "commits", prefix),
                count(d.comments, "comments", prefix), count(d.reviewComments, "review_comments", prefix), names,
                count(d.requestedReviewers, "requested_reviewers", prefix),
                text(d.authorAssociation, "author_association", prefix), text(d.author, "author", prefix),
                time(d.createdAt, "created_at", prefix), time(d.updatedAt, "updated_at", prefix),
                time(d.mergedAt, "merged_at", prefix), time(d.closedAt, "closed_at", prefix),
                text(d.baseRefStored, "base_ref", prefix), text(d.headRefStored, "head_ref", prefix),
                bool(d.headFork, "head_fork", prefix));
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

    private static Boolean headFork(PullRequestJson pr, String baseRepo) {
        if (pr.head == null || pr.head.repo == null) {
            return null;
        }
        PullRequestJson.Value fullName = pr.head.repoFullName;
        if (fullName == null || fullName.isNull()) {
            // GitHub nulls head.repo when the fork was deleted: the origin is unknown now.
            return null;
        }
        return !asText(fullName).equalsIgnoreCase(baseRepo);
    }

    /** As JsonNode.asText: a scalar's text, "" for a container. */
    private static String asText(PullRequestJson.Value v) {
        if (v.text != null) {
            return v.text;
        }
        return v.isBoolean() ? v.toString() : "";
    }

    private static Integer requestedReviewers(PullRequestJson pr, String prefix) {
        PullRequestJson.Value users = pr.requestedReviewers;
        if (users == null) {
            return null;
        }
        if (!users.isArray()) {
            throw new InvalidPayloadException(prefix + ".requested_reviewers", "expected an array");
        }
        PullRequestJson.Value teams = pr.requestedTeams;
        return users.length + (teams != null && teams.isArray() ? teams.length : 0);
    }

    private static List<String> labels(PullRequestJson.Value labels, String prefix) {
        if (labels == null) {
            return null;
        }
        if (!labels.isArray()) {
            throw new InvalidPayloadException(prefix + ".labels", "expected an array");
        }
        List<String> names = new ArrayList<>(labels.items.size());
        for (int i = 0; i < labels.items.size(); i++) {
            PullRequestJson.Value label = labels.items.get(i);
            String name = text(label.isObject() ? label.name : null, "name", prefix + ".labels[" + i + "]");
            if (name == null) {
                throw new InvalidPayloadException(prefix + ".labels[" + i + "].name", "missing");
            }
            names.add(name);
        }
        return names;
    }

    private static String text(PullRequestJson.Value v, String field, String prefix) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString()) {
            throw new InvalidPayloadException(prefix + "." + field, "expected a string");
        }
        return v.text;
    }

    private static Integer length(PullRequestJson.Value v, String field, String prefix) {
        if (v == null) {
            return null;
        }
        if (v.isNull()) {
            return 0;
        }
        if (!v.isString()) {
            throw new InvalidPayloadException(prefix + "." + field, "expected a string");
        }
        return v.length;
    }

    private static Integer count(PullRequestJson.Value v, String field, String prefix) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isInt || v.intValue < 0) {
            throw new InvalidPayloadException(prefix + "." + field, "expected a non-negative integer, got " + v);
        }
        return v.intValue;
    }

    private static Boolean bool(PullRequestJson.Value v, String field, String prefix) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw new InvalidPayloadException(prefix + "." + field, "expected true or false, got " + v);
        }
        return v.token == JsonToken.VALUE_TRUE;
    }

    private static Instant time(PullRequestJson.Value v, String field, String prefix) {
        String s = text(v, field, prefix);
        if (s == null) {
            return null;
        }
        try {
            return PullRequestTimes.check(IsoInstants.parse(s), prefix + "." + field);
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
