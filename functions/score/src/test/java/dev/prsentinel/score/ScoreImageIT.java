package dev.prsentinel.score;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.github.GitHubPullRequests;
import dev.prsentinel.core.jobs.LocalServers;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.testing.EmbeddedMongo;
import dev.prsentinel.core.testing.OciImage;
import dev.prsentinel.core.testing.TestEvents;
import dev.prsentinel.core.testing.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * score's image as Jib built it (target/jib-image.tar), unpacked and started as a container
 * starts it (OciImage: its entrypoint, environment and user, a read-only root with /tmp
 * writable): it becomes ready on a model mounted into it, scores over HTTP, and answers a
 * pr.ingested CloudEvent with pr.scored, reading the PRs from a store reached over the network.
 */
class ScoreImageIT {

    @RegisterExtension
    final EmbeddedMongo mongo = new EmbeddedMongo();

    @TempDir
    Path dir;

    private Process container;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void stop() {
        if (container != null) {
            OciImage.stop(container);
        }
    }

    @Test
    void theBuiltImageServesScoresAndAnswersACloudEvent() throws Exception {
        Path tar = OciImage.builtImage();
        OciImage.assumeRunnable();
        OciImage image = OciImage.unpack(tar, dir.resolve("root"));
        assertThat(image.config().get("User").asText()).isEqualTo("65532:65532");
        assertThat(image.config().get("Entrypoint").get(0).asText()).isEqualTo("java");
        assertThat(image.root().resolve("opt/java/bin/java")).isExecutable();

        // The JVM options of knative/score/service.yaml, with -Xshare:on: the JVM refuses to start
        // unless it maps the class-data archive the image carries.
        assertThat(image.root().resolve("app/class-data/score.jsa")).isRegularFile();
        String options;
        try (var in = Files.newInputStream(Path.of("../../knative/score/service.yaml"))) {
            Map<String, Object> service = new org.yaml.snakeyaml.Yaml().load(in);
            options = findEnv(service, "JAVA_TOOL_OPTIONS");
        }
        assertThat(options).contains("-XX:SharedArchiveFile=/app/class-data/score.jsa");

        Path model = dir.resolve("model");
        TestModels.calibrated(5).write(model);
        int port = LocalServers.portOrFree(0);
        Path log = dir.resolve("container.log");
        container = image.start(Map.of("PORT", Integer.toString(port), "MODEL_DIR", "/models",
                "MONGODB_URI", mongo.connectionString(), "MODEL_CACHE_DIR", "/tmp/models",
                "JAVA_TOOL_OPTIONS", options + " -Xshare:on"),
                Map.of("/models", model), List.of(), log);

        URI base = URI.create("http://127.0.0.1:" + port);
        OciImage.awaitReady(container, base.resolve("/health/readiness"), log, Duration.ofSeconds(60));

        PullRequest pr = TestModels.PRS.get(7);
        HttpResponse<String> scored = http.send(HttpRequest.newBuilder(base.resolve("/score"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(GitHubPullRequests.toJson(pr).toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(scored.statusCode()).as(scored.body()).isEqualTo(200);
        assertThat(Json.mapper().readTree(scored.body()).get("score").asDouble()).isPositive();

        List<PullRequest> prs = TestModels.PRS.stream().filter(p -> p.repo().equals("synthetic-org/repo-0"))
                .limit(3).toList();
        new PullRequestStore(mongo.database(), Clock.systemUTC()).upsertAll(prs);
        String data = "{\"repo\":\"synthetic-org/repo-0\",\"numbers\":" + prs.stream().map(p -> "" + p.number())
                .collect(Collectors.joining(",", "[", "]")) + ",\"inserted\":3,\"updated\":0,\"unchanged\":0,"
                + "\"updated_from\":\"2026-10-01T00:00:00Z\",\"updated_to\":\"2026-10-01T00:00:00Z\"}";
        HttpRequest.Builder event = HttpRequest.newBuilder(base.resolve("/"))
                .POST(HttpRequest.BodyPublishers.ofString(data));
        TestEvents.binaryHeaders("image-1", "urn:prsentinel:function:ingest", EventTypes.PR_INGESTED)
                .forEach(event::header);
        HttpResponse<String> reply = http.send(event.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        assertThat(reply.headers().firstValue("ce-type")).hasValue(EventTypes.PR_SCORED);
        JsonNode body = Json.mapper().readTree(reply.body());
        assertThat(body.get("scores")).hasSize(3);

        // It runs as the image's user, and wrote nothing outside /tmp (the root is read-only).
        long pid = container.descendants().filter(h -> h.info().command().orElse("").endsWith("/java"))
                .findFirst().orElseThrow().pid();
        assertThat(Files.readAllLines(Path.of("/proc/" + pid + "/status")))
                .anyMatch(l -> l.matches("Uid:\\s+65532\\s+65532\\s+65532\\s+65532"));
        assertThat(Files.readString(log)).doesNotContain("Read-only file system").doesNotContain("Exception");
    }

    @SuppressWarnings("unchecked")
    private static String findEnv(Map<String, Object> service, String name) {
        Map<String, Object> spec = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) service
                .get("spec")).get("template")).get("spec");
        Map<String, Object> container = ((List<Map<String, Object>>) spec.get("containers")).get(0);
        for (Map<String, Object> e : (List<Map<String, Object>>) container.get("env")) {
            if (name.equals(e.get("name"))) {
                return (String) e.get("value");
            }
        }
        throw new AssertionError(name + " is not in knative/score/service.yaml");
    }
}
