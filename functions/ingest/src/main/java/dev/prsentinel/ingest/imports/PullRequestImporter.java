package dev.prsentinel.ingest.imports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.github.GitHubPullRequests;
import dev.prsentinel.core.model.InvalidPayloadException;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import dev.prsentinel.core.pullreqs.PullreqsRows;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.store.UpsertResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

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
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        String base = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = name.endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
                Reader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
            if (base.endsWith(".csv")) {
                return importCsv(reader, progress);
            }
            if (base.endsWith(".jsonl") || base.endsWith(".ndjson") || base.endsWith(".json")) {
                return importJsonLines((BufferedReader) reader, progress);
            }
        }
        throw new IllegalArgumentException(file + ": unknown layout; expected .jsonl/.ndjson/.json (GitHub API PR "
                + "objects, one per line) or .csv (pullreqs), optionally .gz");
    }

    private ImportResult importJsonLines(BufferedReader reader, Consumer<ImportResult> progress) throws IOException {
        Tally tally = new Tally(progress);
        String line;
        long n = 0;
        while ((line = reader.readLine()) != null) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            tally.read++;
            try {
                JsonNode node = Json.mapper().readTree(line);
                tally.add(GitHubPullRequests.fromJson(node, null, Source.IMPORT, "line " + n));
            } catch (JsonProcessingException e) {
                tally.reject("line " + n + ": not valid JSON: " + e.getOriginalMessage());
            } catch (InvalidPayloadException e) {
                tally.reject(e.getMessage());
            }
        }
        return tally.finish();
    }

    private ImportResult importCsv(Reader reader, Consumer<ImportResult> progress) throws IOException {
        Tally tally = new Tally(progress);
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
        try (CSVParser parser = CSVParser.parse(reader, format)) {
            List<String> missing = new ArrayList<>(PullreqsRows.REQUIRED_COLUMNS);
            missing.removeAll(parser.getHeaderNames());
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("not the pullreqs CSV layout: missing columns " + missing);
            }
            for (CSVRecord row : parser) {
                tally.read++;
                try {
                    tally.add(PullreqsRows.fromRow(c -> row.isSet(c) ? row.get(c) : null, row.getRecordNumber() + 1));
                } catch (InvalidPayloadException e) {
                    tally.reject(e.getMessage());
                }
            }
        }
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
