package dev.prsentinel.ingest.github;

import dev.prsentinel.core.store.UpsertResult;
import java.time.Instant;

/**
 * What one repository's backfill did.
 *
 * @param repo          owner/name
 * @param status        complete, rate_limited, deferred (still limited from an earlier run) or failed
 * @param detail        a human-readable reason for anything but complete
 * @param stored        what the upserts did
 * @param listed        PRs read from list pages
 * @param detailFetches single-PR GETs
 * @param apiCalls      HTTP calls made, retries included
 * @param resumeAfter   for rate_limited and deferred: when a run can go on
 */
public record BackfillResult(String repo, String status, String detail, UpsertResult stored, int listed,
        int detailFetches, int apiCalls, Instant resumeAfter) {
}
