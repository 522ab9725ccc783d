package dev.prsentinel.featurize.job;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import dev.prsentinel.core.features.FeatureSpec;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.features.RepositoryNorms;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.store.PullRequestDocuments;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * What runs inside Spark: reads one key range of stored PRs with the MongoDB driver and turns
 * each into a row of the current spec's features with core's {@link FeatureSpec}, the same code the score
 * function runs for a single PR: first the PR's own features, then, once the job has fitted the
 * window's repository norms, the rest ({@link #relate}). A document that cannot be read becomes a row with an error and
 * no features, so it is counted and reported, never turned into zeros.
 */
public final class FeatureRows {

    /** The spec this build's feature sets are written in. */
    public static final FeatureSpec SPEC = FeatureSpecs.CURRENT;

    /** The feature set's columns: key, version time, error (null when fine), then the features. */
    public static final StructType SCHEMA = schema();

    /** Bounded reply sizes: the embedded store otherwise answers a whole range in one message. */
    static final int BATCH = 2000;

    private FeatureRows() {
    }

    private static StructType schema() {
        List<StructField> fields = new ArrayList<>();
        fields.add(DataTypes.createStructField("repo", DataTypes.StringType, true));
        fields.add(DataTypes.createStructField("number", DataTypes.IntegerType, true));
        fields.add(DataTypes.createStructField("observed_at", DataTypes.TimestampType, true));
        fields.add(DataTypes.createStructField("error", DataTypes.StringType, true));
        SPEC.features().forEach(f -> fields.add(DataTypes.createStructField(f.name(), DataTypes.DoubleType,
                true)));
        return DataTypes.createStructType(fields);
    }

    /** The rows of one key range, read within the window. */
    public static Iterator<Row> read(String uri, String database, KeyRange range, Date windowEnd) {
        List<Row> rows = new ArrayList<>();
        try (MongoClient client = MongoClients.create(uri)) {
            List<Bson> filters = new ArrayList<>();
            if (range.from() != null) {
                filters.add(Filters.gte("_id", range.from()));
            }
            if (range.to() != null) {
                filters.add(Filters.lt("_id", range.to()));
            }
            filters.add(Filters.lte("observed_at", windowEnd));
            for (Document d : client.getDatabase(database).getCollection(PullRequestDocuments.COLLECTION)
                    .find(Filters.and(filters)).batchSize(BATCH)) {
                rows.add(toRow(d));
            }
        }
        return rows.iterator();
    }

    /** One stored document as a feature row, or an error row naming what is wrong with it. */
    public static Row toRow(Document d) {
        Object[] values = new Object[SCHEMA.size()];
        values[0] = d.get("repo") instanceof String s ? s : null;
        values[1] = d.get("number") instanceof Integer n ? n : null;
        values[2] = d.get("observed_at") instanceof Date t ? new Timestamp(t.getTime()) : null;
        PullRequest pr;
        try {
            pr = PullRequestDocuments.fromDocument(d);
        } catch (RuntimeException e) {
            values[3] = d.get("_id") + ": " + e.getClass().getSimpleName() + " " + e.getMessage();
            return RowFactory.create(values);
        }
        double[] features = new double[SPEC.size()];
        SPEC.extractOwn(pr, features);
        for (int i = 0; i < features.length; i++) {
            values[4 + i] = features[i];
        }
        return RowFactory.create(values);
    }

    /** A valid row (no error column) completed with its repository features, as {@link FeatureSpec#relate} fills. */
    public static Row relate(Row row, RepositoryNorms norms) {
        double[] features = features(row);
        SPEC.relate(row.getString(row.fieldIndex("repo")), norms, features);
        int first = row.fieldIndex(SPEC.features().get(0).name());
        Object[] values = new Object[row.size()];
        for (int i = 0; i < first; i++) {
            values[i] = row.get(i);
        }
        for (int i = 0; i < features.length; i++) {
            values[first + i] = features[i];
        }
        return RowFactory.create(values);
    }

    /** The features of a row, in spec order, with or without the error column. */
    public static double[] features(Row row) {
        int first = row.fieldIndex(SPEC.features().get(0).name());
        double[] v = new double[SPEC.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = row.getDouble(first + i);
        }
        return v;
    }
}
