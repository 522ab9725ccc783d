package dev.prsentinel.local.demo;

import dev.prsentinel.ingest.webhooks.WebhookSignature;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * Sends webhook deliveries the way GitHub does: POST with X-GitHub-Event, X-GitHub-Delivery (the
 * same GUID on a redelivery), X-Hub-Signature-256 over the raw body, and GitHub's user agent.
 */
final class GitHubDeliveries {

    /**
     * One delivery.
     *
     * @param event the X-GitHub-Event
     * @param id    the X-GitHub-Delivery
     * @param body  the payload, sent byte for byte
     */
    record Delivery(String event, String id, byte[] body) {
    }

    private final URI receiver;
    private final WebhookSignature signature;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    GitHubDeliveries(URI receiver, String secret) {
        this.receiver = receiver;
        this.signature = new WebhookSignature(secret);
    }

    /** Sends a delivery signed with the webhook's secret; returns the status. */
    int send(Delivery d) throws IOException, InterruptedException {
        return send(d, Map.of());
    }

    /** Sends a delivery with some headers replaced (a forged signature, say). */
    int send(Delivery d, Map<String, String> override) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(receiver).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(d.body()))
                .header("Content-Type", "application/json")
                .header("User-Agent", "GitHub-Hookshot/prsentinel-demo")
                .header("X-GitHub-Event", override.getOrDefault("X-GitHub-Event", d.event()))
                .header("X-GitHub-Delivery", d.id())
                .header(WebhookSignature.HEADER, override.getOrDefault(WebhookSignature.HEADER,
                        signature.sign(d.body())));
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
