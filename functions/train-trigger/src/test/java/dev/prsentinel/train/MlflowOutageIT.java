package dev.prsentinel.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.features.RepositoryNorms;
import dev.prsentinel.core.features.RobustScaler;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import dev.prsentinel.core.testing.MlflowServer;
import dev.prsentinel.core.tracking.MlflowClient;
import dev.prsentinel.core.tracking.Tracking;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MLflow going down in the middle of a training, at every point of the conversation. A forwarding
 * proxy stands between the client and a real MLflow server and, from its k-th request on, answers
 * 503 as a gateway in front of a stopped server does (stopping the real server k requests in would
 * need the same hook inside it). For every k: the training fails with the reason; afterwards every
 * alias points at a complete version whose model loads; at most the newest version is left without
 * an alias, and the next training removes it and registers its own. The runs left RUNNING are
 * ended by a later training.
 */
class MlflowOutageIT {

    @RegisterExtension
    static final MlflowServer MLFLOW = new MlflowServer();

    private HttpServer proxy;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile int downFrom = Integer.MAX_VALUE;

    @BeforeEach
    void startProxy() throws IOException {
        HttpClient http = HttpClient.newHttpClient();
        proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        proxy.createContext("/", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                if (requests.incrementAndGet() >= downFrom) {
                    exchange.sendResponseHeaders(503, -1);
                    return;
                }
                HttpRequest.Builder forward = HttpRequest.newBuilder(MLFLOW.uri().resolve(
                        exchange.getRequestURI().toString())).method(exchange.getRequestMethod(),
                        body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
                String type = exchange.getRequestHeaders().getFirst("Content-Type");
                if (type != null) {
                    forward.header("Content-Type", type);
                }
                HttpResponse<byte[]> response = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
                exchange.sendResponseHeaders(response.statusCode(), response.body().length == 0 ? -1
                        : response.body().length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(response.body());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        proxy.start();
    }

    @AfterEach
    void stopProxy() {
        proxy.stop(0);
    }

    private static float[][] scaled(double[][] raw, RobustScaler scaler) {
        return Arrays.stream(raw).map(scaler::transformToFloat).toArray(float[][]::new);
    }

    @Test
    void anOutageAtAnyPointLeavesNothingHalfRegistered() {
        List<PullRequest> prs = SyntheticPullRequests.generate(29, 1200, 4, 0.0,
                Instant.parse("2026-11-01T00:00:00Z")).pullRequests();
        RepositoryNorms norms = FeatureSpecs.CURRENT.fitNorms(prs);
        double[][] raw = prs.stream().map(pr -> FeatureSpecs.CURRENT.extract(pr, norms)).toArray(double[][]::new);
        RobustScaler scaler = RobustScaler.fit(FeatureSpecs.CURRENT, raw);
        float[][] rows = scaled(raw, scaler);
        float[][] train = Arrays.copyOfRange(rows, 0, 800);
        float[][] validation = Arrays.copyOfRange(rows, 800, 1000);
        float[][] heldOut = Arrays.copyOfRange(rows, 1000, 1200);
        AutoencoderTrainer.Settings settings = new AutoencoderTrainer.Settings(1e-3f, 64, 3, 3, 11, 99);
        MlflowClient direct = new MlflowClient(MLFLOW.uri(), Clock.systemUTC());
        MlflowClient viaProxy = new MlflowClient(URI.create("http://127.0.0.1:" + proxy.getAddress().getPort()),
                Clock.systemUTC());

        // A champion, then how many requests a challenger's training makes when nothing fails.
        String model = "outage";
        TrainingRun training = new TrainingRun(viaProxy, Gate.defaults(), Map.of(), model);
        training.execute("fs-a", train, validation, heldOut, scaler, norms, settings);
        requests.set(0);
        training.execute("fs-b", train, validation, heldOut, scaler, norms, settings);
        int total = requests.get();
        assertThat(total).as("requests of a challenger's training").isGreaterThan(10);

        int orphans = 0;
        for (int k = 1; k <= total; k++) {
            requests.set(0);
            downFrom = k;
            assertThatThrownBy(() -> training.execute("fs-x", train, validation, heldOut, scaler, norms, settings))
                    .as("down from request %d of %d", k, total).isInstanceOf(MlflowClient.MlflowException.class)
                    .hasMessageContaining("503");
            downFrom = Integer.MAX_VALUE;

            List<Tracking.RegisteredVersion> versions = direct.versions(model);
            for (Tracking.RegisteredVersion v : versions) {
                if (!v.aliases().isEmpty()) {
                    assertThat(direct.getRun(v.runId()).at("/info/status").asText()).as("k=%d", k)
                            .isEqualTo("FINISHED");
                    assertThat(direct.modelPackage(new Tracking.ModelVersion(model, v.version(), v.runId()))
                            .threshold()).isPositive();
                }
            }
            // Only the newest version may lack an alias because of this outage: older ones lost theirs to
            // newer challengers.
            Tracking.RegisteredVersion newest = versions.get(versions.size() - 1);
            String orphan = newest.aliases().isEmpty() ? newest.version() : null;
            if (orphan != null) {
                orphans++;
                assertThat(newest.tags()).containsKey(TrainingRun.REGISTERED_BY);
            }
            assertThat(direct.versionByAlias(model, "champion").orElseThrow().version()).isEqualTo("1");

            TrainingRun.Outcome next = training.execute("fs-y", train, validation, heldOut, scaler, norms, settings);
            assertThat(next.alias()).hasValue("challenger");
            assertThat(direct.versionByAlias(model, "challenger").orElseThrow().version())
                    .isEqualTo(next.version().orElseThrow());
            if (orphan != null) {
                assertThat(direct.version(model, orphan)).as("k=%d: the unfinished version is removed", k).isEmpty();
            }
        }
        assertThat(orphans).as("an outage between creating the version and its alias happened").isPositive();

        // The cut runs could not be ended while MLflow was away: the next training ends them.
        String experiment = direct.experimentId(TrainingRun.EXPERIMENT);
        assertThat(direct.runningRuns(experiment, java.time.Instant.now())).isNotEmpty();
        new TrainingRun(direct, Gate.defaults(), Map.of(), model, java.time.Duration.ZERO)
                .execute("fs-z", train, validation, heldOut, scaler, norms, settings);
        assertThat(direct.runningRuns(experiment, java.time.Instant.now())).isEmpty();
    }
}
