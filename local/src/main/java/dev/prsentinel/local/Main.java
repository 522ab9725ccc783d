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
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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
              demo [--prs N] [--seed S] [--vault] [--exit]
                                            synthetic PRs through the broker into the store, then a summary;
                                            MLflow's UI stays up until Enter is pressed (--exit: stop at once);
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
              mlflow                        MLflow's UI on the data directory's runs and models, on the port
                                            the run links name (5055, or PRSENTINEL_MLFLOW_PORT), until Enter
              score-file INPUT OUTPUT [--model-version V]
                                            a file of PRs (.jsonl or pullreqs .csv, .gz too) scored into a CSV,
                                            one row per input record (its line and own id, the key, scored or
                                            rejected with the reason), by the champion of the data directory's
                                            registry or version V (or MODEL_DIR / MLFLOW_TRACKING_URI when set)
            common options:
              --data-dir DIR                where the embedded store and dead letters live (default .prsentinel)
              --no-mlflow                   track runs in DATA-DIR/mlruns, not in a real MLflow server (which the
                                            commands that train start, on DATA-DIR/mlflow)
            """;
    /** The options that take no value. */
    private static final java.util.Set<String> FLAGS = java.util.Set.of("--vault", "--train", "--no-mlflow",
            "--exit");

    private Main() {
    }

    public static void main(String[] args) {
        dev.prsentinel.local.bluegreen.LocalRouter.noDelay();
        System.exit(run(args, Console.system()));
    }

    /** Runs a command, reading Enter from the standard input; returns the exit code. */
    public static int run(String[] args, Console console) {
        return run(args, console, System.in);
    }

    /** Runs a command; {@code in} is where Enter is read from. Returns the exit code. */
    public static int run(String[] args, Console console, InputStream in) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            console.line(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        Map<String, String> options = new HashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (FLAGS.contains(args[i])) {
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
                case "demo" -> demo(options, dataDir, console, in);
                case "import" -> {
                    int imported = importFile(positional, dataDir, console);
                    yield imported != 0 || !options.containsKey("train") ? imported : train(options, dataDir, console);
                }
                case "train" -> train(options, dataDir, console);
                case "sync" -> sync(options, dataDir, console);
                case "report" -> report(options, dataDir, console);
                case "mlflow" -> mlflow(dataDir, console, in);
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

    private static int demo(Map<String, String> options, Path dataDir, Console console, InputStream in)
            throws Exception {
        Instant start = Instant.now();
        int prs = Integer.parseInt(options.getOrDefault("prs", String.valueOf(SyntheticPullRequests.DEMO_PRS)));
        long seed = Long.parseLong(options.getOrDefault("seed", String.valueOf(SyntheticPullRequests.DEMO_SEED)));
        try (TrackingChoice tracking = tracking(options, dataDir)) {
            Demo.Result result = Demo.run(new Demo.Options(prs, seed, dataDir, options.containsKey("vault"), tracking),
                    console);
            Demo.print(result, dataDir, console);
            console.line("done in %.1f s", Duration.between(start, Instant.now()).toMillis() / 1000.0);
            if (!options.containsKey("exit")) {
                holdUi(tracking, console, in);
            }
            return "complete".equals(result.syncStatus()) ? 0 : 1;
        }
    }

    /** A real MLflow server for a command that trains, unless --no-mlflow (or MLFLOW_TRACKING_URI) says otherwise. */
    private static TrackingChoice tracking(Map<String, String> options, Path dataDir) throws IOException {
        return TrackingChoice.choose(dataDir, System.getenv(), options.containsKey("no-mlflow")
                ? TrackingChoice.Mode.OFF : TrackingChoice.Mode.REQUIRED);
    }

    /** Keeps MLflow's UI up until Enter (or the end of the input, when there is no terminal to press it on). */
    private static void holdUi(TrackingChoice tracking, Console console, InputStream in) throws IOException {
        if (tracking.ui().isEmpty()) {
            return;
        }
        console.line("MLflow UI: %s  (the runs with their metrics, the registered models and aliases)",
                tracking.ui().get());
        console.line("press Enter to stop it (or run with --exit)");
        String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        console.line(line == null ? "no more input: MLflow stopped" : "MLflow stopped");
    }

    private static int mlflow(Path dataDir, Console console, InputStream in) throws IOException {
        if (!Files.isRegularFile(dataDir.resolve("mlflow").resolve("mlflow.db"))) {
            console.line("nothing has been tracked in %s's MLflow store yet: the UI starts empty (train first:"
                    + " `prsentinel demo`, or `prsentinel import FILE --train`)", dataDir.toAbsolutePath());
        }
        try (TrackingChoice ui = TrackingChoice.ui(dataDir, System.getenv())) {
            console.line("%s", ui.description());
            holdUi(ui, console, in);
        }
        return 0;
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

    private static int train(Map<String, String> options, Path dataDir, Console console) throws Exception {
        Instant start = Instant.now();
        try (TrackingChoice tracking = tracking(options, dataDir);
                LocalStack stack = LocalStack.start(new LocalStack.Options(dataDir, null, "http://127.0.0.1:9", null,
                        false, tracking))) {
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
        try (TrackingChoice tracking = tracking(options, dataDir);
                LocalStack stack = LocalStack.start(new LocalStack.Options(dataDir, null, endpoint,
                        System.getenv("GITHUB_TOKEN"), false, tracking))) {
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
        // The models are read where the trainings put them: MLflow's store, or the runs directory of
        // --no-mlflow; with neither, the report says nothing was trained.
        java.util.Optional<TrackingChoice> existing = TrackingChoice.existing(dataDir, System.getenv());
        try (TrackingChoice tracking = existing.isPresent() ? existing.get()
                : TrackingChoice.choose(dataDir, System.getenv(), TrackingChoice.Mode.OFF);
                LocalStack stack = LocalStack.start(new LocalStack.Options(dataDir, null, "http://127.0.0.1:9", null,
                        false, tracking))) {
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
