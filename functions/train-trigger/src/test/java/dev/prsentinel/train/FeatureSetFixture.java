package dev.prsentinel.train;

import com.mongodb.client.MongoDatabase;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.features.FeatureStatistics;
import dev.prsentinel.core.features.RepositoryNorms;
import dev.prsentinel.core.features.RobustScaler;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.store.RepositoryNormsDocuments;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.bson.Document;

/**
 * A feature set as featurize writes it: Parquet with key, version time and the spec's columns, and a
 * feature_sets record with statistics and the scaler. Written here with Spark so the training tests
 * do not need featurize's job (whose output FeatureJobIT checks).
 */
final class FeatureSetFixture {

    private FeatureSetFixture() {
    }

    static String write(SparkSession spark, MongoDatabase db, Path output, String id, List<PullRequest> prs) {
        List<StructField> fields = new ArrayList<>(List.of(
                DataTypes.createStructField("repo", DataTypes.StringType, false),
                DataTypes.createStructField("number", DataTypes.IntegerType, false),
                DataTypes.createStructField("observed_at", DataTypes.TimestampType, false)));
        FeatureSpecs.CURRENT.features().forEach(f -> fields.add(DataTypes.createStructField(f.name(),
                DataTypes.DoubleType, true)));
        StructType schema = DataTypes.createStructType(fields);
        List<Row> rows = new ArrayList<>();
        RepositoryNorms norms = FeatureSpecs.CURRENT.fitNorms(prs);
        double[][] raw = new double[prs.size()][];
        for (int i = 0; i < prs.size(); i++) {
            PullRequest pr = prs.get(i);
            raw[i] = FeatureSpecs.CURRENT.extract(pr, norms);
            Object[] values = new Object[schema.size()];
            values[0] = pr.repo();
            values[1] = pr.number();
            values[2] = Timestamp.from(pr.observedAt());
            for (int j = 0; j < raw[i].length; j++) {
                values[3 + j] = raw[i][j];
            }
            rows.add(RowFactory.create(values));
        }
        String location = output.resolve(id).toString();
        spark.createDataFrame(rows, schema).write().parquet(location + "/features.parquet");
        RobustScaler scaler = RobustScaler.fit(FeatureSpecs.CURRENT, raw);
        List<Document> statistics = new ArrayList<>();
        for (int j = 0; j < FeatureSpecs.CURRENT.size(); j++) {
            FeatureStatistics s = FeatureStatistics.of(FeatureSpecs.CURRENT.features().get(j).name(), raw, j);
            statistics.add(new Document("name", s.name()).append("count", s.count()).append("missing", s.missing())
                    .append("bin_edges", s.binEdges()).append("bin_counts", s.binCounts()));
        }
        db.getCollection("feature_sets").insertOne(new Document("_id", id).append("status", "ready")
                .append("spec_version", FeatureSpecs.CURRENT.version()).append("location", location)
                .append("rows", (long) rows.size()).append("statistics", statistics)
                .append("created_at", new Date())
                .append(RepositoryNormsDocuments.FIELD,
                        norms == null ? null : RepositoryNormsDocuments.toDocument(norms))
                .append("scaler", new Document("center", Arrays.stream(scaler.center()).boxed().toList())
                        .append("scale", Arrays.stream(scaler.scale()).boxed().toList())));
        return id;
    }
}
