package dev.prsentinel.core.testing;

import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.pullreqs.PullreqsRows;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Finds the workplace's shared/ folder (fixtures and data sets beside the project root, not part
 * of the project). Tests that need it skip with a message naming what is missing.
 */
public final class SharedData {

    private SharedData() {
    }

    /** shared/ beside the project root, found by walking up from the working directory. */
    public static Optional<Path> root() {
        String configured = System.getenv("PRSENTINEL_SHARED_DIR");
        if (configured != null) {
            return Optional.of(Path.of(configured)).filter(Files::isDirectory);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolveSibling("shared");
            if (Files.isDirectory(candidate.resolve("fixtures")) && Files.exists(dir.resolve("pom.xml"))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * The first {@code limit} rows of the pullreqs data set, mapped as an import would map them, or
     * the test is skipped when the file is absent. The file has no quoted cells, so a split is enough.
     */
    public static List<PullRequest> pullreqs(int limit) throws IOException {
        return pullreqs(require("datasets/pullreqs/pullreqs.csv.gz"), limit);
    }

    /** The first {@code limit} rows of a pullreqs-layout .csv.gz file. */
    public static List<PullRequest> pullreqs(Path file, int limit) throws IOException {
        List<PullRequest> prs = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                Files.newInputStream(file), 1 << 16), StandardCharsets.UTF_8))) {
            String[] header = r.readLine().split(",");
            String line;
            long n = 1;
            while ((line = r.readLine()) != null && prs.size() < limit) {
                String[] cells = line.split(",", -1);
                Map<String, String> row = new HashMap<>();
                for (int i = 0; i < header.length; i++) {
                    row.put(header[i], cells[i]);
                }
                prs.add(PullreqsRows.fromRow(row::get, ++n));
            }
        }
        return prs;
    }

    /**
     * A path under shared/, or the test is skipped with a message saying what is absent. In CI
     * (CI=true) shared/ is always there, so its absence fails the test instead of skipping it.
     */
    public static Path require(String relative) {
        Need.assume(missing(relative), "in CI shared/ must be present: ");
        return root().orElseThrow().resolve(relative);
    }

    /** What is absent when {@code relative} under shared/ is, or empty when it is there. */
    static Optional<String> missing(String relative) {
        Optional<Path> root = root();
        if (root.isEmpty()) {
            return Optional.of("../shared (fixtures and data sets beside the project root) is absent;"
                    + " set PRSENTINEL_SHARED_DIR to run this test");
        }
        Path p = root.get().resolve(relative);
        return Files.exists(p) ? Optional.empty() : Optional.of(p + " is absent");
    }
}
