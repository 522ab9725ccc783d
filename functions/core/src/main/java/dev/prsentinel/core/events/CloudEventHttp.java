package dev.prsentinel.core.events;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.jackson.JsonFormat;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/** CloudEvents over HTTP without a web framework: reading either mode, writing binary mode, sending. */
public final class CloudEventHttp {

    private static final EventFormat JSON = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);

    private CloudEventHttp() {
    }

    /**
     * Reads an event in binary or structured mode.
     *
     * @param headers request headers, any case
     * @throws RuntimeException from the SDK when it is not a valid CloudEvent (callers map it to 400)
     */
    public static CloudEvent read(Map<String, String> headers, byte[] body) {
        return HttpMessageFactory.createReader(headers, body).toEvent();
    }

    /** A binary-mode HTTP message: ce-* headers plus content-type, and the data as body. */
    public record Message(Map<String, String> headers, byte[] body) {
    }

    public static Message toBinary(CloudEvent event) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        byte[][] body = {new byte[0]};
        HttpMessageFactory.createWriter(headers::put, bytes -> body[0] = bytes == null ? new byte[0] : bytes)
                .writeBinary(event);
        return new Message(headers, body[0]);
    }

    /** The structured JSON form, used to store and replay replies. */
    public static String toStructuredJson(CloudEvent event) {
        return new String(JSON.serialize(event), StandardCharsets.UTF_8);
    }

    public static CloudEvent fromStructuredJson(String json) {
        return JSON.deserialize(json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Posts an event in binary mode, as a Knative broker or K_SINK expects.
     *
     * @return the HTTP response; the caller decides what a status means
     */
    public static HttpResponse<byte[]> send(HttpClient client, URI target, CloudEvent event, Duration timeout)
            throws IOException, InterruptedException {
        Message m = toBinary(event);
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(m.body()));
        m.headers().forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
