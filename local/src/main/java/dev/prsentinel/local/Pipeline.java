package dev.prsentinel.local;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import dev.prsentinel.core.cli.Console;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bson.Document;

/**
 * Waiting on the pipeline by its own records and events, for the commands that drive it (demo,
 * train): a feature set of every stored PR, then the training of that set. Neither waits for a
 * quiet moment: a busy machine only makes them wait longer.
 */
public final class Pipeline {

    private Pipeline() {
    }

    /**
     * Waits until featurize has settled (no job running, nothing in flight) and its newest set covers
     * every stored PR; sets are built while PRs arrive, and the last one catches up.
     *
     * @return the set, or null when none covered every PR within {@code timeout}
     */
    public static Document awaitFeatureSet(LocalStack stack, Console console, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextReport = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long stored = stack.pullRequests().count();
        long nextPing = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (System.nanoTime() < deadline) {
            Document newest = stack.store().client().getDatabase(stack.store().settings().database())
                    .getCollection("feature_sets").find(Filters.eq("status", "ready"))
                    .sort(Sorts.descending("created_at")).first();
            boolean covers = newest != null && ((Number) newest.get("rows")).longValue()
                    + ((Number) newest.get("rejected")).longValue() == stored;
            if (covers && !stack.featureJobRunning() && stack.broker().awaitIdle(Duration.ZERO)) {
                return newest;
            }
            if (!covers && !stack.featureJobRunning() && stack.broker().awaitIdle(Duration.ZERO)
                    && System.nanoTime() > nextPing) {
                // Nothing new arrives to set featurize off (a rerun after a run that was killed before
                // its set was built, or PRs imported with no event): what the cluster's PingSource does
                // every six hours, now.
                nextPing = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                stack.pingFeaturize();
            }
            if (System.nanoTime() > nextReport) {
                nextReport += Duration.ofSeconds(10).toNanos();
                console.line("  featurize: waiting for a feature set of all %,d PRs (Spark job %s)", stored,
                        stack.featureJobRunning() ? "running" : "due");
            }
            Thread.sleep(200);
        }
        return null;
    }

    /**
     * Waits for the outcome of the training of {@code setId}: its model.trained or train.failed
     * event (collected by the caller's broker listener into {@code outcomes}), or train-trigger's
     * record of it, when that record ended after {@code after} (null: any record, as when an earlier
     * run trained the set). A set with no training, none running and nothing in flight is announced
     * again: its announcement was handled by a run killed before the training was recorded. Then
     * lets the outcome's own events (candidate or rejected, the re-check of the newest set) settle,
     * and returns the record of every set, oldest first.
     *
     * @param tick called about five times a second while waiting, to show progress; null: a line
     *             every ten seconds says the training still runs
     */
    public static List<Document> awaitTraining(LocalStack stack, Console console, Set<String> outcomes, String setId,
            Instant after, Duration timeout, Runnable tick) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextReport = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        var state = stack.store().client().getDatabase(stack.store().settings().database())
                .getCollection("training_state");
        long nextNudge = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            if (outcomes.contains(setId)) {
                break;
            }
            Document record = state.find(Filters.eq("_id", "set:" + setId)).first();
            boolean ended = record != null && List.of("trained", "failed").contains(record.getString("status"));
            if (ended && (after == null || (record.getDate("ended_at") != null
                    && record.getDate("ended_at").toInstant().isAfter(after)))) {
                break;
            }
            boolean unclaimed = record == null || (after != null && ended);
            if (unclaimed && !stack.trainingRunning() && stack.broker().awaitIdle(Duration.ZERO)
                    && System.nanoTime() > nextNudge) {
                nextNudge = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                Document set = stack.store().client().getDatabase(stack.store().settings().database())
                        .getCollection("feature_sets").find(Filters.eq("_id", setId)).first();
                if (set != null) {
                    stack.announceFeatureSet(set);
                }
            }
            if (tick != null) {
                tick.run();
            } else if (System.nanoTime() > nextReport) {
                nextReport += Duration.ofSeconds(10).toNanos();
                console.line("  train-trigger: training on %s (DJL, in a child JVM; logs in training-logs/)", setId);
            }
            Thread.sleep(200);
        }
        stack.broker().awaitIdle(Duration.ofMinutes(2));
        List<Document> out = new ArrayList<>();
        state.find(Filters.regex("_id", "^set:")).sort(Sorts.ascending("ended_at")).forEach(out::add);
        return out;
    }
}
