package dev.prsentinel.ingest;

import dev.prsentinel.core.events.CloudEventEndpoint;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** Adapts HTTP requests to the shared {@link CloudEventEndpoint}; the body is read with a bound. */
@RestController
class CloudEventController {

    private final CloudEventEndpoint endpoint;

    CloudEventController(CloudEventEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @PostMapping("/")
    ResponseEntity<byte[]> receive(HttpServletRequest request) throws IOException {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String name : Collections.list(request.getHeaderNames())) {
            headers.put(name, request.getHeader(name));
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            // One byte over the limit is enough to refuse; never buffer an unbounded body.
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, endpoint.maxBodyBytes() + 1));
        }
        CloudEventEndpoint.Response response = endpoint.handle(headers, body);
        HttpHeaders out = new HttpHeaders();
        response.headers().forEach(out::add);
        return ResponseEntity.status(response.status()).headers(out).body(response.body());
    }
}
