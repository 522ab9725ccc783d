package dev.prsentinel.core.github;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of one PR object that {@link GitHubPullRequests} maps, read in one pass over the
 * JSON tokens, everything else skipped unread. It serves the three shapes a PR comes in (a
 * webhook payload, GitHub's object, the stored shape): which one a body is shows only once every
 * key is read, so values stay raw (their token and text) until the mapping checks them, in the
 * same order whatever the keys' order.
 *
 * <p>Why not Jackson's tree: building it was most of score's request path (a JsonNode and a map
 * entry per field, a String per title and body, which only count as lengths); perf and the numbers
 * are in benchmarks/RESULTS.md.
 */
public final class PullRequestJson {

    /** One value as written: a scalar's token and text, or only the kind of a container. */
    static final class Value {
        private static final Value NULL = new Value(JsonToken.VALUE_NULL, null, 0, false, 0, null, null);

        final JsonToken token;
        /** A string's content or a number's text; null for other tokens and for counted-only strings. */
        final String text;
        final int intValue;
        /** An integer that fits an int. */
        final boolean isInt;
        /** A string's length in UTF-16 units (String.length), or an array's size. */
        final int length;
        /** An array's elements, where kept (labels). */
        final List<Value> items;
        /** An object element's "name" (a label). */
        final Value name;

        private Value(JsonToken token, String text, int intValue, boolean isInt, int length, List<Value> items,
                Value name) {
            this.token = token;
            this.text = text;
            this.intValue = intValue;
            this.isInt = isInt;
            this.length = length;
            this.items = items;
            this.name = name;
        }

        private Value(JsonToken token, String text, int intValue, boolean isInt, int length) {
            this(token, text, intValue, isInt, length, null, null);
        }

        boolean isNull() {
            return token == JsonToken.VALUE_NULL;
        }

        boolean isString() {
            return token == JsonToken.VALUE_STRING;
        }

        boolean isObject() {
            return token == JsonToken.START_OBJECT;
        }

        boolean isArray() {
            return token == JsonToken.START_ARRAY;
        }

        boolean isBoolean() {
            return token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE;
        }

        /** The value as an error message shows it: scalars as JSON, containers by kind. */
        @Override
        public String toString() {
            return switch (token) {
                case VALUE_STRING -> text == null ? "a string"
                        : "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> text;
                case VALUE_TRUE -> "true";
                case VALUE_FALSE -> "false";
                case VALUE_NULL -> "null";
                case START_ARRAY -> "an array";
                default -> "an object";
            };
        }
    }

    /** GitHub's base or head: its ref, its repo and that repo's name (all null unless it is an object). */
    static final class Branch {
        Value ref;
        /** The repo key's value, null when absent. */
        Value repo;
        /** repo.full_name, null when absent or when repo is not an object. */
        Value repoFullName;
    }

    // The GitHub shape's and the stored shape's fields; where their names are shared, so is the slot.
    Value number;
    Value state;
    Value draft;
    Value merged;
    Value createdAt;
    Value updatedAt;
    Value mergedAt;
    Value closedAt;
    Value additions;
    Value deletions;
    Value changedFiles;
    Value commits;
    Value comments;
    Value reviewComments;
    Value authorAssociation;
    Value labels;
    Value requestedReviewers;
    // GitHub's shape only.
    Value title;
    Value body;
    Value requestedTeams;
    Value userLogin;
    Branch base;
    Branch head;
    // The stored shape only.
    Value repo;
    Value titleLength;
    Value bodyLength;
    Value changedLines;
    Value author;
    Value baseRefStored;
    Value headRefStored;
    Value headFork;
    // A webhook payload's.
    Value pullRequestValue;
    PullRequestJson pullRequest;
    Value repositoryFullName;

    private PullRequestJson() {
    }

    /**
     * Reads the object the parser is at (its current token START_OBJECT) through its END_OBJECT.
     *
     * @throws IOException for JSON that is not well formed
     */
    public static PullRequestJson read(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new IllegalStateException("not at an object: " + p.currentToken());
        }
        PullRequestJson pr = new PullRequestJson();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            switch (name) {
                case "number" -> pr.number = scalar(p, t);
                case "state" -> pr.state = scalar(p, t);
                case "draft" -> pr.draft = scalar(p, t);
                case "merged" -> pr.merged = scalar(p, t);
                case "created_at" -> pr.createdAt = scalar(p, t);
                case "updated_at" -> pr.updatedAt = scalar(p, t);
                case "merged_at" -> pr.mergedAt = scalar(p, t);
                case "closed_at" -> pr.closedAt = scalar(p, t);
                case "additions" -> pr.additions = scalar(p, t);
                case "deletions" -> pr.deletions = scalar(p, t);
                case "changed_files" -> pr.changedFiles = scalar(p, t);
                case "commits" -> pr.commits = scalar(p, t);
                case "comments" -> pr.comments = scalar(p, t);
                case "review_comments" -> pr.reviewComments = scalar(p, t);
                case "author_association" -> pr.authorAssociation = scalar(p, t);
                case "labels" -> pr.labels = labels(p, t);
                case "requested_reviewers" -> pr.requestedReviewers = counted(p, t);
                case "requested_teams" -> pr.requestedTeams = counted(p, t);
                case "title" -> pr.title = length(p, t);
                case "body" -> pr.body = length(p, t);
                case "user" -> pr.userLogin = field(p, t, "login");
                case "base" -> pr.base = branch(p, t);
                case "head" -> pr.head = branch(p, t);
                case "repo" -> pr.repo = scalar(p, t);
                case "title_length" -> pr.titleLength = scalar(p, t);
                case "body_length" -> pr.bodyLength = scalar(p, t);
                case "changed_lines" -> pr.changedLines = scalar(p, t);
                case "author" -> pr.author = scalar(p, t);
                case "base_ref" -> pr.baseRefStored = scalar(p, t);
                case "head_ref" -> pr.headRefStored = scalar(p, t);
                case "head_fork" -> pr.headFork = scalar(p, t);
                case "pull_request" -> {
                    if (t == JsonToken.START_OBJECT) {
                        pr.pullRequest = read(p);
                        pr.pullRequestValue = kind(t);
                    } else {
                        pr.pullRequestValue = scalar(p, t);
                    }
                }
                case "repository" -> pr.repositoryFullName = field(p, t, "full_name");
                default -> p.skipChildren();
            }
        }
        return pr;
    }

    /** The same fields read from a tree (ingest's payloads arrive as one). */
    public static PullRequestJson of(JsonNode object) {
        try (JsonParser p = object.traverse()) {
            p.nextToken();
            return read(p);
        } catch (IOException e) {
            throw new UncheckedIOException("a tree is always well formed", e);
        }
    }

    /** A webhook payload's PR object, if it has one. */
    public PullRequestJson pullRequest() {
        return pullRequest;
    }

    /** Whether the object has a "pull_request" key, whatever its value (a webhook payload). */
    public boolean hasPullRequest() {
        return pullRequestValue != null;
    }

    /** A webhook payload's repository.full_name when it is a string, else null. */
    public String repositoryFullName() {
        return repositoryFullName != null && repositoryFullName.isString() ? repositoryFullName.text : null;
    }

    /** Whether the object has a "base" key, whatever its value (GitHub's PR object). */
    public boolean hasBase() {
        return base != null;
    }

    /** Whether the object has a "repo" key, whatever its value (the stored shape). */
    public boolean hasRepo() {
        return repo != null;
    }

    private static Value scalar(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case VALUE_NULL -> Value.NULL;
            case VALUE_STRING -> new Value(t, p.getText(), 0, false, p.getTextLength());
            case VALUE_NUMBER_INT -> {
                JsonParser.NumberType type = p.getNumberType();
                boolean fits = type == JsonParser.NumberType.INT
                        || type == JsonParser.NumberType.LONG && p.getLongValue() == (int) p.getLongValue();
                yield new Value(t, p.getText(), fits ? p.getIntValue() : 0, fits, 0);
            }
            case VALUE_NUMBER_FLOAT -> new Value(t, p.getText(), 0, false, 0);
            case START_OBJECT, START_ARRAY -> {
                p.skipChildren();
                yield kind(t);
            }
            default -> new Value(t, null, 0, false, 0);
        };
    }

    private static Value kind(JsonToken t) {
        return new Value(t, null, 0, false, 0);
    }

    /** A string of which only the length counts (a title, a body): no String is made of it. */
    private static Value length(JsonParser p, JsonToken t) throws IOException {
        return t == JsonToken.VALUE_STRING ? new Value(t, null, 0, false, p.getTextLength()) : scalar(p, t);
    }

    /** An array of which only the size counts (requested reviewers); other values as they are. */
    private static Value counted(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            return scalar(p, t);
        }
        int size = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            p.skipChildren();
            size++;
        }
        return new Value(t, null, 0, false, size);
    }

    /** Labels: names (the stored shape) or objects with a name (GitHub's). */
    private static Value labels(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            return scalar(p, t);
        }
        List<Value> items = new ArrayList<>();
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            if (e == JsonToken.START_OBJECT) {
                items.add(new Value(e, null, 0, false, 0, null, fieldOfObject(p, "name")));
            } else {
                items.add(scalar(p, e));
            }
        }
        return new Value(t, null, 0, false, items.size(), items, null);
    }

    /** An object's one field of interest: null when the value is not an object or lacks the key. */
    private static Value field(JsonParser p, JsonToken t, String key) throws IOException {
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        return fieldOfObject(p, key);
    }

    private static Value fieldOfObject(JsonParser p, String key) throws IOException {
        Value found = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            if (name.equals(key)) {
                found = scalar(p, t);
            } else {
                p.skipChildren();
            }
        }
        return found;
    }

    /** base or head: its ref, its repo (whatever its value) and that repo's full_name. */
    private static Branch branch(JsonParser p, JsonToken t) throws IOException {
        Branch branch = new Branch();
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return branch;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "ref" -> branch.ref = scalar(p, v);
                case "repo" -> {
                    branch.repo = kind(v);
                    branch.repoFullName = field(p, v, "full_name");
                }
                default -> p.skipChildren();
            }
        }
        return branch;
    }
}
