package dev.prsentinel.ingest;

import dev.prsentinel.core.events.CloudEventEndpoint;
import dev.prsentinel.core.events.CloudEventHttp;
import dev.prsentinel.core.store.DeadLetterStore;
import io.cloudevents.CloudEvent;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Adapts HTTP requests to the shared {@link CloudEventEndpoint}; bodies are read with a bound.
 * Also serves /dead-letters, the Triggers' deadLetterSink: any event, stored with Knative's reason.
 */
@RestController
class CloudEventController {

    private static final Logger LOG = LoggerFactory.getLogger(CloudEventController.class);

    private final CloudEventEndpoint endpoint;
    private final DeadLetterStore deadLetters;

    CloudEventController(CloudEventEndpoint endpoint, DeadLetterStore deadLetters) {
        this.endpoint = endpoint;
        this.deadLetters = deadLetters;
    }

    @PostMapping("/")
    ResponseEntity<byte[]> receive(HttpServletRequest request) throws IOException {
        return toEntity(endpoint.handle(headers(request), body(request)));
    }

    @PostMapping("/dead-letters")
    ResponseEntity<byte[]> deadLetter(HttpServletRequest request) throws IOException {
        byte[] body = body(request);
        if (body.length > endpoint.maxBodyBytes()) {
            return toEntity(CloudEventEndpoint.jsonError(413, "body exceeds the limit of " + endpoint.maxBodyBytes()));
        }
        CloudEvent event;
        try {
            event = CloudEventHttp.read(headers(request), body);
        } catch (RuntimeException e) {
            return toEntity(CloudEventEndpoint.jsonError(400, "not a valid CloudEvent: " + e.getMessage()));
        }
        LOG.warn("dead letter {} ({}) from {}: error code {}", event.getId(), event.getType(), event.getSource(),
                event.getExtension("knativeerrorcode"));
        deadLetters.record(event);
        return ResponseEntity.accepted().build();
    }

    private static Map<String, String> headers(HttpServletRequest request) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String name : Collections.list(request.getHeaderNames())) {
            headers.put(name, request.getHeader(name));
        }
        return headers;
    }

    private byte[] body(HttpServletRequest request) throws IOException {
        try (InputStream in = request.getInputStream()) {
            // One byte over the limit is enough to refuse; never buffer an unbounded body.
            return in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, endpoint.maxBodyBytes() + 1));
        }
    }

    private static ResponseEntity<byte[]> toEntity(CloudEventEndpoint.Response response) {
        HttpHeaders out = new HttpHeaders();
        response.headers().forEach(out::add);
        return ResponseEntity.status(response.status()).headers(out).body(response.body());
    }
}
