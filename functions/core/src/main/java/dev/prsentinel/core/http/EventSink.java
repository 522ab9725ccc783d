package dev.prsentinel.core.http;

import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where events go that are produced after the request that caused them has been answered: K_SINK,
 * which Knative injects through a SinkBinding (the broker), or the local broker's ingress.
 */
public interface EventSink {

    /** Delivers an event; failures are logged, since nobody is waiting for the answer. */
    void send(CloudEvent event);

    /** A sink for a K_SINK URL, or one that logs and drops when none is configured. */
    static EventSink forUrl(String url) {
        if (url == null || url.isBlank()) {
            Logger log = LoggerFactory.getLogger(EventSink.class);
            return event -> log.warn("K_SINK is not set: event {} ({}) is not delivered", event.getId(),
                    event.getType());
        }
        return new Http(URI.create(url));
    }

    /** Posts in binary mode, retrying a few times with backoff on failure. */
    final class Http implements EventSink {

        private static final Logger LOG = LoggerFactory.getLogger(Http.class);
        private static final int ATTEMPTS = 4;

        private final URI target;
        private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        Http(URI target) {
            this.target = target;
        }

        @Override
        public void send(CloudEvent event) {
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                try {
                    HttpResponse<byte[]> response = CloudEventHttp.send(client, target, event, Duration.ofSeconds(30));
                    if (response.statusCode() / 100 == 2) {
                        return;
                    }
                    LOG.warn("sink {} answered {} to event {}", target, response.statusCode(), event.getId());
                    if (response.statusCode() / 100 == 4 && response.statusCode() != 429) {
                        return;
                    }
                } catch (IOException e) {
                    LOG.warn("sink {} unreachable for event {}: {}", target, event.getId(), e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                try {
                    Thread.sleep(250L << attempt);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            LOG.error("event {} ({}) not delivered to {} after {} attempts", event.getId(), event.getType(), target,
                    ATTEMPTS);
        }
    }
}
