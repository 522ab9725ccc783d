package dev.prsentinel.core.pullreqs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.model.InvalidPayloadException;
import dev.prsentinel.core.model.PullRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Files of PRs, told apart by name (a trailing .gz is decompressed): JSON lines (.jsonl, .ndjson,
 * .json; each line parsed by the caller's parser) and the pullreqs research CSV (.csv). A record
 * that cannot be mapped is handed to the visitor as a rejection naming its line and field, and
 * reading goes on. ingest imports such files; score scores them.
 */
public final class PullRequestFiles {

    /** Maps one JSON line; {@code prefix} ("line 12") goes in front of field names in errors. */
    @FunctionalInterface
    public interface Parser {
        PullRequest parse(JsonNode node, String prefix);
    }

    /**
     * Where a record came from, so an answer can be joined back to its input: its line (a CSV row's
     * first line, header included) and the input's own identifier, pullreqs' {@code pull_req_id} or
     * the GitHub object's {@code id} (null when the record has none, or is not readable JSON).
     */
    public record Origin(long line, String id) {
    }

    /** Receives each record, mapped or rejected, in file order. */
    public interface Visitor {
        void accept(PullRequest pr, Origin origin);

        void reject(String reason, Origin origin);
    }

    private PullRequestFiles() {
    }

    /**
     * @throws IllegalArgumentException for an unknown file type or a CSV without the pullreqs columns
     */
    public static void read(Path file, Parser jsonLines, Visitor visitor) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String base = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
        boolean csv = base.endsWith(".csv");
        if (!csv && !base.endsWith(".jsonl") && !base.endsWith(".ndjson") && !base.endsWith(".json")) {
            throw new IllegalArgumentException(file + ": unknown layout; expected .jsonl/.ndjson/.json (pull"
                    + " requests, one per line) or .csv (pullreqs), optionally .gz");
        }
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = name.endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8),
                        1 << 16)) {
            if (csv) {
                readCsv(reader, visitor);
            } else {
                readJsonLines(reader, jsonLines, visitor);
            }
        }
    }

    private static void readJsonLines(BufferedReader reader, Parser parser, Visitor visitor) throws IOException {
        String line;
        long n = 0;
        while ((line = reader.readLine()) != null) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = Json.mapper().readTree(line);
            } catch (JsonProcessingException e) {
                visitor.reject("line " + n + ": not valid JSON: " + e.getOriginalMessage(), new Origin(n, null));
                continue;
            }
            Origin origin = new Origin(n, githubId(node));
            try {
                visitor.accept(parser.parse(node, "line " + n), origin);
            } catch (InvalidPayloadException e) {
                visitor.reject(e.getMessage(), origin);
            }
        }
    }

    /** GitHub's id of the PR object: a webhook payload's {@code pull_request.id}, else the object's own. */
    private static String githubId(JsonNode node) {
        JsonNode object = node.has("pull_request") ? node.get("pull_request") : node;
        JsonNode id = object == null ? null : object.get("id");
        return id != null && (id.isIntegralNumber() || id.isTextual()) && !id.asText().isBlank() ? id.asText() : null;
    }

    private static void readCsv(BufferedReader reader, Visitor visitor) throws IOException {
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
        try (CSVParser parser = CSVParser.parse(reader, format)) {
            List<String> missing = new ArrayList<>(PullreqsRows.REQUIRED_COLUMNS);
            missing.removeAll(parser.getHeaderNames());
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("not the pullreqs CSV layout: missing columns " + missing);
            }
            boolean hasId = parser.getHeaderNames().contains(PullreqsRows.ID_COLUMN);
            for (CSVRecord row : parser) {
                String id = hasId && row.isSet(PullreqsRows.ID_COLUMN) ? row.get(PullreqsRows.ID_COLUMN).strip() : "";
                Origin origin = new Origin(row.getRecordNumber() + 1, id.isEmpty() ? null : id);
                try {
                    visitor.accept(PullreqsRows.fromRow(c -> row.isSet(c) ? row.get(c) : null,
                            row.getRecordNumber() + 1), origin);
                } catch (InvalidPayloadException e) {
                    visitor.reject(e.getMessage(), origin);
                }
            }
        }
    }
}
