package dev.prsentinel.ingest.imports;

import dev.prsentinel.core.github.GitHubPullRequests;
import dev.prsentinel.core.model.InvalidPayloadException;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import dev.prsentinel.core.pullreqs.PullRequestFiles;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.store.UpsertResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Offline bootstrapping: stores a file of PRs in bulk, unordered upserts. Two layouts, told apart
 * by the file name (a trailing .gz is decompressed): JSON lines of GitHub API PR objects
 * (.jsonl, .ndjson, .json) and the pullreqs research CSV (.csv). A record that cannot be mapped is
 * counted and reported with its line and field, and the import goes on.
 */
public final class PullRequestImporter {

    private static final int MAX_REPORTED_ERRORS = 10;

    private final PullRequestStore store;
    private final int batchSize;

    public PullRequestImporter(PullRequestStore store, int batchSize) {
        this.store = store;
        this.batchSize = batchSize;
    }

    /**
     * Imports a file.
     *
     * @param progress told after each batch
     * @throws IllegalArgumentException for an unknown file type or a CSV without the pullreqs columns
     */
    public ImportResult importFile(Path file, Consumer<ImportResult> progress) throws IOException {
        Tally tally = new Tally(progress);
        PullRequestFiles.read(file, (node, prefix) -> GitHubPullRequests.fromJson(node, null, Source.IMPORT, prefix),
                new PullRequestFiles.Visitor() {
                    @Override
                    public void accept(PullRequest pr, PullRequestFiles.Origin origin) {
                        tally.read++;
                        tally.add(pr);
                    }

                    @Override
                    public void reject(String reason, PullRequestFiles.Origin origin) {
                        tally.read++;
                        tally.reject(reason);
                    }
                });
        return tally.finish();
    }

    /** Running totals and the current batch. */
    private final class Tally {
        private final Consumer<ImportResult> progress;
        private final List<PullRequest> batch = new ArrayList<>();
        private final List<String> errors = new ArrayList<>();
        private long read;
        private long inserted;
        private long updated;
        private long unchanged;
        private long rejected;

        Tally(Consumer<ImportResult> progress) {
            this.progress = progress;
        }

        void add(PullRequest pr) {
            batch.add(pr);
            if (batch.size() >= batchSize) {
                flush();
                progress.accept(snapshot());
            }
        }

        void reject(String reason) {
            rejected++;
            if (errors.size() < MAX_REPORTED_ERRORS) {
                errors.add(reason);
            }
        }

        void flush() {
            if (batch.isEmpty()) {
                return;
            }
            try {
                UpsertResult r = store.upsertAll(batch);
                inserted += r.inserted();
                updated += r.updated();
                unchanged += r.unchanged();
            } catch (InvalidPayloadException e) {
                // One unordered PR would sink the whole batch: store the rest one by one.
                for (PullRequest pr : batch) {
                    try {
                        UpsertResult r = store.upsertAll(List.of(pr));
                        inserted += r.inserted();
                        updated += r.updated();
                        unchanged += r.unchanged();
                    } catch (InvalidPayloadException single) {
                        reject(single.getMessage());
                    }
                }
            }
            batch.clear();
        }

        ImportResult snapshot() {
            return new ImportResult(read, inserted, updated, unchanged, rejected, List.copyOf(errors));
        }

        ImportResult finish() {
            flush();
            return snapshot();
        }
    }
}
