package dev.prsentinel.bluegreen;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * The score Service as the promoter sees and changes it: Knative's in the cluster
 * ({@code knative.KnativeServiceRoutes}), the local router's on one machine. The promoter owns
 * exactly {@link Owned}'s fields, and writes all of them at once in every {@link #apply}, so its
 * state (the rollout annotation) and the traffic it describes never disagree.
 */
public interface ServiceRoutes {

    /** The annotation on the Service that holds the current or last rollout (JSON of {@link Rollout}). */
    String ROLLOUT_ANNOTATION = "bluegreen.prsentinel.dev/rollout";
    /** The template annotation the promoter sets so a new revision starts at the scale it will carry. */
    String INITIAL_SCALE = "autoscaling.knative.dev/initial-scale";
    /** The environment variable of the template that pins a revision to a registry version. */
    String MODEL_VERSION = "MODEL_VERSION";

    /**
     * One traffic target.
     *
     * @param revisionName   the revision, or null for the latest ready one
     * @param latestRevision true to follow the latest ready revision (only ever at 0% here)
     * @param percent        its share
     * @param tag            its tag (its own address), or null
     * @param url            in status only: the address it is reached at, or null
     */
    record Target(String revisionName, boolean latestRevision, long percent, String tag, String url) {

        public static Target pinned(String revision, long percent, String tag) {
            return new Target(revision, false, percent, tag, null);
        }
    }

    /**
     * What the Service holds now.
     *
     * @param resourceVersion       for optimistic concurrency: an apply against another fails with {@link Conflict}
     * @param generation            its spec's generation
     * @param observedGeneration    the generation Knative has reconciled (status)
     * @param latestCreatedRevision the newest revision Knative made from the template (status)
     * @param latestReadyRevision   the newest ready one (status)
     * @param traffic               the traffic block of the spec; empty when git's (none) is live
     * @param routed                the traffic as the route serves it (status), each with its URL
     * @param modelVersion          MODEL_VERSION in the template, or null (the registry's alias is served)
     * @param initialScale          the template's initial-scale, or null
     * @param rollout               the rollout annotation's JSON, or null
     */
    record ServiceState(String resourceVersion, long generation, long observedGeneration, String latestCreatedRevision,
            String latestReadyRevision, List<Target> traffic, List<Target> routed, String modelVersion,
            Integer initialScale, String rollout) {

        public ServiceState {
            traffic = List.copyOf(traffic);
            routed = List.copyOf(routed);
        }

        /**
         * The revision the spec gives all the traffic by name; else, as {@link #serving()}. What the
         * promoter decides from: the route's status lags the spec it was just given.
         */
        public Optional<String> intended() {
            return traffic.stream().filter(t -> t.percent() == 100 && t.revisionName() != null)
                    .map(Target::revisionName).findFirst().or(this::serving);
        }

        /** The revision holding all the traffic as routed now, or the latest ready one when nothing says. */
        public Optional<String> serving() {
            return routed.stream().filter(t -> t.percent() == 100 && t.revisionName() != null).map(Target::revisionName)
                    .findFirst().or(() -> Optional.ofNullable(latestReadyRevision));
        }
    }

    /**
     * A revision.
     *
     * @param name           its name
     * @param modelVersion   its MODEL_VERSION, or null
     * @param ready          its Ready condition is True
     * @param message        why it is not ready, when Knative says
     * @param actualReplicas pods it runs now
     */
    record RevisionState(String name, String modelVersion, boolean ready, String message, int actualReplicas) {
    }

    /**
     * Everything the promoter owns of the Service, written together.
     *
     * @param traffic      the whole traffic block
     * @param modelVersion MODEL_VERSION of the template, or null to leave it to git (not pinned)
     * @param initialScale the template's initial-scale, or null to leave it to git
     * @param rollout      the rollout annotation
     */
    record Owned(List<Target> traffic, String modelVersion, Integer initialScale, String rollout) {

        public Owned {
            traffic = List.copyOf(traffic);
        }
    }

    /** Another writer changed the Service since it was read: read again and decide again. */
    final class Conflict extends RuntimeException {
        public Conflict(String message) {
            super(message);
        }
    }

    ServiceState read();

    Optional<RevisionState> revision(String name);

    /**
     * Applies the promoter's fields, on the condition that the Service is still at
     * {@code resourceVersion}; returns the generation it is at afterwards.
     */
    long apply(Owned owned, String resourceVersion);

    /** Where a tag is reached: the route's URL for it, once the route serves it. */
    Optional<URI> address(String tag);
}
