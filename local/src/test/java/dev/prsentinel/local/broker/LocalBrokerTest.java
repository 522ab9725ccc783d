package dev.prsentinel.local.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.prsentinel.core.Json;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBrokerTest {

    private static final String MANIFEST = """
            apiVersion: eventing.knative.dev/v1
            kind: Broker
            metadata:
              name: b
            spec:
              delivery:
                retry: 1
                backoffPolicy: linear
                backoffDelay: PT0.01S
            ---
            apiVersion: eventing.knative.dev/v1
            kind: Trigger
            metadata:
              name: to-a
            spec:
              broker: b
              filter:
                attributes:
                  type: t.a
              subscriber:
                ref:
                  kind: Service
                  name: svc
            ---
            apiVersion: eventing.knative.dev/v1
            kind: Trigger
            metadata:
              name: flaky
            spec:
              broker: b
              filter:
                attributes:
                  type: t.flaky
                  team: x
              subscriber:
                ref:
                  kind: Service
                  name: svc
                uri: /flaky
              delivery:
                retry: 2
                backoffPolicy: exponential
                backoffDelay: PT0.01S
                deadLetterSink:
                  ref:
                    kind: Service
                    name: svc
                  uri: /dead-letters
            ---
            apiVersion: eventing.knative.dev/v1
            kind: Trigger
            metadata:
              name: replies
            spec:
              broker: b
              filter:
                attributes:
                  type: t.reply
              subscriber:
                ref:
                  kind: Service
                  name: svc
                uri: /sink
            """;

    @TempDir
    Path tmp;

    private HttpServer subscriber;
    private LocalBroker broker;
    private final Map<String, List<String>> received = new ConcurrentHashMap<>();
    private final Map<String, Deque<Integer>> script = new ConcurrentHashMap<>();

    @BeforeEach
    void setUp() throws IOException {
        Files.writeString(tmp.resolve("kustomization.yaml"), "resources:\n  - sub\n");
        Files.createDirectories(tmp.resolve("sub"));
        Files.writeString(tmp.resolve("sub/kustomization.yaml"), "resources:\n  - all.yaml\n");
        Files.writeString(tmp.resolve("sub/all.yaml"), MANIFEST);
        subscriber = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        subscriber.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            received.computeIfAbsent(path, p -> Collections.synchronizedList(new ArrayList<>()))
                    .add(exchange.getRequestHeaders().getFirst("ce-id"));
            exchange.getRequestBody().readAllBytes();
            Deque<Integer> statuses = script.get(path);
            Integer status = statuses == null ? null : statuses.poll();
            if (path.equals("/") && status == null) {
                // Reply with an event in binary mode, as a function does.
                exchange.getResponseHeaders().add("ce-specversion", "1.0");
                String id = exchange.getRequestHeaders().getFirst("ce-id");
                exchange.getResponseHeaders().add("ce-id", "reply-of-" + id);
                exchange.getResponseHeaders().add("ce-source", "/svc");
                exchange.getResponseHeaders().add("ce-type", "t.reply");
                exchange.getResponseHeaders().add("content-type", "application/json");
                byte[] body = "{\"ok\":true}".getBytes();
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            } else {
                exchange.sendResponseHeaders(status == null ? 202 : status, -1);
            }
            exchange.close();
        });
        subscriber.start();
        broker = new LocalBroker(KnativeManifests.fromDirectory(tmp), "b", tmp.resolve("dlq")).start();
        broker.registerService("svc", "http://127.0.0.1:" + subscriber.getAddress().getPort());
    }

    @AfterEach
    void tearDown() {
        broker.close();
        subscriber.stop(0);
    }

    private static CloudEvent event(String id, String type, String team) {
        CloudEventBuilder b = CloudEventBuilder.v1().withId(id).withSource(URI.create("/test")).withType(type)
                .withDataContentType("application/json").withData("{}".getBytes());
        if (team != null) {
            b.withExtension("team", team);
        }
        return b.build();
    }

    @Test
    void readsTriggersThroughKustomizationsWithDeliveryDefaultsFromTheBroker() {
        assertThat(broker.triggers()).extracting(Trigger::name).containsExactly("to-a", "flaky", "replies");
        Trigger toA = broker.triggers().get(0);
        assertThat(toA.delivery()).isEqualTo(new Delivery(1, false, Duration.ofMillis(10), null));
        Trigger flaky = broker.triggers().get(1);
        assertThat(flaky.delivery().deadLetterSink()).isEqualTo("svc/dead-letters");
        assertThat(flaky.delivery().backoff(1)).isEqualTo(Duration.ofMillis(20));
        assertThat(flaky.delivery().backoff(2)).isEqualTo(Duration.ofMillis(40));
        assertThat(toA.delivery().backoff(3)).isEqualTo(Duration.ofMillis(30));
    }

    @Test
    void routesByAttributesAndFeedsRepliesBack() throws Exception {
        broker.publish(event("1", "t.a", null));
        broker.publish(event("2", "t.unknown", null));
        assertThat(broker.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(received.get("/")).containsExactly("1");
        assertThat(received.get("/sink")).containsExactly("reply-of-1");
        assertThat(broker.stats().unrouted()).isEqualTo(1);
        assertThat(broker.stats().received()).containsEntry("t.reply", 1);
    }

    @Test
    void extensionFiltersMustMatchToo() throws Exception {
        broker.publish(event("3", "t.flaky", "y"));
        assertThat(broker.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(received).doesNotContainKey("/flaky");
    }

    @Test
    void retriesTransientFailuresWithBackoffThenDelivers() throws Exception {
        script.put("/flaky", new ArrayDeque<>(List.of(503, 429)));
        broker.publish(event("4", "t.flaky", "x"));
        assertThat(broker.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(received.get("/flaky")).containsExactly("4", "4", "4");
        assertThat(broker.stats().retried()).isEqualTo(2);
        assertThat(broker.stats().deadLettered()).isZero();
    }

    @Test
    void deadLettersWithTheReasonWhenRetriesRunOut() throws Exception {
        script.put("/flaky", new ArrayDeque<>(List.of(500, 500, 500)));
        broker.publish(event("5", "t.flaky", "x"));
        assertThat(broker.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(received.get("/flaky")).hasSize(3);
        JsonNode letter = Json.mapper().readTree(tmp.resolve("dlq/flaky-5.json").toFile());
        assertThat(letter.get("status").asInt()).isEqualTo(500);
        assertThat(letter.get("attempts").asInt()).isEqualTo(3);
        assertThat(letter.get("cluster_dead_letter_sink").asText()).isEqualTo("svc/dead-letters");
        assertThat(letter.at("/event/id").asText()).isEqualTo("5");
    }

    @Test
    void aRejectedEventIsDeadLetteredWithoutRetries() throws Exception {
        script.put("/flaky", new ArrayDeque<>(List.of(400)));
        broker.publish(event("6", "t.flaky", "x"));
        assertThat(broker.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(received.get("/flaky")).hasSize(1);
        assertThat(Files.exists(tmp.resolve("dlq/flaky-6.json"))).isTrue();
    }

    @Test
    void theIngressTakesBothModesAndRejectsNonEvents() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> binary = http.send(HttpRequest.newBuilder(broker.url())
                .header("ce-specversion", "1.0").header("ce-id", "7").header("ce-source", "/x")
                .header("ce-type", "t.a").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(binary.statusCode()).isEqualTo(202);
        HttpResponse<String> structured = http.send(HttpRequest.newBuilder(broker.url())
                .header("content-type", "application/cloudevents+json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"specversion\":\"1.0\",\"id\":\"8\",\"source\":\"/x\",\"type\":\"t.a\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(structured.statusCode()).isEqualTo(202);
        HttpResponse<String> junk = http.send(HttpRequest.newBuilder(broker.url())
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(junk.statusCode()).isEqualTo(400);
        assertThat(broker.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(received.get("/")).containsExactlyInAnyOrder("7", "8");
    }
}
