package dev.prsentinel.core.features;

import dev.prsentinel.core.model.PullRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Feature spec v2: spec v1's inputs with two faults fixed, each measured in benchmarks/RESULTS.md
 * (issue 15) and benchmarks/MODEL-QUALITY.md.
 * <ul>
 *   <li>How long a PR has been open is read while it is still open. v1's {@code log_hours_to_close}
 *       is NaN for an open PR, which the scaler imputes as the median: a PR open for years looked
 *       like a typical one (0.7-2.9% of the benchmark's long-open PRs caught, over three seeds; v2
 *       15-95%). v2's {@code log_hours_open} runs to the close, or to the last update GitHub
 *       reports while open, and {@code open} says which.</li>
 *   <li>The 0/1 flags (author association, fork, draft, merged, merged fast, open, the missing
 *       indicators) are held within {@link Feature.Scaling#FLAG_LIMIT} of their median once scaled
 *       ({@link Feature.Scaling#FLAG}). Under v1 a flag set on 1% of the training rows was divided
 *       by a standard deviation of 0.1, so a draft alone scored 100 times a typical feature's error
 *       and the demo's top anomalies were ordinary drafts. Scaling every flag down instead (by its
 *       range, or by 0.5) was measured too: it changes every pullreqs value, and lost rubber stamps
 *       and comment floods on the shipped seed. Under the limit, every pullreqs flag that varies
 *       (set on 15% to 85% of rows; anything from 13% to 87% would do) keeps its v1 value, and only
 *       a rare one stops growing.</li>
 * </ul>
 * The vector is v1's with {@code log_hours_to_close} replaced in place and {@code open} appended,
 * so the two specs share one extractor ({@link FeatureSpecV1#write}) and cannot drift apart where
 * they agree.
 */
public final class FeatureSpecV2 {

    public static final int VERSION = 2;

    private static final String REPLACED = "log_hours_to_close";
    private static final Set<String> FLAGS = Set.of("merged_fast", "author_member", "author_contributor",
            "author_first_time", "author_none", "head_fork", "draft", "merged", "missing_split", "missing_counts",
            "missing_text", "missing_metadata", "missing_author");
    private static final int HOURS_OPEN = FeatureSpecV1.SPEC.names().indexOf(REPLACED);

    /** The features, in vector order. */
    public static final List<Feature> FEATURES = features();

    /** This spec as a {@link FeatureSpec}. */
    public static final FeatureSpec SPEC = FeatureSpec.of(VERSION, FEATURES, FeatureSpecV2::extract);

    private FeatureSpecV2() {
    }

    private static List<Feature> features() {
        List<Feature> out = new ArrayList<>();
        for (Feature f : FeatureSpecV1.FEATURES) {
            if (f.name().equals(REPLACED)) {
                out.add(new Feature("log_hours_open", FeatureGroup.TIMING, Feature.Scaling.ROBUST,
                        "log1p(hours from creation to close, or to the last update while open); NaN without"
                                + " either time"));
            } else {
                out.add(new Feature(f.name(), f.group(),
                        FLAGS.contains(f.name()) ? Feature.Scaling.FLAG : Feature.Scaling.ROBUST, f.description()));
            }
        }
        out.add(new Feature("open", FeatureGroup.TIMING, Feature.Scaling.FLAG,
                "1 while open (neither closed nor merged), 0 once closed; NaN without a state"));
        if (!out.stream().map(Feature::name).toList().containsAll(FLAGS)) {
            throw new IllegalStateException("a v2 flag is not a v1 feature");
        }
        return List.copyOf(out);
    }

    /** Writes the raw (unscaled) features into {@code out}; NaN marks a missing input. */
    public static void extract(PullRequest pr, double[] out) {
        int i = FeatureSpecV1.write(pr, out);
        Boolean open = open(pr);
        out[HOURS_OPEN] = open == null ? Double.NaN
                : FeatureSpecV1.hours(pr.createdAt(), open ? pr.updatedAt() : closedAt(pr));
        out[i++] = open == null ? Double.NaN : open ? 1 : 0;
        if (i != out.length) {
            throw new IllegalStateException("spec v2 wrote " + i + " of " + out.length + " features");
        }
    }

    /** Open unless a close or merge is recorded; null when the record has neither a state nor a close. */
    private static Boolean open(PullRequest pr) {
        if (closedAt(pr) != null || Boolean.TRUE.equals(pr.merged())) {
            return false;
        }
        if (pr.state() == null) {
            return null;
        }
        return "open".equals(pr.state());
    }

    private static Instant closedAt(PullRequest pr) {
        return pr.closedAt() != null ? pr.closedAt() : pr.mergedAt();
    }
}
