package dev.prsentinel.train;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import dev.prsentinel.core.http.EventSink;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.events.Events;
import dev.prsentinel.core.events.ModelTrained;
import dev.prsentinel.core.events.TrainFailed;
import dev.prsentinel.core.features.FeatureSpec;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.features.RobustScaler;
import dev.prsentinel.core.store.RepositoryNormsDocuments;
import dev.prsentinel.core.store.TrainingReference;
import io.cloudevents.CloudEvent;
import java.time.Clock;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training on one feature set, as the train-trigger function runs it (a Kubernetes Job in the
 * cluster, a child JVM locally): reads the set's record from {@code feature_sets} (its scaler, and
 * from spec v3 on its repository norms, which the model package carries) and
 * its Parquet rows, splits them by time (oldest 80% train, next 10% validation for early stopping
 * and the threshold, newest 10% held out for the gate), trains and tracks with {@link TrainingRun},
 * and posts model.trained, then model.candidate or model.rejected, or train.failed, to the sink.
 * It records the end in {@link TrainState}, and a trained set becomes the drift reference.
 * Event ids derive from the feature set, so a rerun repeats them.
 */
public final class TrainingJob {

    static final String FUNCTION = "train-trigger";
    private static final Logger LOG = LoggerFactory.getLogger(TrainingJob.class);

    private final String mongoUri;
    private final String database;
    private final TrainingRun training;
    private final EventSink sink;
    private final Clock clock;

    public TrainingJob(String mongoUri, String database, TrainingRun training, EventSink sink, Clock clock) {
        this.mongoUri = mongoUri;
        this.database = database;
        this.training = training;
        this.sink = sink;
        this.clock = clock;
    }

    /** Trains on a set; returns the outcome, or empty when it failed (and train.failed was posted). */
    public Optional<TrainingRun.Outcome> run(SparkSession spark, String featureSetId,
            AutoencoderTrainer.Settings settings) {
        try {
            Document record;
            try (MongoClient client = MongoClients.create(mongoUri)) {
                record = client.getDatabase(database).getCollection("feature_sets")
                        .find(Filters.eq("_id", featureSetId)).first();
            }
            if (record == null || !"ready".equals(record.getString("status"))) {
                throw new IllegalArgumentException("feature set " + featureSetId + " does not exist or is not ready");
            }
            FeatureSpec spec = FeatureSpecs.of(record.getInteger("spec_version", -1)).orElseThrow(() ->
                    new IllegalArgumentException("feature set " + featureSetId + " has spec v"
                            + record.get("spec_version") + ", this build trains " + FeatureSpecs.known()));
            Document s = record.get("scaler", Document.class);
            @SuppressWarnings("unchecked")
            RobustScaler scaler = new RobustScaler(spec.version(),
                    ((List<Double>) s.get("center")).stream().mapToDouble(Double::doubleValue).toArray(),
                    ((List<Double>) s.get("scale")).stream().mapToDouble(Double::doubleValue).toArray());
            float[][] rows = load(spark, record.getString("location") + "/features.parquet", scaler);
            if (rows.length < 100) {
                throw new IllegalArgumentException("feature set " + featureSetId + " has " + rows.length
                        + " rows; at least 100 are needed to train, validate and hold out");
            }
            int trainEnd = (int) (rows.length * 0.8);
            int validationEnd = (int) (rows.length * 0.9);
            TrainingRun.Outcome outcome = training.execute(featureSetId,
                    Arrays.copyOfRange(rows, 0, trainEnd),
                    Arrays.copyOfRange(rows, trainEnd, validationEnd),
                    Arrays.copyOfRange(rows, validationEnd, rows.length), scaler,
                    RepositoryNormsDocuments.fromRecord(record), settings);
            ModelTrained data = new ModelTrained(featureSetId, outcome.runId(), outcome.version().orElse(null),
                    outcome.alias().orElse(null),
                    outcome.training().validationLoss().get(outcome.training().bestEpoch()),
                    outcome.verdict().challengerLoss(),
                    Double.isNaN(outcome.verdict().championLoss()) ? null : outcome.verdict().championLoss(),
                    outcome.training().model().threshold(), outcome.verdict().challengerFlagged(),
                    outcome.verdict().reasons());
            record(db -> {
                reference(record, featureSetId).write(db);
                new TrainState(db).trained(featureSetId, outcome.runId(), outcome.version().orElse(null),
                        outcome.alias().orElse(null), clock.instant());
            });
            sink.send(event(EventTypes.MODEL_TRAINED, featureSetId, data));
            sink.send(event(outcome.verdict().candidate() ? EventTypes.MODEL_CANDIDATE : EventTypes.MODEL_REJECTED,
                    featureSetId, data));
            return Optional.of(outcome);
        } catch (Exception e) {
            // Exception, not RuntimeException: Spark throws its checked SparkException from Scala
            // (an unreadable Parquet file, say), and that must end in train.failed as well.
            String reason = reason(e);
            try {
                record(db -> new TrainState(db).failed(featureSetId, reason, clock.instant()));
            } catch (RuntimeException stateFailure) {
                LOG.warn("could not record the failed training of {}: {}", featureSetId, stateFailure.toString());
            }
            sink.send(Events.create(Events.derivedId(EventTypes.TRAIN_FAILED, featureSetId, reason),
                    EventTypes.TRAIN_FAILED, TrainFailed.VERSION, FUNCTION, featureSetId,
                    new TrainFailed(featureSetId, reason), clock));
            return Optional.empty();
        }
    }

