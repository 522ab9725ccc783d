package dev.prsentinel.core.events;

/**
 * CloudEvent types of the pipeline. Inputs from outside keep their producers' types; the
 * pipeline's own are dev.prsentinel.*, each with a versioned data schema ({@link #schema}), so a
 * payload change is a new schema version and consumers can tell which one they got.
 */
public final class EventTypes {

    /**
     * A GitHub webhook delivery as ingest's receiver hands it to the broker (the CloudEvents GitHub
     * adapter's attributes: id is X-GitHub-Delivery, source the repository's URL; the type is
     * com.github.EVENT, with the action in the githubaction extension so one exact Trigger filter
     * takes every action): data is GitHub's webhook body, byte for byte.
     */
    public static final String GITHUB_PREFIX = "com.github.";
    public static final String GITHUB_PULL_REQUEST = GITHUB_PREFIX + "pull_request";
    /** Review events: their pull_request object is partial (no counts). */
    public static final String GITHUB_PULL_REQUEST_REVIEW = GITHUB_PREFIX + "pull_request_review";
    public static final String GITHUB_PULL_REQUEST_REVIEW_COMMENT = GITHUB_PREFIX + "pull_request_review_comment";
    public static final String GITHUB_PULL_REQUEST_REVIEW_THREAD = GITHUB_PREFIX + "pull_request_review_thread";
    /** The extension attribute carrying a webhook's action (opened, closed, submitted, ...). */
    public static final String GITHUB_ACTION = "githubaction";
    /** Knative PingSource: data is the PingSource's configured data, here a {@link SyncRequested}. */
    public static final String PING = "dev.knative.sources.ping";
    /** A backfill request: data is {@link SyncRequested}. */
    public static final String SYNC_REQUESTED = "dev.prsentinel.sync.requested";
    /** PRs were stored: data is {@link PrIngested}. */
    public static final String PR_INGESTED = "dev.prsentinel.pr.ingested";

    /** A feature set is ready: data is {@link FeaturesReady}. */
    public static final String FEATURES_READY = "dev.prsentinel.features.ready";
    /** score scored the PRs of a pr.ingested with the serving model. */
    public static final String PR_SCORED = "dev.prsentinel.pr.scored";
    /** A feature job failed: data is {@link FeaturizeFailed}. */
    public static final String FEATURIZE_FAILED = "dev.prsentinel.featurize.failed";

    /** A model was trained and tracked: data is {@link ModelTrained}. */
    public static final String MODEL_TRAINED = "dev.prsentinel.model.trained";
    /** The gate put a model forward: data is {@link ModelTrained}. */
    public static final String MODEL_CANDIDATE = "dev.prsentinel.model.candidate";
    /**
     * A model was turned down, by one of two producers told apart by source and dataschema:
     * train-trigger's gate (data {@link ModelTrained} with the reasons, schema of this type) or the
     * blue/green promoter after its gates on the live service (data {@link RolloutOutcome}, schema
     * {@link #MODEL_ROLLOUT}).
     */
    public static final String MODEL_REJECTED = "dev.prsentinel.model.rejected";
    /** The promoter moved the traffic to a candidate and made it champion: data is {@link RolloutOutcome}. */
    public static final String MODEL_PROMOTED = "dev.prsentinel.model.promoted";
    /**
     * Roll out what waits behind the pinned traffic of score (a new image from git): data is
     * {@link RolloutRequested}. Argo CD's PostSync hook sends it.
     */
    public static final String ROLLOUT_REQUESTED = "dev.prsentinel.rollout.requested";
    /** The schema name of {@link RolloutOutcome}, the promoter's data for promoted and rejected. */
    public static final String MODEL_ROLLOUT = "dev.prsentinel.model.rollout";
    /** A training could not run: data is {@link TrainFailed}. */
    public static final String TRAIN_FAILED = "dev.prsentinel.train.failed";

    private EventTypes() {
    }

    /** The data schema URI of one of the pipeline's own types at a version. */
    public static String schema(String type, int version) {
        return "urn:prsentinel:schema:" + type + ":v" + version;
    }

    /** The source attribute of events a function emits. */
    public static String functionSource(String function) {
        return "urn:prsentinel:function:" + function;
    }
}
