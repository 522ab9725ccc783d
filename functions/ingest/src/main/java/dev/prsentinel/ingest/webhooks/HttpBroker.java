package dev.prsentinel.ingest.webhooks;

import dev.prsentinel.core.http.CloudEventHttp;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Hands a delivery to the broker at K_SINK while GitHub waits: two tries of at most 4 s each, so
 * the answer reaches GitHub inside its 10 s. A 4xx from the broker is final.
 */
public final class HttpBroker implements GitHubWebhooks.Broker {

    private static final Duration TIMEOUT = Duration.ofSeconds(4);

    private final URI target;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public HttpBroker(URI target) {
        this.target = target;
    }

    @Override
    public Optional<String> deliver(CloudEvent event) {
        String last = "not tried";
        for (int attempt = 1; attempt <= 2; attempt++) {
            try {
                HttpResponse<byte[]> r = CloudEventHttp.send(client, target, event, TIMEOUT);
                if (r.statusCode() / 100 == 2) {
                    return Optional.empty();
                }
                last = "the broker answered " + r.statusCode();
                if (r.statusCode() / 100 == 4 && r.statusCode() != 429) {
                    return Optional.of(last);
                }
            } catch (IOException e) {
                last = "the broker is unreachable";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.of("interrupted");
            }
        }
        return Optional.of(last);
    }
}
