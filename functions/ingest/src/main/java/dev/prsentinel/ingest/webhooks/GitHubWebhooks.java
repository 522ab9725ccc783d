package dev.prsentinel.ingest.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.github.RepoNames;
import dev.prsentinel.core.http.CloudEventBinding;
import dev.prsentinel.core.http.Headers;
import dev.prsentinel.core.http.HttpAnswer;
import dev.prsentinel.core.model.InvalidPayloadException;
import dev.prsentinel.core.model.Source;
import dev.prsentinel.ingest.IngestHandlers;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /webhooks/github}: GitHub's own deliveries, received directly. Knative's GitHubSource
 * re-encodes each payload through typed structs and drops fields the features read
 * (author_association, draft, empty requested_reviewers, review events' labels), so it is not used.
 *
 * <p>A delivery is checked in this order, and nothing is handed on until every check passed: the
 * signature (401), the GitHub headers (400), the content type (415), then the payload: a pull
 * request event must map to a PR (400 naming the field). A ping is answered; event types the
 * pipeline does not use are accepted (202) and counted, so GitHub shows green deliveries. A PR
 * event becomes a CloudEvent (id = X-GitHub-Delivery, so a redelivery from GitHub's settings is the
 * same event and changes nothing; data = the body byte for byte) and is handed to the broker; GitHub
 * gets 202 once the broker took it, 503 if it did not, which it shows as a failed delivery that
 * can be redelivered.
 */
public final class GitHubWebhooks {

    private static final Logger LOG = LoggerFactory.getLogger(GitHubWebhooks.class);
    /** The X-GitHub-Event values handed on: those whose payload holds a pull_request object. */
    public static final Set<String> FORWARDED = Set.of("pull_request", "pull_request_review",
            "pull_request_review_comment", "pull_request_review_thread");
    private static final Pattern EVENT = Pattern.compile("[a-z_]{1,64}");
    private static final Pattern DELIVERY = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private static final Pattern ACTION = Pattern.compile("[a-z0-9_]{1,64}");

    /** Hands an event to the broker. */
    @FunctionalInterface
    public interface Broker {
        /** @return empty when the broker took the event, else why not */
        Optional<String> deliver(CloudEvent event);
    }

    private final java.util.function.Supplier<WebhookSignature> signature;
    private final java.util.function.BooleanSupplier refreshed;
    private final Broker broker;
    private final long maxBodyBytes;
    private final Clock clock;
    private final LongAdder forwarded = new LongAdder();
    private final LongAdder unauthorized = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final Map<String, LongAdder> ignored = new ConcurrentHashMap<>();

    /** @param signature the current secret's check; asked per delivery, so a rotated secret applies at once */
    public GitHubWebhooks(java.util.function.Supplier<WebhookSignature> signature, Broker broker, long maxBodyBytes,
            Clock clock) {
        this(signature, () -> false, broker, maxBodyBytes, clock);
    }

    /**
     * @param refreshed re-reads the secret after a signature that does not match, and says whether it
     *                  changed; then the signature is checked once more (core/secrets spaces such
     *                  re-reads, so forged deliveries cannot flood Vault)
     */
    public GitHubWebhooks(java.util.function.Supplier<WebhookSignature> signature,
            java.util.function.BooleanSupplier refreshed, Broker broker, long maxBodyBytes, Clock clock) {
        this.signature = signature;
        this.refreshed = refreshed;
        this.broker = broker;
        this.maxBodyBytes = maxBodyBytes;
        this.clock = clock;
    }

    /**
     * Counts since start.
     *
     * @param forwarded    PR deliveries handed to the broker
     * @param unauthorized deliveries refused for their signature
     * @param rejected     other 4xx answers
     * @param failed       503 answers (the broker did not take it)
     * @param ignored      accepted deliveries of other event types, by X-GitHub-Event (ping included)
     */
    public record Stats(long forwarded, long unauthorized, long rejected, long failed, Map<String, Long> ignored) {
    }

    public Stats stats() {
        Map<String, Long> byEvent = new TreeMap<>();
        ignored.forEach((k, v) -> byEvent.put(k, v.sum()));
        return new Stats(forwarded.sum(), unauthorized.sum(), rejected.sum(), failed.sum(), byEvent);
    }

    public HttpAnswer handle(String method, Headers headers, byte[] body) {
        if (!"POST".equals(method)) {
            return reject(405, "POST GitHub's webhook deliveries here");
        }
        if (body.length > maxBodyBytes) {
            return reject(413, "body exceeds the limit of " + maxBodyBytes + " bytes");
        }
        List<String> signatures = headers.all(WebhookSignature.HEADER);
        Optional<String> bad = signatures.size() > 1
                ? Optional.of(WebhookSignature.HEADER + " appears " + signatures.size() + " times")
                : signature.get().verify(signatures.isEmpty() ? null : signatures.get(0), body);
        if (bad.isPresent() && signatures.size() == 1 && refreshed.getAsBoolean()) {
            bad = signature.get().verify(signatures.get(0), body);
        }
        if (bad.isPresent()) {
            unauthorized.increment();
            LOG.warn("webhook delivery {} refused: {}", printable(headers.get("X-GitHub-Delivery")), bad.get());
            return HttpAnswer.error(401, bad.get());
        }
        String event = single(headers, "X-GitHub-Event", EVENT);
        String delivery = single(headers, "X-GitHub-Delivery", DELIVERY);
        if (event == null || delivery == null) {
            return reject(400, event == null ? "X-GitHub-Event: required once, lower-case letters and '_'"
                    : "X-GitHub-Delivery: required once, the delivery's GUID");
        }
        String media = CloudEventBinding.mediaType(headers.get("content-type"));
        if (!"application/json".equals(media)) {
            return reject(415, "Content-Type " + (media == null ? "missing" : media) + ": set the webhook's "
                    + "content type to application/json in its settings");
        }
        if (event.equals("ping")) {
            count(event);
            ObjectNode pong = Json.mapper().createObjectNode().put("status", "pong").put("delivery", delivery);
            return HttpAnswer.json(200, pong);
        }
        if (!FORWARDED.contains(event)) {
            count(event);
            ObjectNode ignore = Json.mapper().createObjectNode().put("status", "ignored").put("event", event)
                    .put("reason", "PR Sentinel uses only " + new java.util.TreeSet<>(FORWARDED));
            return HttpAnswer.json(202, ignore);
        }
        CloudEvent cloudEvent;
        try {
            cloudEvent = toCloudEvent(event, delivery, body);
        } catch (InvalidPayloadException e) {
            return reject(400, "invalid payload: " + e.getMessage());
        }
        Optional<String> refused = broker.deliver(cloudEvent);
        if (refused.isPresent()) {
            failed.increment();
            LOG.warn("webhook delivery {} ({}) not handed to the broker: {}", delivery, event, refused.get());
            return HttpAnswer.error(503, "the delivery could not be handed on (" + refused.get()
                    + "); redeliver it from the webhook's Recent Deliveries");
        }
        forwarded.increment();
        ObjectNode ok = Json.mapper().createObjectNode().put("status", "accepted").put("event", event)
                .put("delivery", delivery).put("type", cloudEvent.getType());
        return HttpAnswer.json(202, ok);
    }

    /**
     * The CloudEvent for a pull request delivery, after its PR was mapped once, so a payload that
     * cannot be stored is refused here, where GitHub shows the reason, not later at the broker.
     */
    CloudEvent toCloudEvent(String event, String delivery, byte[] body) {
        JsonNode payload;
        try {
            payload = Json.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidPayloadException("body", "not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new InvalidPayloadException("body", "unreadable");
        }
        if (payload == null || !payload.isObject()) {
            throw new InvalidPayloadException("body", "expected a JSON object");
        }
        JsonNode repoName = payload.path("repository").path("full_name");
        String repo = RepoNames.require(repoName.isTextual() ? repoName.asText() : null, "repository.full_name");
        int number = IngestHandlers.mapWebhook(payload, repo, Source.WEBHOOK).number();
        CloudEventBuilder b = CloudEventBuilder.v1().withId(delivery)
                .withSource(URI.create("https://github.com/" + repo))
                .withType(EventTypes.GITHUB_PREFIX + event)
                .withSubject(String.valueOf(number))
                .withTime(OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC))
                .withDataContentType("application/json")
                .withData(body);
        JsonNode action = payload.get("action");
        if (action != null && action.isTextual() && ACTION.matcher(action.asText()).matches()) {
            b.withExtension(EventTypes.GITHUB_ACTION, action.asText());
        }
        return b.build();
    }

    private static String single(Headers headers, String name, Pattern rule) {
        List<String> values = headers.all(name);
        return values.size() == 1 && rule.matcher(values.get(0)).matches() ? values.get(0) : null;
    }

    private void count(String event) {
        ignored.computeIfAbsent(event, e -> new LongAdder()).increment();
    }

    private HttpAnswer reject(int status, String reason) {
        rejected.increment();
        return HttpAnswer.error(status, reason);
    }

    private static String printable(String s) {
        return s == null ? "(no id)" : s.replaceAll("[^A-Za-z0-9-]", "?");
    }
}
