package dev.prsentinel.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.events.Events;
import dev.prsentinel.core.events.PrIngested;
import dev.prsentinel.core.events.SyncRequested;
import dev.prsentinel.core.github.GitHubPullRequests;
import dev.prsentinel.core.model.InvalidPayloadException;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.store.UpsertResult;
import io.cloudevents.CloudEvent;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The ingest function's logic, without Spring: what to do with each accepted event type.
 *
 * <p>GitHub webhooks carry the PR object, so they are stored at once and answered with
 * {@value EventTypes#PR_INGESTED}. Sync requests and pings start backfills that outlive the request
 * ({@link SyncJobs}) and post their results to K_SINK.
 */
public final class IngestHandlers implements Function<CloudEvent, CloudEvent> {

    public static final String FUNCTION = "ingest";

    /** The webhook types whose data holds a pull_request object. */
    public static final Set<String> GITHUB_TYPES = Set.of(EventTypes.GITHUB_PULL_REQUEST,
            EventTypes.GITHUB_PULL_REQUEST_REVIEW, EventTypes.GITHUB_PULL_REQUEST_REVIEW_COMMENT,
            EventTypes.GITHUB_PULL_REQUEST_REVIEW_THREAD);
    public static final Set<String> SYNC_TYPES = Set.of(EventTypes.SYNC_REQUESTED, EventTypes.PING);

    private final PullRequestStore store;
    private final SyncJobs syncJobs;
    private final Clock clock;

    public IngestHandlers(PullRequestStore store, SyncJobs syncJobs, Clock clock) {
        this.store = store;
        this.syncJobs = syncJobs;
        this.clock = clock;
    }

    /** Every accepted type. */
    public static Set<String> acceptedTypes() {
        return Set.copyOf(java.util.stream.Stream.concat(GITHUB_TYPES.stream(), SYNC_TYPES.stream()).toList());
    }

    /** The reply to an event, or null when there is none (the function's contract for Spring Cloud Function). */
    @Override
    public CloudEvent apply(CloudEvent event) {
        return handle(event).orElse(null);
    }

    public Optional<CloudEvent> handle(CloudEvent event) {
        if (GITHUB_TYPES.contains(event.getType())) {
            return onWebhook(event);
        }
        if (SYNC_TYPES.contains(event.getType())) {
            syncJobs.submit(event, Events.data(event, SyncRequested.class));
            return Optional.empty();
        }
        throw new InvalidPayloadException("type", "ingest does not handle " + event.getType());
    }

    private Optional<CloudEvent> onWebhook(CloudEvent event) {
        JsonNode payload = Events.dataTree(event);
        if (!payload.isObject()) {
            throw new InvalidPayloadException("data", "expected a webhook payload object");
        }
        JsonNode name = payload.path("repository").path("full_name");
        PullRequest pr = mapWebhook(payload, name.isTextual() ? name.asText() : null, Source.WEBHOOK);
        return ingested(event, pr.repo(), store.upsertAll(List.of(pr)), clock);
    }

    /**
     * The PR of a webhook payload: its pull_request object, with the payload's repository as the
     * fallback when the object lacks base.repo.
     */
    public static PullRequest mapWebhook(JsonNode payload, String repo, Source source) {
        JsonNode raw = payload.get("pull_request");
        if (raw == null || raw.isNull()) {
            throw new InvalidPayloadException("pull_request", "missing: not a pull request webhook payload");
        }
        return GitHubPullRequests.fromJson(raw, repo, source, "pull_request");
    }

    /** The pr.ingested event for what an upsert changed in one repository, or empty when nothing changed. */
    static Optional<CloudEvent> ingested(CloudEvent cause, String repo, UpsertResult result, Clock clock) {
        if (result.changed().isEmpty()) {
            return Optional.empty();
        }
        List<Instant> times = result.changed().stream().map(PullRequest::observedAt).filter(Objects::nonNull)
                .sorted().toList();
        PrIngested data = new PrIngested(repo,
                result.changed().stream().map(PullRequest::number).sorted(Comparator.naturalOrder()).toList(),
                result.inserted(), result.updated(), result.unchanged(),
                times.isEmpty() ? null : times.get(0), times.isEmpty() ? null : times.get(times.size() - 1));
        return Optional.of(Events.caused(cause, EventTypes.PR_INGESTED, PrIngested.VERSION, FUNCTION, repo, data,
                clock));
    }
}
