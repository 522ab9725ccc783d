package dev.prsentinel.core.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

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
     * A path under shared/, or the test is skipped with a message saying what is absent. In CI
     * (CI=true) shared/ is always there, so its absence fails the test instead of skipping it.
     */
    public static Path require(String relative) {
        Optional<Path> root = root();
        Path p = root.map(r -> r.resolve(relative)).orElse(null);
        String missing = root.isEmpty()
                ? "../shared (fixtures and data sets beside the project root) is absent;"
                        + " set PRSENTINEL_SHARED_DIR to run this test"
                : p + " is absent";
        boolean present = p != null && Files.exists(p);
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("in CI shared/ must be present: " + missing);
        }
        assumeTrue(present, "skipped: " + missing);
        return p;
    }
}
