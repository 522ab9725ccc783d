package dev.prsentinel.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.cli.Console;
import dev.prsentinel.core.events.SyncRequested;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import dev.prsentinel.ingest.imports.ImportResult;
import dev.prsentinel.ingest.imports.PullRequestImporter;
import dev.prsentinel.local.demo.Demo;
import dev.prsentinel.local.demo.Scoring;
import dev.prsentinel.score.ScoreFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/** The command line of the embedded runtime: demo, import, sync, train, report, score-file. */
public final class Main {

    private static final String USAGE = """
            usage: prsentinel <command> [options]
              demo [--prs N] [--seed S] [--vault]
                                            synthetic PRs through the broker into the store, then a summary;
                                            --vault: the functions read their secrets from OpenBao (a dev
                                            server, or VAULT_ADDR with an admin VAULT_TOKEN)
              import FILE [--train]         JSON lines of GitHub PR objects (.jsonl) or the pullreqs CSV (.csv[.gz]);
                                            --train: then train, as `train` does (one command from a file to a model)
              train                         what the store holds, through the cluster's path: featurize's Spark job
                                            builds a feature set, train-trigger trains, tracks, registers and gates
                                            the model, a candidate goes through the blue/green promoter
              sync --repo owner/name [--since ISO-TIME] [--train]
                                            backfill from GitHub's API (GITHUB_TOKEN, GITHUB_API_URL are read);
                                            --train: then train, as `train` does
              report [--out FILE]           every stored PR scored by the champion, as one HTML page
                                            (default DATA-DIR/report.html)
              score-file INPUT OUTPUT [--model-version V]
                                            a file of PRs (.jsonl or pullreqs .csv, .gz too) scored into a CSV,
                                            one row per input record (its line and own id, the key, scored or
                                            rejected with the reason), by the champion of the data directory's
                                            registry or version V (or MODEL_DIR / MLFLOW_TRACKING_URI when set)
            common options:
              --data-dir DIR                where the embedded store and dead letters live (default .prsentinel)
            """;

    private Main() {
    }

    public static void main(String[] args) {
        dev.prsentinel.local.bluegreen.LocalRouter.noDelay();
        System.exit(run(args, Console.system()));
    }

