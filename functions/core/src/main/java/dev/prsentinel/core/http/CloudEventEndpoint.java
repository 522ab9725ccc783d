package dev.prsentinel.core.http;

import dev.prsentinel.core.events.EventLedger;
import dev.prsentinel.core.model.InvalidPayloadException;
import dev.prsentinel.core.events.RetryLater;
import dev.prsentinel.core.secrets.CredentialsRefused;
import dev.prsentinel.core.secrets.Rotating;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CloudEvent face of a function, framework-free so every function shares it and tests need no
 * server: reads an event with {@link CloudEventBinding} (binary or structured mode, to the letter),
 * rejects what is invalid with a 4xx and a reason, handles each event once through the
 * {@link EventLedger} (a redelivery, or a concurrent copy, gets the reply the first copy got),
 * dispatches by type, and writes the reply in binary mode.
 *
 * <p>Statuses: 200 with a reply event; 202 when there is nothing to reply (or the work continues
 * and posts to K_SINK later); 400 invalid event or payload, or unsupported type; 413 oversized
 * body; 415 data that is not JSON; 503 when a dependency failed, which a broker retries. Never
 * 500, never a stack trace, never a Java class name in an answer.
 */
public final class CloudEventEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(CloudEventEndpoint.class);
    /** Larger header values are refused by common servers (8 KiB is nginx's and Go's default). */
    private static final int MAX_REPLY_HEADER = 4096;

    /** Handles one event type. Throws {@link InvalidPayloadException} for bad data. */
    @FunctionalInterface
    public interface Handler {
        /** The reply, or empty when there is none. */
        Optional<CloudEvent> handle(CloudEvent event);
    }

    private final Map<String, Handler> handlers;
    private final EventLedger ledger;
    private final long maxBodyBytes;
    private final Duration waitForCopy;
    private final AtomicLong handled = new AtomicLong();
    private final AtomicLong redelivered = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /**
     * @param handlers     the handler of each accepted type
     * @param ledger       where handled events are remembered
     * @param maxBodyBytes larger bodies are refused with 413
     */
    public CloudEventEndpoint(Map<String, Handler> handlers, EventLedger ledger, long maxBodyBytes) {
        this(handlers, ledger, maxBodyBytes, Duration.ofSeconds(5));
    }

    /**
     * @param waitForCopy how long a copy of an event that is being handled waits for that handling's
     *                    reply before it is answered 503 (retry later)
     */
    public CloudEventEndpoint(Map<String, Handler> handlers, EventLedger ledger, long maxBodyBytes,
            Duration waitForCopy) {
        this.handlers = Map.copyOf(handlers);
        this.ledger = ledger;
        this.maxBodyBytes = maxBodyBytes;
        this.waitForCopy = waitForCopy;
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

    /** As {@link #handle(Headers, byte[])}, for headers with one value each. */
    public HttpAnswer handle(Map<String, String> headers, byte[] body) {
        return handle(Headers.of(headers), body);
    }

    public HttpAnswer handle(Headers headers, byte[] body) {
        if (body.length > maxBodyBytes) {
            return error(413, "body exceeds the limit of " + maxBodyBytes + " bytes");
        }
        CloudEvent event;
        try {
            event = CloudEventBinding.read(headers, body);
        } catch (InvalidEvent e) {
            return error(e.status(), "not a valid CloudEvent: " + e.getMessage());
        }
        Handler handler = handlers.get(event.getType());
        if (handler == null) {
            return error(400, "unsupported event type " + event.getType() + "; accepted: "
                    + new TreeSet<>(handlers.keySet()));
        }
        if (event.getData() != null && !CloudEventBinding.isJson(event.getDataContentType())) {
            return error(415, "datacontenttype " + (event.getDataContentType() == null
                    ? "is missing (binary mode: the Content-Type header)" : event.getDataContentType())
                    + ": " + event.getType() + " data must be application/json");
        }
        String source = event.getSource().toString();
        try {
            EventLedger.Claim claim = ledger.claim(source, event.getId(), event.getType());
            if (claim.state() == EventLedger.State.IN_PROGRESS) {
                claim = awaitCopy(source, event.getId(), event.getType());
            }
            if (claim.state() == EventLedger.State.DONE) {
                redelivered.incrementAndGet();
                LOG.info("redelivered event {} from {}: answering as before", event.getId(), source);
                return claim.reply() == null ? HttpAnswer.empty(202)
                        : reply(CloudEventBinding.fromStructuredJson(claim.reply()));
            }
            if (claim.state() != EventLedger.State.CLAIMED) {
                failed.incrementAndGet();
                return HttpAnswer.error(503, "a copy of event " + event.getId()
                        + " is being handled; retry later for its reply");
            }
        } catch (RuntimeException e) {
            return storeFailed(event, e);
        }
        return handleClaimed(event, handler, source);
    }

    private HttpAnswer handleClaimed(CloudEvent event, Handler handler, String source) {
        Optional<CloudEvent> reply;
        HttpAnswer answer;
        try {
            reply = handler.handle(event);
            // Rendered before the event is recorded: an answer that cannot be sent must not leave the
            // event marked as handled.
            answer = reply.map(CloudEventEndpoint::reply).orElseGet(() -> HttpAnswer.empty(202));
        } catch (InvalidPayloadException e) {
            release(source, event);
            return error(400, "invalid data: " + e.getMessage());
        } catch (RetryLater e) {
            release(source, event);
            failed.incrementAndGet();
            LOG.warn("event {} of type {} not handled yet: {}; answered 503 for a retry", event.getId(),
                    event.getType(), e.getMessage());
            return HttpAnswer.error(503, e.getMessage() + "; retry later");
        } catch (RuntimeException e) {
            release(source, event);
            refusal(e);
            failed.incrementAndGet();
            LOG.error("event {} of type {} failed", event.getId(), event.getType(), e);
            return HttpAnswer.error(503, "temporarily unable to handle the event; retry later");
        }
        try {
            ledger.complete(source, event.getId(), reply.map(CloudEventBinding::toStructuredJson).orElse(null));
        } catch (RuntimeException e) {
            release(source, event);
            return storeFailed(event, e);
        }
        handled.incrementAndGet();
        return answer;
    }

    /** Polls for the reply of a copy that another request is handling. */
    private EventLedger.Claim awaitCopy(String source, String id, String type) {
        long deadline = System.nanoTime() + waitForCopy.toNanos();
        EventLedger.Claim claim = ledger.find(source, id);
        while (claim.state() == EventLedger.State.IN_PROGRESS && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            claim = ledger.find(source, id);
        }
        if (claim.state() == EventLedger.State.ABSENT) {
            // The other copy failed and gave its claim back: this one may handle it now.
            return ledger.claim(source, id, type);
        }
        return claim;
    }

    private void release(String source, CloudEvent event) {
        try {
            ledger.release(source, event.getId());
        } catch (RuntimeException e) {
            LOG.warn("claim of event {} not given back ({}); it expires with its lease", event.getId(),
                    e.getMessage());
        }
    }

    /**
     * Refused credentials go up, not into a 503: the function's {@link Rotating} re-reads its secrets
     * and retries the event once, usually with a rotated password that works.
     */
    private static void refusal(RuntimeException e) {
        if (CredentialsRefused.in(e)) {
            throw CredentialsRefused.of("the store", e);
        }
    }

    private HttpAnswer storeFailed(CloudEvent event, RuntimeException e) {
        refusal(e);
        failed.incrementAndGet();
        LOG.warn("event {} of type {}: the event record is unavailable: {}", event.getId(), event.getType(),
                e.getMessage());
        return HttpAnswer.error(503, "the event record is unavailable; retry later");
    }

    private static HttpAnswer reply(CloudEvent event) {
        CloudEventBinding.Message m = CloudEventBinding.toBinary(event);
        m.headers().forEach((name, value) -> {
            if (value.length() > MAX_REPLY_HEADER) {
                throw new IllegalStateException("reply header " + name + " of " + value.length()
                        + " characters exceeds " + MAX_REPLY_HEADER);
            }
        });
        return new HttpAnswer(200, m.headers(), m.body());
    }

    private HttpAnswer error(int status, String reason) {
        rejected.incrementAndGet();
        return HttpAnswer.error(status, reason);
    }
}
