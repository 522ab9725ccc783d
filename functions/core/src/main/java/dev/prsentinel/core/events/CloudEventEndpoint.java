package dev.prsentinel.core.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.model.InvalidPayloadException;
import dev.prsentinel.core.store.ProcessedEvents;
import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of a function, framework-free so every function shares it and tests need no
 * server: reads a CloudEvent in binary or structured mode, rejects what is invalid with a 4xx and
 * a reason, drops redeliveries (same source and id) by answering what it answered the first time,
 * dispatches by type, and writes the reply in binary mode.
 *
 * <p>Statuses: 200 with a reply event; 202 when there is nothing to reply (or the work continues
 * and posts to K_SINK later); 400 invalid event or payload, or unsupported type; 413 oversized
 * body; 503 when a dependency failed, which a broker retries. Never 500, never a stack trace.
 */
public final class CloudEventEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(CloudEventEndpoint.class);

    /** Handles one event type. Throws {@link InvalidPayloadException} for bad data. */
    @FunctionalInterface
    public interface Handler {
        /** The reply, or empty when there is none. */
        Optional<CloudEvent> handle(CloudEvent event);
    }

    /** An HTTP answer: status, headers, body. */
    public record Response(int status, Map<String, String> headers, byte[] body) {

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Map<String, Handler> handlers;
    private final ProcessedEvents processed;
    private final long maxBodyBytes;
    private final AtomicLong handled = new AtomicLong();
    private final AtomicLong redelivered = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /**
     * @param handlers     the handler of each accepted type
     * @param processed    where handled events are remembered
     * @param maxBodyBytes larger bodies are refused with 413
     */
    public CloudEventEndpoint(Map<String, Handler> handlers, ProcessedEvents processed, long maxBodyBytes) {
        this.handlers = Map.copyOf(handlers);
        this.processed = processed;
        this.maxBodyBytes = maxBodyBytes;
    }

    public long maxBodyBytes() {
        return maxBodyBytes;
    }

    /**
     * Counts since start.
     *
     * @param handled     events handled for the first time
     * @param redelivered events seen before and answered from the record
     * @param rejected    4xx answers
     * @param failed      503 answers
     */
    public record Stats(long handled, long redelivered, long rejected, long failed) {
    }

    public Stats stats() {
        return new Stats(handled.get(), redelivered.get(), rejected.get(), failed.get());
    }

    public Response handle(Map<String, String> headers, byte[] body) {
        if (body.length > maxBodyBytes) {
            return error(413, "body of " + body.length + " bytes exceeds the limit of " + maxBodyBytes);
        }
        CloudEvent event;
        try {
            event = CloudEventHttp.read(headers, body);
        } catch (RuntimeException e) {
            return error(400, "not a valid CloudEvent: " + reason(e));
        }
        Handler handler = handlers.get(event.getType());
        if (handler == null) {
            return error(400, "unsupported event type " + event.getType() + "; accepted: "
                    + new TreeSet<>(handlers.keySet()));
        }
        try {
            Optional<ProcessedEvents.Record> seen = processed.find(event.getSource().toString(), event.getId());
            if (seen.isPresent()) {
                redelivered.incrementAndGet();
                LOG.info("redelivered event {} from {}: answering as before", event.getId(), event.getSource());
                return seen.get().reply() == null ? accepted()
                        : reply(CloudEventHttp.fromStructuredJson(seen.get().reply()));
            }
            Optional<CloudEvent> reply = handler.handle(event);
            processed.record(event.getSource().toString(), event.getId(), event.getType(),
                    reply.map(CloudEventHttp::toStructuredJson).orElse(null));
            handled.incrementAndGet();
            return reply.map(CloudEventEndpoint::reply).orElseGet(CloudEventEndpoint::accepted);
        } catch (InvalidPayloadException e) {
            return error(400, "invalid data: " + e.getMessage());
        } catch (RetryLater e) {
            failed.incrementAndGet();
            LOG.warn("event {} of type {} not handled yet: {}; answered 503 for a retry", event.getId(),
                    event.getType(), e.getMessage());
            return jsonError(503, e.getMessage() + "; retry later");
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            LOG.error("event {} of type {} failed", event.getId(), event.getType(), e);
            return jsonError(503, "temporarily unable to handle the event (" + e.getClass().getSimpleName()
                    + "); retry later");
        }
    }

    private static Response reply(CloudEvent event) {
        CloudEventHttp.Message m = CloudEventHttp.toBinary(event);
        return new Response(200, m.headers(), m.body());
    }

    private static Response accepted() {
        return new Response(202, Map.of(), new byte[0]);
    }

    private Response error(int status, String reason) {
        rejected.incrementAndGet();
        return jsonError(status, reason);
    }

    /** A JSON error answer: {"status": 400, "reason": "..."}. */
    public static Response jsonError(int status, String reason) {
        ObjectNode o = Json.mapper().createObjectNode().put("status", status).put("reason", reason);
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("content-type", "application/json");
        try {
            return new Response(status, headers, Json.mapper().writeValueAsBytes(o));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String reason(Throwable e) {
        String message = e.getMessage();
        while ((message == null || message.isBlank()) && e.getCause() != null) {
            e = e.getCause();
            message = e.getMessage();
        }
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