    /** A failure in one line for an event and a log: Spark's messages carry whole stack traces. */
    static String reason(Exception e) {
        String message = String.valueOf(e.getMessage()).strip();
        int nl = message.indexOf('\n');
        message = nl < 0 ? message : message.substring(0, nl);
        return e.getClass().getSimpleName() + ": " + (message.length() > 400 ? message.substring(0, 400) + "..."
                : message);
    }

    /** The set's histograms, which the next sets' drift is measured against. */
    private TrainingReference reference(Document record, String featureSetId) {
        return TrainingReference.fromStatistics(featureSetId, ((Number) record.get("rows")).longValue(),
                clock.instant(), record.getList("statistics", Document.class, List.of()));
    }

    /** Records the end of this training: the set's state, and the new drift reference when a model came out. */
    private void record(java.util.function.Consumer<MongoDatabase> write) {
        try (MongoClient client = MongoClients.create(mongoUri)) {
            write.accept(client.getDatabase(database));
        }
    }

    private CloudEvent event(String type, String featureSetId, ModelTrained data) {
        return Events.create(Events.derivedId(type, featureSetId), type, ModelTrained.VERSION, FUNCTION, featureSetId,
                data, clock);
    }

    /** The set's rows, oldest first, scaled with the set's own scaler. */
    static float[][] load(SparkSession spark, String parquet, RobustScaler scaler) {
        List<String> names = FeatureSpecs.require(scaler.specVersion()).names();
        List<Row> rows = spark.read().parquet(parquet).collectAsList().stream()
                .sorted(Comparator.comparing((Row r) -> r.getTimestamp(r.fieldIndex("observed_at")))
                        .thenComparing(r -> r.getString(r.fieldIndex("repo")))
                        .thenComparing(r -> r.getInt(r.fieldIndex("number"))))
                .toList();
        float[][] out = new float[rows.size()][];
        double[] raw = new double[names.size()];
        for (int i = 0; i < out.length; i++) {
            Row row = rows.get(i);
            for (int j = 0; j < raw.length; j++) {
                raw[j] = row.getDouble(row.fieldIndex(names.get(j)));
            }
            out[i] = scaler.transformToFloat(raw);
        }
        return out;
    }
}
