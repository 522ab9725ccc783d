package dev.prsentinel.benchmarks;

import dev.prsentinel.core.anomaly.Scorer;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The scorer alone, one PR at a time (batch 1), beside the feature extraction it starts with (the
 * baseline in the same run): extraction, extraction + score, extraction + score + explanation
 * (top 3). The model has the shipped shape (the current spec's width, 16-8-16, the tail detector
 * beside it) with seeded random weights: the cost does not depend on the values. The same
 * autoencoder without the tail detector is the second parameter, what a v3 package costs, so the
 * tail's share is measured in the same run. Target: explain at most 5 us per PR. Run:
 * {@code benchmarks/run-score.sh} (or the JMH main with this class's name).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ScorerBenchmark {

    /** {@code shipped}: the tail detector beside the autoencoder; {@code autoencoder}: the autoencoder alone. */
    @Param({"shipped", "autoencoder"})
    public String model;

    private PullRequest[] prs;
    private Scorer scorer;
    private int next;

    @Setup
    public void setUp() {
        List<PullRequest> generated = SyntheticPullRequests.generate(3, 1024, 4, 0.01,
                Instant.parse("2026-11-01T00:00:00Z")).pullRequests();
        prs = generated.toArray(PullRequest[]::new);
        scorer = new Scorer(ScoreBenchFixtures.model("shipped".equals(model)));
    }

    private PullRequest nextPr() {
        next = (next + 1) & 1023;
        return prs[next];
    }

    @Benchmark
    public double[] extractBaseline() {
        return FeatureSpecs.CURRENT.extract(nextPr(), scorer.model().repositories());
    }

    @Benchmark
    public double extractAndScore() {
        return scorer.score(FeatureSpecs.CURRENT.extract(nextPr(), scorer.model().repositories()));
    }

    @Benchmark
    public Scorer.Score extractScoreAndExplain() {
        return scorer.explain(nextPr(), 3);
    }
}
