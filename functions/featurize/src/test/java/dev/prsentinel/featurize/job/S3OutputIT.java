package dev.prsentinel.featurize.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import dev.prsentinel.core.testing.EmbeddedMongo;
import dev.prsentinel.core.jobs.PythonTools;
import dev.prsentinel.core.testing.Need;
import dev.prsentinel.core.testing.Needs;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Feature sets on s3a://, as in a cluster, against moto's S3 server (a real implementation of the
 * S3 API from PyPI, installed by .ci/run) standing in for S3, since this machine has no cloud.
 */
@Needs(Need.MOTO)
class S3OutputIT {

    private static Process moto;
    private static int port;
    private static SparkSession spark;

    @RegisterExtension
    final EmbeddedMongo mongo = new EmbeddedMongo();

    @BeforeAll
    static void startS3() throws Exception {
        String motoServer = PythonTools.command("moto_server");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        moto = new ProcessBuilder(motoServer, "-H", "127.0.0.1", "-p", String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/prsentinel-features"))
                        .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
        spark = SparkSession.builder().master("local[2]").appName("s3-output-it")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                .config("spark.hadoop.fs.s3a.endpoint", "http://127.0.0.1:" + port)
                .config("spark.hadoop.fs.s3a.endpoint.region", "us-east-1")
                .config("spark.hadoop.fs.s3a.path.style.access", "true")
                .config("spark.hadoop.fs.s3a.connection.ssl.enabled", "false")
                // moto accepts any credentials; in a cluster they come from the pod's identity.
                .config("spark.hadoop.fs.s3a.access.key", "test")
                .config("spark.hadoop.fs.s3a.secret.key", "test")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        if (moto != null) {
            moto.destroy();
        }
    }

    @Test
    void theSetIsWrittenToS3AndReadsBack() {
        new PullRequestStore(mongo.database(), Clock.systemUTC()).upsertAll(
                SyntheticPullRequests.generate(21, 250, 2, 0.02, Instant.parse("2026-11-01T00:00:00Z")).pullRequests());
        FeatureSetResult result = FeatureJob.run(spark, new FeatureJob.Options(mongo.connectionString(),
                "prsentinel", "s3a://prsentinel-features/sets", Instant.parse("2027-01-01T00:00:00Z"), 2),
                Clock.systemUTC());

        assertThat(result.location()).startsWith("s3a://prsentinel-features/sets/fs-v4-");
        assertThat(spark.read().parquet(result.location() + "/features.parquet").count()).isEqualTo(250);
        assertThat(spark.read().text(result.location() + "/scaler.json").first().getString(0))
                .contains("\"center\"");
    }
}
