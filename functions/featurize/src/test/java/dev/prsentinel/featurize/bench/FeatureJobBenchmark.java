package dev.prsentinel.featurize.bench;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.store.PullRequestDocuments;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.testing.SharedData;
import dev.prsentinel.featurize.job.FeatureJob;
import dev.prsentinel.featurize.job.FeatureRows;
import dev.prsentinel.featurize.job.FeatureSetResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.bson.Document;

/**
 * The feature job on the 280k-row pullreqs set, on this machine's cores, each figure beside a
 * same-run baseline: end to end including SparkSession start (target 30 s), and the feature pass
 * on a warm session (target 0.5M rows/s) beside core's extractor on one thread over the same rows.
 *
 * <p>The store is mongo-java-server's in-memory backend, standing in for MongoDB: the embedded H2
 * backend deserialises every document with Java serialisation, which would measure the stand-in,
 * not the job. Run: {@code benchmarks/run-featurize.sh}.
 */
public final class FeatureJobBenchmark {

    private FeatureJobBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path csv = Path.of(args.length > 0 ? args[0] : "../../../shared/datasets/pullreqs/pullreqs.csv.gz");
        if (!Files.exists(csv)) {
            throw new IllegalArgumentException("no pullreqs file at " + csv.toAbsolutePath());
        }
        MongoServer server = new MongoServer(new MemoryBackend());
        String uri = "mongodb://127.0.0.1:" + server.bind().getPort();
        Path output = Files.createTempDirectory("prsentinel-feature-bench");
        try (MongoClient client = MongoClients.create(uri)) {
            PullRequestStore store = new PullRequestStore(client.getDatabase("prsentinel"), Clock.systemUTC())
                    .ensureIndexes();
            long t = System.nanoTime();
            load(csv, store);
            line("loaded %,d PRs into the in-memory store in %.1f s (not measured below)", store.count(),
                    secs(t));

            MongoCollection<Document> prs = client.getDatabase("prsentinel")
                    .getCollection(PullRequestDocuments.COLLECTION);
            List<Document> docs = new ArrayList<>();
            prs.find().batchSize(2000).forEach(docs::add);

            long plainStart = System.nanoTime();
            double checksum = 0;
            // The executors' step: the PR's own features (the repository ones follow once the norms are fitted).
            double[] v = new double[FeatureSpecs.CURRENT.size()];
            for (Document d : docs) {
                FeatureSpecs.CURRENT.extractOwn(PullRequestDocuments.fromDocument(d), v);
                checksum += v[0];
            }
            double plainSecs = secs(plainStart);
            double plainRate = docs.size() / plainSecs;

            FeatureJob.Options options = new FeatureJob.Options(uri, "prsentinel", output.toString(),
                    Instant.parse("2030-01-01T00:00:00Z"), 2);
            long e2eStart = System.nanoTime();
            SparkSession spark = SparkSession.builder().master("local[2]").appName("feature-bench")
                    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
            double sessionSecs = secs(e2eStart);
            FeatureSetResult cold = FeatureJob.run(spark, options, Clock.systemUTC());
            double e2eSecs = secs(e2eStart);

            client.getDatabase("prsentinel").getCollection(FeatureJob.COLLECTION).deleteMany(new Document());
            long warmStart = System.nanoTime();
            FeatureJob.run(spark, options, Clock.systemUTC());
            double warmJobSecs = secs(warmStart);

            // The stored documents, read by the executors and kept in their memory (parallelize() would
            // ship them inside every task, and the figure would be Java serialisation's).
            List<String> ids = new ArrayList<>();
            docs.forEach(d -> ids.add(d.getString("_id")));
            ids.sort(null);
            List<String[]> ranges = List.of(new String[] {null, ids.get(ids.size() / 2)},
                    new String[] {ids.get(ids.size() / 2), null});
            JavaRDD<Document> cached = JavaSparkContext.fromSparkContext(spark.sparkContext())
                    .parallelize(ranges, 2).mapPartitions(it -> {
                        List<Document> out = new ArrayList<>();
                        try (MongoClient c = MongoClients.create(uri)) {
                            while (it.hasNext()) {
                                String[] r = it.next();
                                List<org.bson.conversions.Bson> f = new ArrayList<>();
                                if (r[0] != null) {
                                    f.add(com.mongodb.client.model.Filters.gte("_id", r[0]));
                                }
                                if (r[1] != null) {
                                    f.add(com.mongodb.client.model.Filters.lt("_id", r[1]));
                                }
                                c.getDatabase("prsentinel").getCollection(PullRequestDocuments.COLLECTION)
                                        .find(com.mongodb.client.model.Filters.and(f)).batchSize(2000)
                                        .forEach(out::add);
                            }
                        }
                        return out.iterator();
                    }).persist(StorageLevel.MEMORY_ONLY());
            cached.count();
            double best = Double.MAX_VALUE;
            for (int round = 0; round < 3; round++) {
                long s = System.nanoTime();
                long n = cached.mapPartitions(it -> {
                    List<Row> rows = new ArrayList<>();
                    it.forEachRemaining(d -> rows.add(FeatureRows.toRow(d)));
                    return rows.iterator();
                }).count();
                best = Math.min(best, secs(s));
                if (n != docs.size()) {
                    throw new IllegalStateException(n + " rows, expected " + docs.size());
                }
            }
            double sparkRate = docs.size() / best;
            spark.stop();

            line("machine: %d cores, %s %s", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.vm.name"), System.getProperty("java.version"));
            line("end to end: %,d rows in %.1f s including SparkSession start (%.1f s); target <= 30 s", cold.rows(),
                    e2eSecs, sessionSecs);
            line("warm job (read from the store, features, Parquet, statistics): %.1f s = %,.0f rows/s", warmJobSecs,
                    cold.rows() / warmJobSecs);
            line("warm feature pass in Spark (local[2], best of 3): %,.0f rows/s; target >= 500,000 rows/s",
                    sparkRate);
            line("baseline, core's extractor on one thread over the same rows: %,.0f rows/s (%.2f s)", plainRate,
                    plainSecs);
            line("ratio Spark / one thread: %.2f (checksum %.1f)", sparkRate / plainRate, checksum);
        } finally {
            server.shutdownNow();
        }
    }

    private static void load(Path csv, PullRequestStore store) throws IOException {
        List<PullRequest> all = SharedData.pullreqs(csv, Integer.MAX_VALUE);
        for (int i = 0; i < all.size(); i += 5000) {
            store.upsertAll(all.subList(i, Math.min(all.size(), i + 5000)));
        }
    }

    private static double secs(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static void line(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }
}
