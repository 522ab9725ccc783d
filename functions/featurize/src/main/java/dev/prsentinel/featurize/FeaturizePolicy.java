package dev.prsentinel.featurize;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a new feature set is due: enough new PRs since the last set, or the last set too old while
 * anything is new. Pure, so the rule is tested without a store.
 *
 * @param minNewPrs new PRs that make a set due
 * @param maxAge    age after which any new PR makes a set due
 */
public record FeaturizePolicy(long minNewPrs, Duration maxAge) {

    /**
     * The decision and why.
     *
     * @param due    whether to start a job
     * @param reason for logs and tests
     */
    public record Decision(boolean due, String reason) {
    }

    public Decision decide(long storedPrs, Optional<FeaturizeState.Last> last, Instant now) {
        if (storedPrs == 0) {
            return new Decision(false, "no PRs stored");
        }
        if (last.isEmpty()) {
            return new Decision(true, "no feature set yet, " + storedPrs + " PRs stored");
        }
        long fresh = storedPrs - last.get().prs();
        if (fresh >= minNewPrs) {
            return new Decision(true, fresh + " new PRs since " + last.get().featureSetId());
        }
        Duration age = Duration.between(last.get().createdAt(), now);
        if (fresh > 0 && age.compareTo(maxAge) >= 0) {
            return new Decision(true, fresh + " new PRs and " + last.get().featureSetId() + " is " + age + " old");
        }
        return new Decision(false, fresh + " new PRs (due at " + minNewPrs + "), last set " + age + " old");
    }
}
