package dev.prsentinel.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prsentinel.core.cli.Console;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.events.Events;
import dev.prsentinel.core.tracking.Tracking;
import dev.prsentinel.local.broker.LocalBroker;
import dev.prsentinel.train.TrainState;
import dev.prsentinel.train.TrainingRun;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bson.Document;

/**
 * {@code prsentinel train}: what is in the store, through the path the cluster runs. featurize is
 * pinged as its PingSource would (a Spark job builds a feature set of every stored PR), its
 * features.ready reaches train-trigger by knative/'s Trigger (a DJL training in a child JVM,
 * tracked, registered, gated), and a candidate reaches the blue/green promoter. Nothing here
 * trains: it asks, waits on the pipeline's events and records, and shows their progress.
 */
public final class Train {

    /** A feature set of hundreds of thousands of PRs, then its training, take long on a laptop. */
    private static final Duration FEATURES_TIMEOUT = Duration.ofHours(6);
    private static final Duration TRAINING_TIMEOUT = Duration.ofHours(6);

    private Train() {
    }

    /**
     * Runs the command on a started runtime.
     *
     * @return the exit code: 0 with a registered model (or one the gate rejected, said why), 1 when
     *         no set or no training finished, 2 when the store is empty
     */
    public static int run(LocalStack stack, Path dataDir, Console console) throws InterruptedException {
        long stored = stack.pullRequests().count();
        if (stored == 0) {
            console.line("the store in %s holds no PRs: run `prsentinel import FILE` or `prsentinel sync --repo"
                    + " owner/name` first", dataDir.toAbsolutePath());
            return 2;
        }
        console.line("store: %,d PRs in %,d repositories; training runs tracked in %s", stored,
                stack.pullRequests().countByRepo().size(), stack.trackingDescription());
        Map<String, JsonNode> outcomes = new ConcurrentHashMap<>();
        try (LocalBroker.Subscription listening = stack.broker().listen(event -> {
            if (EventTypes.MODEL_TRAINED.equals(event.getType()) || EventTypes.TRAIN_FAILED.equals(event.getType())) {
                JsonNode data = Events.dataTree(event);
                outcomes.put(data.path("feature_set_id").asText(), data);
            }
        })) {
            console.line("featurize: a feature set of every stored PR (Spark, local mode, in a child JVM; logs in %s)",
                    dataDir.resolve("features").resolve("logs").toAbsolutePath());
            stack.pingFeaturize();
            Document set = Pipeline.awaitFeatureSet(stack, console, FEATURES_TIMEOUT);
            if (set == null) {
                console.line("no feature set of all %,d PRs within %s; see the logs above", stored, FEATURES_TIMEOUT);
                return 1;
            }
            String setId = set.getString("_id");
            console.line("feature set %s (spec v%d): %,d PRs read, %,d rows, %,d rejected, at %s", setId,
                    ((Number) set.get("spec_version")).intValue(), ((Number) set.get("rows")).longValue()
                            + ((Number) set.get("rejected")).longValue(), ((Number) set.get("rows")).longValue(),
                    ((Number) set.get("rejected")).longValue(), set.getString("location"));
            TrainState trainings = new TrainState(stack.store().client().getDatabase(
                    stack.store().settings().database()));
            Document before = trainings.record(setId);
            Instant after = null;
            if (before != null && "trained".equals(before.getString("status"))) {
                console.line("train-trigger: %s was trained already (run %s); nothing new to train on", setId,
                        before.getString("run_id"));
            } else {
                if (before != null && "failed".equals(before.getString("status"))) {
                    // A failed training may be claimed again: ask for it once more.
                    console.line("train-trigger: the last training of %s failed (%s); training it again", setId,
                            before.getString("reason"));
                    after = Instant.now();
                    stack.announceFeatureSet(set);
                }
                Path log = dataDir.resolve("training-logs").resolve("train-" + setId + ".log");
                console.line("train-trigger: training on %s (DJL autoencoder, in a child JVM; log %s)", setId,
                        log.toAbsolutePath());
                EpochTail tail = new EpochTail(log, console);
                Pipeline.awaitTraining(stack, console, outcomes.keySet(), setId, after, TRAINING_TIMEOUT, tail::poll);
                tail.poll();
            }
            return outcome(stack, trainings.record(setId), outcomes.get(setId), dataDir, console);
        }
    }

    private static int outcome(LocalStack stack, Document record, JsonNode event, Path dataDir, Console console)
            throws InterruptedException {
        if (record == null || !"trained".equals(record.getString("status"))) {
            console.line("training did not finish%s; see %s",
                    record == null || record.getString("reason") == null ? "" : ": " + record.getString("reason"),
                    dataDir.resolve("training-logs").toAbsolutePath());
            return 1;
        }
        Tracking tracking = stack.tracking();
        String link = tracking.link(tracking.run(record.getString("run_id")));
        if (record.getString("model_version") == null) {
            console.line("the gate rejected the model of run %s%s; the champion stays", link,
                    event == null ? "" : ": " + reasons(event.path("reasons")));
        } else {
            console.line("registered %s version %s, alias %s (run %s)", Tracking.MODEL_NAME,
                    record.getString("model_version"), record.getString("alias"), link);
        }
        // A challenger is a candidate: the promoter rolls it out through its gates, as in a cluster.
        if (!stack.bluegreen().awaitIdle(Duration.ofMinutes(30))) {
            console.line("bluegreen: a rollout is still running after 30 minutes");
        }
        console.line("%s", dev.prsentinel.bluegreen.Status.render("local", stack.scoreRoutes()).stripTrailing());
        console.line("");
        console.line("next:");
        console.line("  ./prsentinel score-file INPUT scores.csv   score a file of PRs with the champion");
        console.line("  ./prsentinel report                        every stored PR scored, as one HTML page");
        return 0;
    }

    private static String reasons(JsonNode reasons) {
        java.util.List<String> out = new java.util.ArrayList<>();
        reasons.forEach(r -> out.add(r.asText()));
        return out.isEmpty() ? "no reason given" : String.join("; ", out);
    }

    /** Shows the training's epochs as its log gets them (TrainingRun's marked lines). */
    private static final class EpochTail {
        private final Path log;
        private final Console console;
        private long offset;
        private final StringBuilder partial = new StringBuilder();

        EpochTail(Path log, Console console) {
            this.log = log;
            this.console = console;
            try {
                // Epochs of an earlier attempt in the same log are not this training's.
                this.offset = Files.isRegularFile(log) ? Files.size(log) : 0;
            } catch (IOException e) {
                this.offset = 0;
            }
        }

        void poll() {
            if (!Files.isRegularFile(log)) {
                return;
            }
            try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
                if (file.length() <= offset) {
                    return;
                }
                byte[] bytes = new byte[(int) Math.min(file.length() - offset, 1 << 20)];
                file.seek(offset);
                file.readFully(bytes);
                offset += bytes.length;
                partial.append(new String(bytes, StandardCharsets.UTF_8));
            } catch (IOException e) {
                return;
            }
            int nl;
            while ((nl = partial.indexOf("\n")) >= 0) {
                String line = partial.substring(0, nl);
                partial.delete(0, nl + 1);
                int at = line.indexOf(TrainingRun.EPOCH_LOG_MARKER + " ");
                if (at >= 0) {
                    console.line("  epoch %s", line.substring(at + TrainingRun.EPOCH_LOG_MARKER.length() + 1));
                } else if (line.contains("TrainingRun") && line.contains("training on ")) {
                    console.line("  %s", line.substring(line.indexOf("training on ")));
                }
            }
        }
    }
}
