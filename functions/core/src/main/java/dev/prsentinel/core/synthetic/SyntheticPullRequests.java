package dev.prsentinel.core.synthetic;

import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.model.Source;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A seeded generator of realistic pull requests with a known list of injected anomalies, so a
 * demo or an evaluation can tell whether the later stages find them. The same seed and arguments
 * always give the same PRs.
 *
 * <p>Fitted to the real pullreqs data set (279,858 PRs) by {@code scripts/fit-synthetic.py}
 * (run 2026-11-27 over shared/datasets/pullreqs/pullreqs.csv.gz). Commits, files changed, changed
 * lines (src_churn + test_churn), conversation comments and review comments are drawn jointly
 * through a Gaussian copula: a correlated standard normal vector (the fitted normal-score
 * correlations), each coordinate mapped through its field's fitted quantiles, interpolated on the
 * log1p scale; so each field keeps its real marginal distribution (the 20% of PRs with no changed
 * lines, the heavy tails) and big PRs keep having more commits and files. The time to close, merge
 * rate, author association and fork rates, and the creation hour-of-week profile are fitted too.
 * Title and body length, labels, draft, requested reviewers and the additions/deletions split are
 * not in that data set: their parameters below are assumptions, marked as such.
 */
public final class SyntheticPullRequests {

    /** The owner of every generated repository: no such organisation's PRs exist on GitHub. */
    public static final String ORG = "synthetic-org";

    // The demo's set, as `prsentinel demo` generates it by default (local's Main and Demo) and as
    // train-trigger's DemoQualityBenchmark measures it: defined once, so the two cannot drift apart.
    /** PRs the demo generates unless told otherwise. */
    public static final int DEMO_PRS = 2000;
    /** The demo's generator seed unless told otherwise. */
    public static final long DEMO_SEED = 42;
    /** Repositories the demo's PRs are spread over. */
    public static final int DEMO_REPOS = 6;
    /** The share of the demo's PRs turned into anomalies. */
    public static final double DEMO_ANOMALY_RATE = 0.01;
    /** The end of the demo's window: fixed, so every run generates the same PRs and event ids. */
    public static final Instant DEMO_WINDOW_END = Instant.parse("2026-11-01T00:00:00Z");

