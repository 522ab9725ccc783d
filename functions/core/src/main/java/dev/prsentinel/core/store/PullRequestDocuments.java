package dev.prsentinel.core.store;

import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bson.Document;

/**
 * The stored shape of a PR in the {@code pull_requests} collection: snake_case fields, times as
 * BSON dates, and a field that is unknown is absent (never 0 or null). {@code _id} is
 * "owner/name#number"; {@code observed_at} orders versions; {@code has_detail} tells whether the
 * line and comment counts are there.
 */
public final class PullRequestDocuments {

    public static final String COLLECTION = "pull_requests";

    private PullRequestDocuments() {
    }

    /** The $set part of an upsert: every field the record knows. */
    static Document fieldsToSet(PullRequest pr, Instant ingestedAt) {
        Document d = new Document();
        d.put("repo", pr.repo());
        d.put("number", pr.number());
        d.put("source", pr.source().wireName());
        put(d, "title_length", pr.titleLength());
        put(d, "body_length", pr.bodyLength());
        put(d, "state", pr.state());
        put(d, "draft", pr.draft());
        put(d, "merged", pr.merged());
        put(d, "additions", pr.additions());
        put(d, "deletions", pr.deletions());
        put(d, "changed_lines", pr.changedLines());
        put(d, "changed_files", pr.changedFiles());
        put(d, "commits", pr.commits());
        put(d, "comments", pr.comments());
        put(d, "review_comments", pr.reviewComments());
        put(d, "labels", pr.labels());
        put(d, "requested_reviewers", pr.requestedReviewers());
        put(d, "author_association", pr.authorAssociation());
        put(d, "author", pr.author());
        putTime(d, "created_at", pr.createdAt());
        putTime(d, "updated_at", pr.updatedAt());
        putTime(d, "merged_at", pr.mergedAt());
        putTime(d, "closed_at", pr.closedAt());
        put(d, "base_ref", pr.baseRef());
        put(d, "head_ref", pr.headRef());
        put(d, "head_fork", pr.headFork());
        putTime(d, "observed_at", pr.observedAt());
        d.put("version_hash", versionHash(pr));
        putTime(d, "ingested_at", ingestedAt);
        if (pr.hasDetail()) {
            d.put("has_detail", true);
        }
        return d;
    }

    /**
     * Orders two versions of a PR with the same {@code observed_at} (GitHub's times have whole
     * seconds): the higher hash of the record's content wins, so the stored version is the same
     * whichever arrived first. The record's text form lists every field in a fixed order.
     */
    static String versionHash(PullRequest pr) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(pr.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The $unset part: times the new version says are gone. A reopened PR has no close time any
     * more; a PR closed unmerged has no merge time. A partial record (state unknown) unsets nothing.
     */
    static Document fieldsToUnset(PullRequest pr) {
        Document d = new Document();
        if ("open".equals(pr.state())) {
            if (pr.closedAt() == null) {
                d.put("closed_at", "");
            }
            if (pr.mergedAt() == null) {
                d.put("merged_at", "");
            }
        } else if (Boolean.FALSE.equals(pr.merged()) && pr.mergedAt() == null) {
            d.put("merged_at", "");
        }
        return d;
    }

    /** Reads a stored document back; absent fields come back as null. */
    @SuppressWarnings("unchecked")
    public static PullRequest fromDocument(Document d) {
        return new PullRequest(
                d.getString("repo"),
                d.getInteger("number"),
                Source.fromWireName(d.getString("source")),
                d.getInteger("title_length"),
                d.getInteger("body_length"),
                d.getString("state"),
                d.getBoolean("draft"),
                d.getBoolean("merged"),
                d.getInteger("additions"),
                d.getInteger("deletions"),
                d.getInteger("changed_lines"),
                d.getInteger("changed_files"),
                d.getInteger("commits"),
                d.getInteger("comments"),
                d.getInteger("review_comments"),
                (List<String>) d.get("labels"),
                d.getInteger("requested_reviewers"),
                d.getString("author_association"),
                d.getString("author"),
                time(d, "created_at"),
                time(d, "updated_at"),
                time(d, "merged_at"),
                time(d, "closed_at"),
                d.getString("base_ref"),
                d.getString("head_ref"),
                d.getBoolean("head_fork"));
    }

    private static void put(Document d, String field, Object value) {
        if (value != null) {
            d.put(field, value);
        }
    }

    private static void putTime(Document d, String field, Instant value) {
        if (value != null) {
            d.put(field, Date.from(value));
        }
    }

    private static Instant time(Document d, String field) {
        Date date = d.getDate(field);
        return date == null ? null : date.toInstant();
    }
}
