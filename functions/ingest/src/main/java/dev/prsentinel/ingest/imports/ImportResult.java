package dev.prsentinel.ingest.imports;

import java.util.List;

/**
 * What an import did.
 *
 * @param read       records read (lines or rows)
 * @param inserted   PRs stored for the first time
 * @param updated    stored PRs replaced by a newer version
 * @param unchanged  PRs already stored as new or newer
 * @param rejected   records that could not be mapped, skipped
 * @param firstErrors the first few rejection reasons, each naming the line and field
 */
public record ImportResult(long read, long inserted, long updated, long unchanged, long rejected,
        List<String> firstErrors) {
}