    /** The probability levels of the fitted quantiles; 1.0 is the data set's maximum. */
    static final double[] LEVELS = {0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995,
        0.999, 1.0};
    /** Fitted quantiles at {@link #LEVELS}: commits, files changed, changed lines, comments, review comments. */
    static final int[][] QUANTILES = {
        {0, 1, 1, 1, 1, 1, 1, 2, 2, 3, 7, 12, 28, 54, 113, 250, 1379},
        {0, 1, 1, 1, 1, 2, 2, 3, 4, 7, 16, 33, 82, 164, 326, 1298, 29839},
        {0, 0, 0, 1, 4, 8, 17, 33, 68, 155, 466, 1158, 3192, 6373, 12018, 34211, 213148},
        {0, 0, 0, 0, 0, 0, 0, 1, 1, 3, 5, 8, 13, 18, 25, 47, 236},
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 4, 9, 15, 23, 54, 387},
    };
    /** Correlations of the fields' normal scores, same order (fitted): the copula's parameter. */
    static final double[][] CORR = {
        {1.0, 0.6488, 0.5621, 0.2274, 0.3081},
        {0.6488, 1.0, 0.6797, 0.1351, 0.2020},
        {0.5621, 0.6797, 1.0, 0.1776, 0.2409},
        {0.2274, 0.1351, 0.1776, 1.0, 0.3036},
        {0.3081, 0.2020, 0.2409, 0.3036, 1.0},
    };
    /** Fraction of PRs merged (fitted: 0.8074). */
    static final double MERGED = 0.8074;
    /** Hours from creation to close, log1p scale (fitted). */
    static final double CLOSE_HOURS_MEAN = 2.6653;
    static final double CLOSE_HOURS_SD = 2.3535;
    /** main_team_member (fitted) and prev_pullreqs == 0 (fitted) fractions. */
    static final double MEMBER = 0.4869;
    static final double FIRST_TIMER = 0.1993;
    /** intra_branch fraction (fitted): the rest come from forks. */
    static final double INTRA_BRANCH = 0.1670;
    /** Creation hour of week in UTC, Monday 00:00 first, per mille (fitted). */
    static final int[] HOUR_OF_WEEK = {
        3, 3, 3, 3, 3, 4, 4, 6, 6, 6, 7, 8, 9, 11, 10, 10, 10, 9, 10, 10, 9, 8, 6, 5,
        5, 4, 4, 3, 3, 4, 5, 7, 7, 7, 7, 9, 10, 11, 11, 11, 10, 10, 10, 10, 9, 7, 6, 6,
        5, 4, 4, 4, 4, 4, 5, 7, 7, 7, 8, 10, 10, 12, 11, 11, 10, 10, 10, 10, 9, 8, 6, 5,
        4, 4, 3, 4, 4, 4, 5, 6, 7, 7, 8, 9, 10, 11, 11, 11, 10, 10, 10, 9, 9, 7, 6, 5,
        4, 4, 4, 3, 4, 4, 5, 6, 7, 7, 7, 9, 10, 10, 10, 10, 9, 9, 9, 9, 8, 6, 5, 4,
        3, 3, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3,
        2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3,
    };

    /** Assumed (not in pullreqs): additions share of changed lines ~ N(0.7, 0.2) clipped to [0, 1]. */
    static final double ADDITION_SHARE_MEAN = 0.7;
    static final double ADDITION_SHARE_SD = 0.2;
    /** Assumed: title length log-normal, median 45 characters; body empty for 20%, else median 300. */
    static final double TITLE_LOG_MEAN = Math.log(45);
    static final double TITLE_LOG_SD = 0.45;
    static final double BODY_EMPTY = 0.20;
    static final double BODY_LOG_MEAN = Math.log(300);
    static final double BODY_LOG_SD = 1.1;
    /** Assumed: labels drawn from this list, 0 to 3 of them; 10% of open PRs are drafts. */
    static final List<String> LABELS = List.of("bug", "enhancement", "documentation", "dependencies", "tests",
            "refactor");
    static final double DRAFT_WHEN_OPEN = 0.10;

    private static final double[][] CHOLESKY = cholesky(CORR);
    private static final int AUTHORS = 400;

    /** The kinds of injected anomaly; each changes a normal PR in one documented way. */
    public enum Kind {
        /** A dump: 50k-200k changed lines over 1,500-5,000 files (vendored code), past the data's p99.9 in both. */
        HUGE_CHANGE,
        /** One file with 20k-100k changed lines: a generated or minified blob. */
        SIZE_MISMATCH,
        /** 300-800 commits for a small change: a rebase gone wrong or a bot (the data's p99.9 is 250). */
        COMMIT_STORM,
        /** A first-time contributor's large change from a fork, merged within minutes with no discussion. */
        RUBBER_STAMP,
        /** 150-500 comments and 100-300 review comments on a tiny change: a flame war. */
        COMMENT_FLOOD,
        /** Open for 2-6 years and still touched in the last month: an abandoned PR nobody closed. */
        LONG_OPEN,
        /**
         * An author with no relation to the repository (association NONE, from a fork): 15k-60k lines
         * over 200-1,000 files in 1-5 commits, merged 2-15 minutes after it was opened, with at most two
         * comments.
         */
        NEWCOMER_MASS_CHANGE,
        /** A member's 30k-150k lines over 300-2,000 files merged 5-60 seconds after it was opened. */
        INSTANT_GIANT_MERGE,
        /** 800-3,000 files with one or two lines each: a mass rename or header change. */
        MANY_FILES_NO_CHURN,
        /**
         * A contributor's (not a member's) 2k-8k lines over 30-120 files from a fork, merged after 2-48
         * hours with no comment, no review comment and no reviewer requested.
         */
        REVIEWLESS_MERGE;

        /**
         * The kinds the demo's generator injects: the first five. The others are measured on real
         * PRs by the quality benchmark; they join the demo with the features that catch them.
         */
        public static final List<Kind> DEMO = List.of(HUGE_CHANGE, SIZE_MISMATCH, COMMIT_STORM, RUBBER_STAMP,
                COMMENT_FLOOD);
    }

    /**
     * One injected anomaly.
     *
     * @param repo   repository
     * @param number PR number
     * @param kind   what was done to it
     */
    public record InjectedAnomaly(String repo, int number, Kind kind) {

        /** The storage key of the PR, as {@link PullRequest#key()}. */
        public String key() {
            return PullRequest.key(repo, number);
        }
    }

    /**
     * A generated set.
     *
     * @param pullRequests every PR, anomalies included, in creation order
     * @param anomalies    the injected anomalies
     */
    public record Generated(List<PullRequest> pullRequests, List<InjectedAnomaly> anomalies) {

        /** The kind of each injected anomaly by PR key; PRs not in it are normal. */
        public Map<String, Kind> kindByKey() {
            Map<String, Kind> kinds = new HashMap<>();
            anomalies.forEach(a -> kinds.put(a.key(), a.kind()));
            return kinds;
        }
    }

    private SyntheticPullRequests() {
    }

    /**
     * Generates {@code count} PRs created over the 180 days before {@code end}, spread over
     * {@code repos} repositories named synthetic-org/repo-N (a few busy ones, many quiet ones).
     *
     * @param anomalyRate fraction of PRs turned into anomalies, kinds taken in turn
     */
    public static Generated generate(long seed, int count, int repos, double anomalyRate, Instant end) {
        if (count < 0 || repos < 1 || anomalyRate < 0 || anomalyRate > 1) {
            throw new IllegalArgumentException("count >= 0, repos >= 1, 0 <= anomalyRate <= 1");
        }
        Random random = new Random(seed);
        Instant start = end.minus(Duration.ofDays(180));
        List<Instant> created = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            created.add(creationTime(random, start, end));
        }
        created.sort(Instant::compareTo);
        int[] nextNumber = new int[repos];
        double[] repoWeights = new double[repos];
        for (int r = 0; r < repos; r++) {
            repoWeights[r] = 1.0 / (r + 1);
        }
        List<PullRequest> prs = new ArrayList<>(count);
        List<InjectedAnomaly> anomalies = new ArrayList<>();
        List<Kind> kinds = Kind.DEMO;
        for (int i = 0; i < count; i++) {
            int r = pick(random, repoWeights);
            String repo = ORG + "/repo-" + r;
            int number = ++nextNumber[r];
            PullRequest pr = normal(random, repo, number, created.get(i), end);
            if (random.nextDouble() < anomalyRate) {
                Kind kind = kinds.get(anomalies.size() % kinds.size());
                pr = inject(random, pr, kind, end);
                anomalies.add(new InjectedAnomaly(repo, number, kind));
            }
            prs.add(pr);
        }
        return new Generated(List.copyOf(prs), List.copyOf(anomalies));
    }

    private static PullRequest normal(Random random, String repo, int number, Instant created, Instant end) {
        double[] z = new double[CORR.length];
        for (int i = 0; i < z.length; i++) {
            z[i] = random.nextGaussian();
        }
        int[] v = new int[CORR.length];
        for (int i = 0; i < CORR.length; i++) {
            double x = 0;
            for (int j = 0; j <= i; j++) {
                x += CHOLESKY[i][j] * z[j];
            }
            v[i] = quantile(QUANTILES[i], normalCdf(x));
        }
        // A GitHub PR has at least one commit and one file; 1-1.5% of pullreqs rows say 0 (data quirks).
        int commits = Math.max(1, v[0]);
        int files = Math.max(1, v[1]);
        int lines = v[2];
        double share = clip(ADDITION_SHARE_MEAN + ADDITION_SHARE_SD * random.nextGaussian(), 0, 1);
        int additions = (int) Math.round(lines * share);
        double hoursToClose = Math.max(0.01, Math.expm1(CLOSE_HOURS_MEAN + CLOSE_HOURS_SD * random.nextGaussian()));
        Instant closeTime = created.plusSeconds((long) (hoursToClose * 3600));
        boolean closed = closeTime.isBefore(end);
        boolean merged = closed && random.nextDouble() < MERGED;
        Instant updated = closed ? closeTime
                : created.plusSeconds((long) (random.nextDouble() * Duration.between(created, end).getSeconds()));
        String association = random.nextDouble() < MEMBER ? "MEMBER"
                : random.nextDouble() < FIRST_TIMER / (1 - MEMBER) ? "FIRST_TIME_CONTRIBUTOR" : "CONTRIBUTOR";
        int bodyLength = random.nextDouble() < BODY_EMPTY ? 0
                : (int) Math.max(1, Math.round(Math.exp(BODY_LOG_MEAN + BODY_LOG_SD * random.nextGaussian())));
        return new PullRequest(repo, number, Source.SYNTHETIC,
                (int) clip(Math.round(Math.exp(TITLE_LOG_MEAN + TITLE_LOG_SD * random.nextGaussian())), 3, 256),
                bodyLength,
                closed ? "closed" : "open",
                !closed && random.nextDouble() < DRAFT_WHEN_OPEN,
                merged,
                additions, lines - additions, lines, files, commits, v[3], v[4],
                labels(random),
                random.nextInt(3),
                association,
                "dev-" + random.nextInt(AUTHORS),
                created, updated,
                merged ? closeTime : null,
                closed ? closeTime : null,
                "main",
                "feature/" + repo.substring(repo.indexOf('/') + 1) + "-" + number,
                random.nextDouble() >= INTRA_BRANCH);
    }

    /**
     * Turns a PR, generated or real, into an anomaly of {@code kind}; what the kind does not touch
     * stays as it was, missing values included (real pullreqs rows have no additions, for one).
     *
     * @param end no time moves past this
     */
    public static PullRequest inject(Random random, PullRequest pr, Kind kind, Instant end) {
        int lines;
        int files;
        Integer commits = pr.commits();
        Integer comments = pr.comments();
        Integer reviewComments = pr.reviewComments();
        Instant created = pr.createdAt();
        Instant mergedAt = pr.mergedAt();
        Instant closedAt = pr.closedAt();
        Instant updated = pr.updatedAt();
        String state = pr.state();
        Boolean merged = pr.merged();
        String association = pr.authorAssociation();
        Boolean fork = pr.headFork();
        Integer reviewers = pr.requestedReviewers();
        // Seconds from opening to the merge, for the kinds that merge the PR; applied after the switch.
        Integer mergeAfter = null;
        int oldLines = pr.changedLines() == null ? 0 : pr.changedLines();
        int oldFiles = pr.changedFiles() == null ? 1 : pr.changedFiles();
        switch (kind) {
            case HUGE_CHANGE -> {
                lines = between(random, 50_000, 200_000);
                files = between(random, 1_500, 5_000);
            }
            case SIZE_MISMATCH -> {
                lines = between(random, 20_000, 100_000);
                files = 1;
            }
            case COMMIT_STORM -> {
                lines = Math.min(oldLines, 200);
                files = Math.min(oldFiles, 5);
                commits = between(random, 300, 800);
            }
            case RUBBER_STAMP -> {
                lines = between(random, 3_000, 12_000);
                files = between(random, 40, 150);
                comments = 0;
                reviewComments = 0;
                association = "FIRST_TIME_CONTRIBUTOR";
                fork = true;
                mergeAfter = between(random, 30, 300);
            }
            case COMMENT_FLOOD -> {
                lines = Math.min(oldLines, 20);
                files = 1;
                comments = between(random, 150, 500);
                reviewComments = between(random, 100, 300);
            }
            case LONG_OPEN -> {
                lines = oldLines;
                files = oldFiles;
                created = end.minus(Duration.ofDays(between(random, 2 * 365, 6 * 365)));
                updated = end.minus(Duration.ofDays(between(random, 1, 30)));
                state = "open";
                merged = false;
                mergedAt = null;
                closedAt = null;
            }
            case NEWCOMER_MASS_CHANGE -> {
                lines = between(random, 15_000, 60_000);
                files = between(random, 200, 1_000);
                commits = between(random, 1, 5);
                comments = between(random, 0, 2);
                reviewComments = 0;
                association = "NONE";
                fork = true;
                mergeAfter = between(random, 120, 900);
            }
            case INSTANT_GIANT_MERGE -> {
                lines = between(random, 30_000, 150_000);
                files = between(random, 300, 2_000);
                comments = 0;
                reviewComments = 0;
                association = "MEMBER";
                fork = false;
                mergeAfter = between(random, 5, 60);
            }
            case MANY_FILES_NO_CHURN -> {
                files = between(random, 800, 3_000);
                lines = files * between(random, 1, 2);
            }
            case REVIEWLESS_MERGE -> {
                lines = between(random, 2_000, 8_000);
                files = between(random, 30, 120);
                comments = 0;
                reviewComments = 0;
                reviewers = 0;
                association = "CONTRIBUTOR";
                fork = true;
                mergeAfter = between(random, 2 * 3600, 48 * 3600);
            }
            default -> throw new IllegalStateException("unknown kind " + kind);
        }
        if (mergeAfter != null) {
            merged = true;
            state = "closed";
            mergedAt = created.plusSeconds(mergeAfter);
            if (mergedAt.isAfter(end)) {
                // No time passes the end: the PR was opened earlier.
                created = end.minusSeconds(mergeAfter + 60L);
                mergedAt = created.plusSeconds(mergeAfter);
            }
            closedAt = mergedAt;
            updated = mergedAt;
        }
        Integer additions = pr.additions() == null ? null
                : (int) Math.round(lines * ((double) pr.additions() / Math.max(1, oldLines)));
        return new PullRequest(pr.repo(), pr.number(), pr.source(), pr.titleLength(), pr.bodyLength(), state,
                pr.draft() == null ? null : "open".equals(state) && pr.draft(), merged,
                additions, additions == null ? null : lines - additions, lines, files, commits, comments,
                reviewComments, pr.labels(), reviewers, association, pr.author(),
                created, updated, mergedAt, closedAt, pr.baseRef(), pr.headRef(), fork);
    }

    /** The fitted quantile function at probability u, interpolated between knots on the log1p scale. */
    static int quantile(int[] knots, double u) {
        for (int k = 1; k < LEVELS.length; k++) {
            if (u <= LEVELS[k]) {
                double t = (u - LEVELS[k - 1]) / (LEVELS[k] - LEVELS[k - 1]);
                double a = Math.log1p(knots[k - 1]);
                double b = Math.log1p(knots[k]);
                return (int) Math.round(Math.expm1(a + t * (b - a)));
            }
        }
        return knots[knots.length - 1];
    }

    /** The standard normal CDF (Abramowitz and Stegun 26.2.17, absolute error below 7.5e-8). */
    static double normalCdf(double x) {
        double t = 1 / (1 + 0.2316419 * Math.abs(x));
        double poly = t * (0.319381530 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978
                + t * 1.330274429))));
        double tail = Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI) * poly;
        return x >= 0 ? 1 - tail : tail;
    }

    private static Instant creationTime(Random random, Instant start, Instant end) {
        long weeks = Math.max(1, Duration.between(start, end).toDays() / 7);
        int hourOfWeek = pick(random, Arrays.stream(HOUR_OF_WEEK).asDoubleStream().toArray());
        // Weeks counted back from the Monday before `end`, so the weekday profile lines up.
        Instant monday = end.truncatedTo(ChronoUnit.DAYS)
                .minus(Duration.ofDays((end.atZone(java.time.ZoneOffset.UTC).getDayOfWeek().getValue() - 1)));
        Instant t = monday.minus(Duration.ofDays(7 * (long) random.nextInt((int) weeks)))
                .plus(Duration.ofHours(hourOfWeek)).plusSeconds(random.nextInt(3600));
        return t.isAfter(end) ? t.minus(Duration.ofDays(7)) : t;
    }

    private static List<String> labels(Random random) {
        int n = random.nextInt(4);
        List<String> picked = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String label = LABELS.get(random.nextInt(LABELS.size()));
            if (!picked.contains(label)) {
                picked.add(label);
            }
        }
        return picked;
    }

    private static int pick(Random random, double[] weights) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            u -= weights[i];
            if (u < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    private static int between(Random random, int low, int high) {
        return low + random.nextInt(high - low + 1);
    }

    private static double clip(double x, double low, double high) {
        return Math.max(low, Math.min(high, x));
    }

    static double[][] cholesky(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = a[i][j];
                for (int k = 0; k < j; k++) {
                    sum -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    if (sum <= 0) {
                        throw new IllegalArgumentException("matrix is not positive definite");
                    }
                    l[i][i] = Math.sqrt(sum);
                } else {
                    l[i][j] = sum / l[j][j];
                }
            }
        }
        return l;
    }
}
