package dev.prsentinel.core.http;

import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Sending CloudEvents over HTTP without a web framework, in binary mode (see {@link CloudEventBinding}). */
public final class CloudEventHttp {

    private CloudEventHttp() {
    }

    /**
     * Posts an event in binary mode, as a Knative broker or K_SINK expects.
     *
     * @return the HTTP response; the caller decides what a status means
     */
    public static HttpResponse<byte[]> send(HttpClient client, URI target, CloudEvent event, Duration timeout)
            throws IOException, InterruptedException {
        CloudEventBinding.Message m = CloudEventBinding.toBinary(event);
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(m.body()));
        m.headers().forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