    /** Runs a command; returns the exit code. */
    public static int run(String[] args, Console console) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            console.line(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        Map<String, String> options = new HashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--vault") || args[i].equals("--train")) {
                options.put(args[i].substring(2), "true");
            } else if (args[i].startsWith("--")) {
                if (i + 1 >= args.length) {
                    console.line("option %s needs a value%n%s", args[i], USAGE);
                    return 2;
                }
                options.put(args[i].substring(2), args[++i]);
            } else {
                positional.add(args[i]);
            }
        }
        Path dataDir = Path.of(options.getOrDefault("data-dir", ".prsentinel"));
        try {
            return switch (args[0]) {
                case "demo" -> demo(options, dataDir, console);
                case "import" -> {
                    int imported = importFile(positional, dataDir, console);
                    yield imported != 0 || !options.containsKey("train") ? imported : train(dataDir, console);
                }
                case "train" -> train(dataDir, console);
                case "sync" -> sync(options, dataDir, console);
                case "report" -> report(options, dataDir, console);
                case "score-file" -> scoreFile(positional, options, dataDir, console);
                default -> {
                    console.line("unknown command %s%n%s", args[0], USAGE);
                    yield 2;
                }
            };
        } catch (NumberFormatException e) {
            console.line("not a number: %s", e.getMessage());
            return 2;
        } catch (Exception e) {
            console.line("failed: %s", e.getMessage() == null ? e.toString() : e.getMessage());
            return 1;
        }
    }

    private static int demo(Map<String, String> options, Path dataDir, Console console) throws Exception {
        Instant start = Instant.now();
        Demo.Result result = Demo.run(new Demo.Options(Integer.parseInt(options.getOrDefault("prs", "2000")),
                Long.parseLong(options.getOrDefault("seed", "42")), dataDir, options.containsKey("vault")), console);
        Demo.print(result, dataDir, console);
        console.line("done in %.1f s", Duration.between(start, Instant.now()).toMillis() / 1000.0);
        return "complete".equals(result.syncStatus()) ? 0 : 1;
    }

    private static int importFile(List<String> positional, Path dataDir, Console console) throws Exception {
        if (positional.size() != 1) {
            console.line("import needs exactly one FILE%n%s", USAGE);
            return 2;
        }
        Path file = Path.of(positional.get(0));
        if (!Files.isRegularFile(file)) {
            console.line("no such file: %s", file.toAbsolutePath());
            return 2;
        }
        try (EmbeddedStore store = new EmbeddedStore(dataDir)) {
            PullRequestStore prs = new PullRequestStore(store.client().getDatabase(store.settings().database()),
                    Clock.systemUTC()).ensureIndexes();
            long started = System.nanoTime();
            long[] nextReport = {50_000};
            ImportResult r = new PullRequestImporter(prs, 1000).importFile(file, progress -> {
                if (progress.read() >= nextReport[0]) {
                    nextReport[0] += 50_000;
                    console.line("  %,d read, %,d stored so far", progress.read(),
                            progress.inserted() + progress.updated());
                }
            });
            double seconds = (System.nanoTime() - started) / 1e9;
            console.line("imported %s: %,d read, %,d inserted, %,d updated, %,d unchanged, %,d rejected in %.1f s "
                    + "(%,.0f PRs/s)", file, r.read(), r.inserted(), r.updated(), r.unchanged(), r.rejected(), seconds,
                    r.read() / seconds);
            r.firstErrors().forEach(e -> console.line("  rejected: %s", e));
            console.line("store now holds %,d PRs in %,d repositories", prs.count(), prs.countByRepo().size());
            console.line("next: ./prsentinel train   (a feature set, then a trained and gated model; or import"
                    + " with --train)");
        }
        return 0;
    }

    private static int train(Path dataDir, Console console) throws Exception {
        Instant start = Instant.now();
        try (LocalStack stack = LocalStack.start(new LocalStack.Options(dataDir, null, "http://127.0.0.1:9", null))) {
            int exit = Train.run(stack, dataDir, console);
            console.line("done in %.1f s", Duration.between(start, Instant.now()).toMillis() / 1000.0);
            return exit;
        }
    }

    private static int sync(Map<String, String> options, Path dataDir, Console console) throws Exception {
        String repo = options.get("repo");
        if (repo == null) {
            console.line("sync needs --repo owner/name%n%s", USAGE);
            return 2;
        }
        Instant since = options.containsKey("since") ? Instant.parse(options.get("since")) : null;
        SyncRequested request = new SyncRequested(List.of(repo), since);
        String endpoint = System.getenv().getOrDefault("GITHUB_API_URL", "https://api.github.com");
        try (LocalStack stack = LocalStack.start(new LocalStack.Options(dataDir, null, endpoint,
                System.getenv("GITHUB_TOKEN")))) {
            Instant asked = stack.requestSync(request, "urn:prsentinel:local:cli");
            console.line("backfill of %s from %s requested; waiting", repo, endpoint);
            // No time limit: a first backfill of a big repository, or a rate-limit wait, takes long.
            Document state = stack.awaitSync(repo, asked, Duration.ofDays(365), () -> console.line(
                    "  still running: %,d PRs of %s stored so far",
                    stack.pullRequests().countByRepo().getOrDefault(repo, 0L), repo));
            stack.broker().awaitIdle(Duration.ofMinutes(1));
            console.line("backfill of %s: %s (%s); %s API calls; high-water mark %s", repo,
                    state.getString("last_status"), state.getString("last_detail"), state.get("api_calls_last_run"),
                    state.getDate("high_water_mark"));
            console.line("store now holds %,d PRs of %s", stack.pullRequests().countByRepo().getOrDefault(repo, 0L),
                    repo);
            if (!"complete".equals(state.getString("last_status"))) {
                return 1;
            }
            if (options.containsKey("train")) {
                return Train.run(stack, dataDir, console);
            }
            console.line("next: ./prsentinel train   (or sync with --train)");
            return 0;
        }
    }

    private static int report(Map<String, String> options, Path dataDir, Console console) throws Exception {
        Path out = Path.of(options.getOrDefault("out", dataDir.resolve("report.html").toString()));
        Map<String, SyntheticPullRequests.Kind> kinds = new HashMap<>();
        Path anomalies = dataDir.resolve(Demo.ANOMALIES_FILE);
        if (Files.isRegularFile(anomalies)) {
            for (JsonNode a : Json.mapper().readTree(anomalies.toFile())) {
                kinds.put(PullRequest.key(a.get("repo").asText(), a.get("number").asInt()),
                        SyntheticPullRequests.Kind.valueOf(a.get("kind").asText()));
            }
        }
        try (LocalStack stack = LocalStack.start(new LocalStack.Options(dataDir, null, "http://127.0.0.1:9", null))) {
            Scoring.Result r = Scoring.run(stack, kinds, out, Duration.ofSeconds(20));
            Scoring.print(r, kinds, console);
            return r.model() == null ? 1 : 0;
        }
    }

    /**
     * Reads the model straight from the data directory's tracking store (or MODEL_DIR,
     * MLFLOW_TRACKING_URI): nothing else of the runtime is started.
     */
    private static int scoreFile(List<String> positional, Map<String, String> options, Path dataDir,
            Console console) throws IOException {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (options.containsKey("model-version")) {
            env.put("MODEL_VERSION", options.get("model-version"));
        }
        String[] args = positional.toArray(String[]::new);
        if (env.get("MODEL_DIR") != null || env.get("MLFLOW_TRACKING_URI") != null || positional.size() != 2) {
            return ScoreFile.run(args, env, console);
        }
        java.util.Optional<TrackingChoice> tracking = TrackingChoice.existing(dataDir, env);
        if (tracking.isEmpty()) {
            console.line("no model has been trained in %s yet: import or sync PRs, then run `prsentinel train`"
                    + " (or `prsentinel import FILE --train`)", dataDir.toAbsolutePath());
            return 1;
        }
        try (TrackingChoice t = tracking.get()) {
            env.put("MLFLOW_TRACKING_URI", t.uri());
            env.putIfAbsent("MODEL_CACHE_DIR", dataDir.resolve("model-cache").toAbsolutePath().toString());
            return ScoreFile.run(args, env, console);
        }
    }
}
