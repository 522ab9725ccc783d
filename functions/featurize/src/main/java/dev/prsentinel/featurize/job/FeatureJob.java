package dev.prsentinel.featurize.job;

import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.features.FeatureStatistics;
import dev.prsentinel.core.features.RepositoryNorms;
import dev.prsentinel.core.features.RobustScaler;
import dev.prsentinel.core.store.PullRequestDocuments;
import dev.prsentinel.core.store.RepositoryNormsDocuments;
import dev.prsentinel.core.store.TrainingReference;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.bson.Document;

/**
 * The Spark job: stored PRs to a versioned feature set.
 *
 * <p>Input: the {@code pull_requests} collection, read in key ranges of {@code _id}, one Spark
 * partition each, by the MongoDB driver inside the executors. Not the MongoDB Spark connector:
 * its newest release (10.5.0) is built for Spark 3 and unproven on Spark 4, and key ranges need
 * nothing but the driver the functions already use (MongoDB serves them from the _id index).
 *
 * <p>Output, under {@code <output>/<id>/}: {@code features.parquet} (key, version time and the
 * current spec's raw features, NaN for missing inputs), and in the {@code feature_sets} collection
 * the set's record: spec version, rows, rejected documents, location, per-feature statistics, the
 * scaler fitted on this window, from spec v3 on the repository norms fitted on it
 * ({@code repository_norms}, also written beside the rows), the source window and created_at, and, once a
 * model has been trained,
 * {@code drift}: the rows counted into the training set's bins ({@link TrainingReference}), which
 * train-trigger's drift rule compares with the training set's own counts. The id is derived from the spec
 * version and the input snapshot (count, newest version and newest ingest time of the PRs in the
 * window), so the same input gives the same id, and a second submission finds the set and
 * computes nothing.
 *
 * <p>Statistics and the scaler are computed on the driver from the collected feature rows, by the
 * same core code the score function uses: about 250 bytes a row, comfortable up to a few million.
 */
public final class FeatureJob {

