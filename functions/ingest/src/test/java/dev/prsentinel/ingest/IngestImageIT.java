package dev.prsentinel.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.jobs.LocalServers;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.testing.EmbeddedMongo;
import dev.prsentinel.core.testing.OciImage;
import dev.prsentinel.core.testing.SharedData;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * ingest's image as built, started as a container (OciImage) in its events role: a real GitHub
 * delivery, handed on as a binary-mode CloudEvent as the receiver does, is stored in a store reached
 * over the network and answered with pr.ingested.
 */
class IngestImageIT {

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
    void theBuiltImageStoresADeliveryAndAnswersWithPrIngested() throws Exception {
        Path tar = OciImage.builtImage();
        OciImage.assumeRunnable();
        Path delivery = SharedData.require("fixtures/webhooks/pull_request.opened.12.json");
        OciImage image = OciImage.unpack(tar, dir.resolve("root"));
        int port = LocalServers.portOrFree(0);
        Path log = dir.resolve("container.log");
        container = image.start(Map.of("PORT", Integer.toString(port), "MONGODB_URI", mongo.connectionString(),
                "INGEST_ROUTES", "events"), Map.of(), List.of(), log);
        URI base = URI.create("http://127.0.0.1:" + port);
        OciImage.awaitReady(container, base.resolve("/health/readiness"), log, Duration.ofSeconds(60));

        HttpRequest.Builder event = HttpRequest.newBuilder(base.resolve("/"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(Files.readAllBytes(delivery)));
        Map.of("ce-specversion", "1.0", "ce-id", "image-delivery-1", "ce-source", "https://github.com/x/y",
                "ce-type", EventTypes.GITHUB_PULL_REQUEST, "content-type", "application/json").forEach(event::header);
        HttpResponse<String> reply = http.send(event.build(), HttpResponse.BodyHandlers.ofString());

        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        assertThat(reply.headers().firstValue("ce-type")).hasValue(EventTypes.PR_INGESTED);
        JsonNode pr = Json.mapper().readTree(delivery.toFile()).get("pull_request");
        assertThat(new PullRequestStore(mongo.database(), Clock.systemUTC())
                .find(pr.at("/base/repo/full_name").asText(), pr.get("number").asInt())).isPresent();
        assertThat(Files.readString(log)).doesNotContain("Read-only file system");
    }
}
