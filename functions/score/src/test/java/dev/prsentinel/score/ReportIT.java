package dev.prsentinel.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.prsentinel.core.anomaly.Scorer;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.testing.TestModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report in a real browser: Debian's Chromium, headless, runs the page's script and prints the
 * DOM it built. The chart must hold a bar per bin with the counts summing to the PRs scored and the
 * threshold line; the table one row per top anomaly, highest first. Skips with a message without
 * Chromium (.ci/run installs it), and fails under CI=true.
 */
class ReportIT {

    @TempDir
    Path dir;

    private static String chromium() throws Exception {
        for (String c : List.of("chromium", "chromium-browser", "google-chrome")) {
            if (new ProcessBuilder("sh", "-c", "command -v " + c).start().waitFor() == 0) {
                return c;
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError("chromium is missing; .ci/run installs Debian's chromium");
        }
        assumeTrue(false, "skipped: no chromium (apt-get install chromium, as .ci/run does)");
        return null;
    }

    private static String renderedDom(String browser, Path page, Path profile) throws IOException,
            InterruptedException {
        Process p = new ProcessBuilder(browser, "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=" + profile, "--dump-dom", page.toUri().toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }

    @Test
    void theChartIsDrawnAndTheTableHoldsTheTopAnomalies() throws Exception {
        String browser = chromium();
        Scorer scorer = new Scorer(TestModels.calibrated(5));
        List<ScoredPr> scored = TestModels.PRS.stream()
                .map(pr -> new ScoredPr(pr.key(), scorer.explain(pr, 3))).toList();
        long anomalous = scored.stream().filter(s -> s.result().anomalous()).count();
        assertThat(anomalous).isBetween(5L, (long) Report.TOP);
        PullRequest first = TestModels.PRS.get(0);
        Path page = dir.resolve("report.html");
        Report.write(page, scored, new Report.ModelInfo("m", "3", scorer.model().threshold()),
                Map.of(first.key(), "HUGE_CHANGE"), Instant.parse("2026-11-27T08:00:00Z"));

        String dom = renderedDom(browser, page, dir.resolve("profile"));

        Matcher bars = Pattern.compile("<rect class=\"bar[^\"]*\"[^>]*data-count=\"(\\d+)\"").matcher(dom);
        long bins = 0;
        long total = 0;
        while (bars.find()) {
            bins++;
            total += Long.parseLong(bars.group(1));
        }
        assertThat(bins).as("bars drawn").isEqualTo(Report.BINS);
        assertThat(total).isEqualTo(scored.size());
        assertThat(dom).contains("id=\"threshold-line\"").contains("class=\"bar over\"");
        Matcher rows = Pattern.compile("<tr class=\"anomaly\"><td>(\\d+)</td><td>([^<]+)").matcher(dom);
        long n = 0;
        String top = null;
        while (rows.find()) {
            n++;
            if (top == null) {
                top = rows.group(2);
            }
        }
        assertThat(n).isEqualTo(anomalous);
        String highest = scored.stream().max(java.util.Comparator.comparingDouble(s -> s.result().score()))
                .orElseThrow().key();
        assertThat(top).isEqualTo(highest);
        assertThat(dom).contains(scored.size() + " PRs scored with m version 3");
        assertThat(dom).containsPattern("<tr class=\"category\"><td>normal</td><td>\\d+</td></tr>");
    }
}