    /**
     * A set "building" for longer than featurize's lease (FeaturizeApplication: 1 h) has no live job:
     * the lease that job ran under has expired.
     */
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FeatureJob.class);
    static final Duration ABANDONED_AFTER = Duration.ofHours(1);

    public static final String COLLECTION = "feature_sets";
    private static final int MAX_REJECTIONS = 10;

    /**
     * Settings.
     *
     * @param mongoUri   the store
     * @param database   its database
     * @param output     base location (a directory, or s3a://bucket/prefix in a cluster)
     * @param windowEnd  PRs observed up to this time are included
     * @param partitions key ranges to read in parallel
     */
    public record Options(String mongoUri, String database, String output, Instant windowEnd, int partitions) {
    }

    private FeatureJob() {
    }

    /** Runs the job on the given session; the session is the caller's to stop. */
    public static FeatureSetResult run(SparkSession spark, Options options, Clock clock) {
        try (MongoClient client = MongoClients.create(options.mongoUri())) {
            MongoDatabase db = client.getDatabase(options.database());
            MongoCollection<Document> prs = db.getCollection(PullRequestDocuments.COLLECTION);
            MongoCollection<Document> sets = db.getCollection(COLLECTION);
            Date windowEnd = Date.from(options.windowEnd());
            Document snapshot = prs.aggregate(List.of(Aggregates.match(Filters.lte("observed_at", windowEnd)),
                    Aggregates.group(null, Accumulators.sum("count", 1L), Accumulators.max("newest", "$observed_at"),
                            Accumulators.max("ingested", "$ingested_at")))).first();
            long count = snapshot == null ? 0 : ((Number) snapshot.get("count")).longValue();
            String id = featureSetId(count, snapshot == null ? null : snapshot.getDate("newest"),
                    snapshot == null ? null : snapshot.getDate("ingested"));
            String location = options.output().replaceAll("/+$", "") + "/" + id;

            Document existing = sets.find(Filters.eq("_id", id)).first();
            if (existing != null && "ready".equals(existing.getString("status"))) {
                return fromRecord(existing);
            }
            if (!claim(sets, id, existing, clock)) {
                throw new IllegalStateException("feature set " + id + " is being built by another job");
            }
            try {
                FeatureSetResult result = build(spark, options, prs, id, location, count,
                        TrainingReference.read(db).orElse(null), clock);
                sets.updateOne(Filters.eq("_id", id), Updates.combine(
                        Updates.set("status", "ready"),
                        Updates.set("spec_version", FeatureRows.SPEC.version()),
                        Updates.set("features", FeatureRows.SPEC.names()),
                        Updates.set("rows", result.rows()),
                        Updates.set("rejected", result.rejected()),
                        Updates.set("rejections", result.rejections()),
                        Updates.set("location", location),
                        Updates.set("statistics", result.statistics().stream().map(FeatureJob::toDocument).toList()),
                        Updates.set("scaler", scalerDocument(result.scaler())),
                        Updates.set(RepositoryNormsDocuments.FIELD, result.norms() == null ? null
                                : RepositoryNormsDocuments.toDocument(result.norms())),
                        Updates.set("drift", result.drift() == null ? null
                                : new Document("reference_set_id", result.drift().referenceSetId())
                                        .append("bin_counts", new Document(new LinkedHashMap<>(
                                                result.drift().binCounts())))),
                        Updates.set("source_window", new Document("to", windowEnd).append("prs", count)
                                .append("newest_version", snapshot == null ? null : snapshot.getDate("newest"))),
                        Updates.set("created_at", Date.from(clock.instant()))));
                return result;
            } catch (RuntimeException e) {
                sets.updateOne(Filters.eq("_id", id), Updates.combine(Updates.set("status", "failed"),
                        Updates.set("reason", String.valueOf(e.getMessage()))));
                throw e;
            }
        }
    }

    /**
     * The id: a hash of what determines the content, prefixed with the spec version. The window's end
     * is not in it: a later end over the same PRs is the same input, and must not make a second set.
     */
    static String featureSetId(long count, Date newestVersion, Date newestIngest) {
        String content = "spec=" + FeatureRows.SPEC.version() + "\ncount=" + count + "\nnewest="
                + (newestVersion == null ? "" : newestVersion.toInstant()) + "\ningested="
                + (newestIngest == null ? "" : newestIngest.toInstant());
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
            return "fs-v" + FeatureRows.SPEC.version() + "-" + HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Takes the id for this job: a new record, a failed one retried, or one still "building" since
     * before {@link #ABANDONED_AFTER}, whose job died without a word (a killed driver pod). False when
     * another job holds it.
     */
    private static boolean claim(MongoCollection<Document> sets, String id, Document existing, Clock clock) {
        if (existing != null) {
            Date started = existing.getDate("started_at");
            boolean abandoned = "building".equals(existing.getString("status")) && started != null
                    && started.toInstant().isBefore(clock.instant().minus(ABANDONED_AFTER));
            if (abandoned) {
                LOG.warn("feature set {} was left building since {} by a job that died: taking it over", id,
                        started.toInstant());
                return sets.updateOne(Filters.and(Filters.eq("_id", id), Filters.eq("status", "building"),
                        Filters.eq("started_at", started)), Updates.set("started_at", Date.from(clock.instant())))
                        .getModifiedCount() == 1;
            }
            return "failed".equals(existing.getString("status")) && sets.updateOne(
                    Filters.and(Filters.eq("_id", id), Filters.eq("status", "failed")),
                    Updates.combine(Updates.set("status", "building"),
                            Updates.set("started_at", Date.from(clock.instant())))).getModifiedCount() == 1;
        }
        try {
            sets.insertOne(new Document("_id", id).append("status", "building")
                    .append("started_at", Date.from(clock.instant())));
            return true;
        } catch (MongoWriteException e) {
            return false;
        }
    }

    private static FeatureSetResult build(SparkSession spark, Options options, MongoCollection<Document> prs,
            String id, String location, long count, TrainingReference reference, Clock clock) {
        List<KeyRange> ranges = keyRanges(prs, options.partitions());
        String uri = options.mongoUri();
        String database = options.database();
        Date windowEnd = Date.from(options.windowEnd());
        // One partition per key range; each executor reads its range with the MongoDB driver.
        JavaRDD<Row> read = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(ranges, Math.max(1, ranges.size()))
                .mapPartitions(it -> {
                    List<Row> out = new ArrayList<>();
                    while (it.hasNext()) {
                        FeatureRows.read(uri, database, it.next(), windowEnd).forEachRemaining(out::add);
                    }
                    return out.iterator();
                });
        Dataset<Row> all = spark.createDataFrame(read, FeatureRows.SCHEMA).cache();
        try {
            Dataset<Row> errors = all.filter(functions.col("error").isNotNull());
            long rejected = errors.count();
            List<String> rejections = errors.select("error").limit(MAX_REJECTIONS).collectAsList().stream()
                    .map(r -> r.getString(0)).toList();
            // The rows hold the features of the PR alone; a spec that reads PRs against their
            // repository's norms gets them fitted here, on the whole window, then every row is
            // completed with them: on the driver for the statistics and the scaler, in the executors
            // for the Parquet rows, by the same spec code score runs.
            Dataset<Row> valid = all.filter(functions.col("error").isNull()).drop("error");
            List<Row> collected = valid.collectAsList();
            double[][] rows = new double[collected.size()][];
            String[] repos = new String[rows.length];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = FeatureRows.features(collected.get(i));
                repos[i] = collected.get(i).getString(collected.get(i).fieldIndex("repo"));
            }
            RepositoryNorms norms = FeatureRows.SPEC.fitNorms(repos, rows);
            Dataset<Row> complete = valid;
            if (norms != null) {
                for (int i = 0; i < rows.length; i++) {
                    FeatureRows.SPEC.relate(repos[i], norms, rows[i]);
                }
                complete = spark.createDataFrame(valid.javaRDD().map(r -> FeatureRows.relate(r, norms)),
                        valid.schema());
            }
            complete.write().mode(SaveMode.Overwrite).parquet(location + "/features.parquet");
            List<FeatureStatistics> statistics = new ArrayList<>();
            for (int j = 0; j < FeatureRows.SPEC.size(); j++) {
                statistics.add(FeatureStatistics.of(FeatureRows.SPEC.features().get(j).name(), rows, j));
            }
            RobustScaler scaler = RobustScaler.fit(FeatureRows.SPEC, rows);
            writeJson(spark, location + "/scaler.json", scalerDocument(scaler));
            if (norms != null) {
                writeJson(spark, location + "/repository_norms.json", RepositoryNormsDocuments.toDocument(norms));
            }
            FeatureSetResult.DriftCounts drift = reference == null ? null
                    : new FeatureSetResult.DriftCounts(reference.featureSetId(),
                            reference.recount(FeatureRows.SPEC, rows));
            return new FeatureSetResult(id, false, rows.length, rejected, rejections, location, options.windowEnd(),
                    statistics, scaler, norms, drift);
        } finally {
            all.unpersist();
        }
    }

    /** Splits the key space into about {@code partitions} ranges of equal size, from the sorted ids. */
    static List<KeyRange> keyRanges(MongoCollection<Document> prs, int partitions) {
        List<String> ids = new ArrayList<>();
        prs.find().projection(Projections.include("_id")).sort(Sorts.ascending("_id")).batchSize(FeatureRows.BATCH * 10)
                .forEach(d -> ids.add(d.get("_id").toString()));
        List<KeyRange> ranges = new ArrayList<>();
        int n = Math.max(1, Math.min(partitions, ids.size()));
        String from = null;
        for (int p = 1; p < n; p++) {
            String to = ids.get(p * ids.size() / n);
            ranges.add(new KeyRange(from, to));
            from = to;
        }
        ranges.add(new KeyRange(from, null));
        return ranges;
    }

    private static Document scalerDocument(RobustScaler scaler) {
        return new Document("spec_version", scaler.specVersion())
                .append("features", FeatureSpecs.require(scaler.specVersion()).names())
                .append("center", Arrays.stream(scaler.center()).boxed().toList())
                .append("scale", Arrays.stream(scaler.scale()).boxed().toList());
    }

    /** Writes a document beside the features, as JSON, through Spark so any of its file systems works. */
    private static void writeJson(SparkSession spark, String path, Document document) {
        spark.createDataset(List.of(document.toJson()), Encoders.STRING()).coalesce(1).write()
                .mode(SaveMode.Overwrite).text(path);
    }

    static Document toDocument(FeatureStatistics s) {
        return new Document("name", s.name()).append("count", s.count()).append("missing", s.missing())
                .append("mean", s.mean()).append("std", s.std()).append("quantile_levels", s.quantileLevels())
                .append("quantiles", s.quantiles()).append("bin_edges", s.binEdges())
                .append("bin_counts", s.binCounts());
    }

    @SuppressWarnings("unchecked")
    private static FeatureSetResult fromRecord(Document d) {
        List<FeatureStatistics> statistics = new ArrayList<>();
        for (Document s : (List<Document>) d.get("statistics")) {
            statistics.add(new FeatureStatistics(s.getString("name"), ((Number) s.get("count")).longValue(),
                    ((Number) s.get("missing")).longValue(), s.getDouble("mean"), s.getDouble("std"),
                    (List<Double>) s.get("quantile_levels"), (List<Double>) s.get("quantiles"),
                    (List<Double>) s.get("bin_edges"),
                    ((List<Number>) s.get("bin_counts")).stream().map(Number::longValue).toList()));
        }
        Document scaler = d.get("scaler", Document.class);
        return new FeatureSetResult(d.getString("_id"), true, ((Number) d.get("rows")).longValue(),
                ((Number) d.get("rejected")).longValue(), (List<String>) d.get("rejections"),
                d.getString("location"), d.get("source_window", Document.class).getDate("to").toInstant(),
                statistics, new RobustScaler(scaler.getInteger("spec_version"),
                        ((List<Double>) scaler.get("center")).stream().mapToDouble(Double::doubleValue).toArray(),
                        ((List<Double>) scaler.get("scale")).stream().mapToDouble(Double::doubleValue).toArray()),
                RepositoryNormsDocuments.fromRecord(d), drift(d.get("drift", Document.class)));
    }

    private static FeatureSetResult.DriftCounts drift(Document d) {
        if (d == null) {
            return null;
        }
        return new FeatureSetResult.DriftCounts(d.getString("reference_set_id"),
                TrainingReference.countsFrom(d.get("bin_counts", Document.class)));
    }
}
