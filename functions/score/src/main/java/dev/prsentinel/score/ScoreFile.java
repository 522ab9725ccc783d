package dev.prsentinel.score;

import dev.prsentinel.core.anomaly.ModelPackage;
import dev.prsentinel.core.anomaly.Scorer;
import dev.prsentinel.core.cli.Console;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.pullreqs.PullRequestFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code score-file INPUT OUTPUT}: scores a file of PRs (JSON lines in any of the three shapes, or
 * the pullreqs CSV, optionally .gz) into a CSV for offline evaluation, one row per input record
 * in input order: its line, its own id (pullreqs' pull_req_id, GitHub's id), the repo#number key,
 * whether it was scored or rejected (with the reason), then score, threshold, anomalous, category
 * and the top three features with their shares. The model comes from the
 * same environment as the function's (MODEL_DIR, or MLFLOW_TRACKING_URI with MODEL_VERSION or
 * MODEL_ALIAS). Records that cannot be read are written as rejected and the first few reported.
 */
public final class ScoreFile {

    /**
     * What a run did.
     *
     * @param scored    rows written
     * @param anomalous of which above the threshold
     * @param rejected  records that could not be read
     * @param errors    the first few reasons
     */
    public record Result(long scored, long anomalous, long rejected, List<String> errors) {
    }

    private ScoreFile() {
    }

    /** The CSV's columns: the input's own place and id first, so every answer joins back to its row. */
    public static final String HEADER = "line,id,key,status,reason,score,threshold,anomalous,category,"
            + "feature_1,share_1,feature_2,share_2,feature_3,share_3";

    public static Result run(Path input, Path output, ModelPackage model) throws IOException {
        Scorer scorer = new Scorer(model);
        long[] counts = new long[3];
        List<String> errors = new ArrayList<>();
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        // Written beside the output and moved over it at the end: a failed run leaves no half a CSV.
        Path partial = output.resolveSibling(output.getFileName() + ".partial");
        try (BufferedWriter out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
            out.write(HEADER + "\n");
            PullRequestFiles.read(input, PullRequestInput::parse, new PullRequestFiles.Visitor() {
                @Override
                public void accept(PullRequest pr, PullRequestFiles.Origin origin) {
                    Scorer.Score s = scorer.explain(pr, ScoreApi.TOP_FEATURES);
                    StringBuilder line = start(origin, pr.key(), "scored", "")
                            .append(String.format(Locale.ROOT, "%.6g,%.6g,%s,%s", s.score(), s.threshold(),
                                    s.anomalous(), s.category()));
                    for (int i = 0; i < ScoreApi.TOP_FEATURES; i++) {
                        if (i < s.top().size()) {
                            line.append(',').append(s.top().get(i).feature()).append(',')
                                    .append(String.format(Locale.ROOT, "%.4f", s.top().get(i).share()));
                        } else {
                            line.append(",,");
                        }
                    }
                    write(line);
                    counts[0]++;
                    counts[1] += s.anomalous() ? 1 : 0;
                }

                @Override
                public void reject(String reason, PullRequestFiles.Origin origin) {
                    // Written with its reason, so the rows after it still line up with their input.
                    write(start(origin, "", "rejected", reason).append(",,,,,,,,,"));
                    counts[2]++;
                    if (errors.size() < 10) {
                        errors.add(reason);
                    }
                }

                private void write(StringBuilder line) {
                    try {
                        out.write(line.append('\n').toString());
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
        } catch (java.io.UncheckedIOException e) {
            Files.deleteIfExists(partial);
            throw e.getCause();
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        Files.move(partial, output, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return new Result(counts[0], counts[1], counts[2], List.copyOf(errors));
    }

    private static StringBuilder start(PullRequestFiles.Origin origin, String key, String status, String reason) {
        return new StringBuilder(200).append(origin.line()).append(',')
                .append(origin.id() == null ? "" : csv(origin.id())).append(',').append(csv(key)).append(',')
                .append(status).append(',').append(csv(reason)).append(',');
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")
                ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    /** The command line: {@code java -cp score.jar dev.prsentinel.score.ScoreFile INPUT OUTPUT}. */
    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), Console.system()));
    }

    /** Runs the command; returns the exit code. */
    public static int run(String[] args, Map<String, String> env, Console console) {
        if (args.length != 2) {
            console.line("usage: score-file INPUT OUTPUT   (INPUT: .jsonl/.ndjson/.json or pullreqs .csv, .gz too;"
                    + " the model from MODEL_DIR or MLFLOW_TRACKING_URI)");
            return 2;
        }
        Path input = Path.of(args[0]);
        if (!Files.isRegularFile(input)) {
            console.line("no such file: %s", input.toAbsolutePath());
            return 2;
        }
        try {
            ModelSource.Loaded model = ModelSource.load(env, Clock.systemUTC());
            Result r = run(input, Path.of(args[1]), model.model());
            console.line("scored %d PRs with %s version %s into %s: %d anomalous; %d rejected", r.scored(),
                    model.name(), model.version(), args[1], r.anomalous(), r.rejected());
            r.errors().forEach(e -> console.line("  %s", e));
            return 0;
        } catch (IOException e) {
            console.line("cannot read or write: %s", e.getMessage());
            return 1;
        } catch (ModelSource.NoModelYet e) {
            console.line("%s: train one first (`prsentinel train`, after `prsentinel import FILE` or `sync`), or name"
                    + " a version that exists (MODEL_VERSION, --model-version)", e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            // No model, an unreadable one, an unreachable registry, a file of unknown layout: said, not thrown.
            console.line("%s", e.getMessage());
            return 1;
        }
    }
}
