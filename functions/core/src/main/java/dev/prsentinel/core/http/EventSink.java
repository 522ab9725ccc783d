package dev.prsentinel.core.http;

import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
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

    /**
     * Posts in binary mode, retrying on failure: a 2xx is delivered, a 4xx other than 429 is final,
     * anything else (5xx, 429, unreachable) is tried again after a doubling pause.
     */
    final class Http implements EventSink {

        private static final Logger LOG = LoggerFactory.getLogger(Http.class);

        private final URI target;
        private final int attempts;
        private final Duration timeout;
        private final Duration firstPause;
        private final HttpClient client;

        /** K_SINK's: 4 attempts of up to 30 s, pauses from 0.5 s; nobody waits for these. */
        Http(URI target) {
            this(target, 4, Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMillis(500));
        }

        /**
         * @param connect    how long a connection may take
         * @param timeout    how long an answer may take, per attempt
         * @param firstPause the pause after the first failed attempt; zero for none
         */
        public Http(URI target, int attempts, Duration connect, Duration timeout, Duration firstPause) {
            this.target = target;
            this.attempts = attempts;
            this.timeout = timeout;
            this.firstPause = firstPause;
            this.client = HttpClient.newBuilder().connectTimeout(connect).build();
        }

        @Override
        public void send(CloudEvent event) {
            deliver(event).ifPresent(reason -> LOG.error("event {} ({}) not delivered to {}: {}", event.getId(),
                    event.getType(), target, reason));
        }

        /** Delivers an event; empty when the target took it, else why not. */
        public Optional<String> deliver(CloudEvent event) {
            String last = "not tried";
            for (int attempt = 1; attempt <= attempts; attempt++) {
                try {
                    HttpResponse<byte[]> response = CloudEventHttp.send(client, target, event, timeout);
                    if (response.statusCode() / 100 == 2) {
                        return Optional.empty();
                    }
                    LOG.warn("sink {} answered {} to event {}", target, response.statusCode(), event.getId());
                    last = "answered " + response.statusCode();
                    if (response.statusCode() / 100 == 4 && response.statusCode() != 429) {
                        return Optional.of(last);
                    }
                } catch (IOException e) {
                    LOG.warn("sink {} unreachable for event {}: {}", target, event.getId(), e.getMessage());
                    last = "unreachable";
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.of("interrupted");
                }
                if (attempt < attempts && !firstPause.isZero()) {
                    try {
                        Thread.sleep(firstPause.toMillis() << (attempt - 1));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return Optional.of("interrupted");
                    }
                }
            }
            return Optional.of(last + " after " + attempts + " attempts");
        }
    }
}
