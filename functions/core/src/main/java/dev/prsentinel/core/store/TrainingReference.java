package dev.prsentinel.core.store;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import dev.prsentinel.core.features.Drift;
import dev.prsentinel.core.features.FeatureSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bson.Document;

/**
 * The feature set the last training used, with each feature's histogram (edges and counts): the
 * reference drift is measured against. train-trigger writes it when a training ends; featurize
 * recounts every new set's values into these bins ({@link #recount}) and stores the counts with
 * the set, so the policy compares like with like (population stability index needs the same bins
 * on both sides, and a set's own bins follow its own range).
 *
 * @param featureSetId the set trained on
 * @param rows         its rows
 * @param trainedAt    when the training ended
 * @param binEdges     histogram edges by feature
 * @param binCounts    histogram counts by feature
 */
public record TrainingReference(String featureSetId, long rows, Instant trainedAt, Map<String, List<Double>> binEdges,
        Map<String, List<Long>> binCounts) {

    public static final String COLLECTION = "training_state";
    static final String ID = "reference";

    public TrainingReference {
        binEdges = Map.copyOf(binEdges);
        binCounts = Map.copyOf(binCounts);
    }

    public static Optional<TrainingReference> read(MongoDatabase db) {
        Document d = db.getCollection(COLLECTION).find(Filters.eq("_id", ID)).first();
        if (d == null) {
            return Optional.empty();
        }
        return Optional.of(fromStatistics(d.getString("feature_set_id"), ((Number) d.get("rows")).longValue(),
                d.getDate("trained_at").toInstant(), d.getList("features", Document.class)));
    }

    /**
     * A reference from per-feature documents with {@code name}, {@code bin_edges} and
     * {@code bin_counts}: the shape of a feature set's stored statistics, and of this record.
     */
    public static TrainingReference fromStatistics(String featureSetId, long rows, Instant trainedAt,
            List<Document> statistics) {
        Map<String, List<Double>> edges = new LinkedHashMap<>();
        Map<String, List<Long>> counts = new LinkedHashMap<>();
        for (Document f : statistics) {
            edges.put(f.getString("name"), f.getList("bin_edges", Number.class).stream()
                    .map(Number::doubleValue).toList());
            counts.put(f.getString("name"), f.getList("bin_counts", Number.class).stream()
                    .map(Number::longValue).toList());
        }
        return new TrainingReference(featureSetId, rows, trainedAt, edges, counts);
    }

    /** Counts by feature as a feature set's {@code drift.bin_counts} stores them (see {@link #recount}). */
    public static Map<String, List<Long>> countsFrom(Document binCounts) {
        Map<String, List<Long>> counts = new LinkedHashMap<>();
        binCounts.forEach((name, v) -> counts.put(name, ((List<?>) v).stream().map(n -> ((Number) n).longValue())
                .toList()));
        return counts;
    }

    /** Makes this the reference (the last write wins: trainings end one at a time). */
    public void write(MongoDatabase db) {
        List<Document> features = new ArrayList<>();
        binEdges.forEach((name, e) -> features.add(new Document("name", name).append("bin_edges", e)
                .append("bin_counts", binCounts.get(name))));
        db.getCollection(COLLECTION).replaceOne(Filters.eq("_id", ID), new Document("_id", ID)
                .append("feature_set_id", featureSetId).append("rows", rows)
                .append("trained_at", Date.from(trainedAt)).append("features", features),
                new ReplaceOptions().upsert(true));
    }

    /**
     * Raw feature rows of a spec counted into this reference's bins, by feature: the features both
     * the rows' spec and the reference have (a reference from an older spec shares most of them).
     */
    public Map<String, List<Long>> recount(FeatureSpec spec, double[][] rows) {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        double[] column = new double[rows.length];
        for (int j = 0; j < spec.size(); j++) {
            String name = spec.features().get(j).name();
            List<Double> edges = binEdges.get(name);
            if (edges == null) {
                continue;
            }
            for (int i = 0; i < rows.length; i++) {
                column[i] = rows[i][j];
            }
            out.put(name, Drift.recount(edges, column));
        }
        return out;
    }
}
