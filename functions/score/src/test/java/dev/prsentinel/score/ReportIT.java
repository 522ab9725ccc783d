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
        Map<String, Instant> created = new java.util.HashMap<>();
        TestModels.PRS.forEach(pr -> created.put(pr.key(), pr.createdAt()));
        Report.write(page, scored, created, new Report.ModelInfo("m", "3", scorer.model().threshold(),
                "http://127.0.0.1:5000/#/experiments/1/runs/abc", "feature set fs-v1-x: 400 PRs of the store"),
                Map.of(first.key(), "HUGE_CHANGE"), true, Instant.parse("2026-11-27T08:00:00Z"));

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
        // Each PR is a link to its page on GitHub.
        Matcher rows = Pattern.compile("<tr class=\"anomaly\"><td>(\\d+)</td><td><a href=\"([^\"]+)\">([^<]+)</a>")
                .matcher(dom);
        long n = 0;
        String top = null;
        while (rows.find()) {
            n++;
            String key = rows.group(3);
            assertThat(rows.group(2)).isEqualTo("https://github.com/" + key.substring(0, key.lastIndexOf('#'))
                    + "/pull/" + key.substring(key.lastIndexOf('#') + 1));
            if (top == null) {
                top = key;
            }
        }
        assertThat(n).isEqualTo(anomalous);
        String highest = scored.stream().max(java.util.Comparator.comparingDouble(s -> s.result().score()))
                .orElseThrow().key();
        assertThat(top).isEqualTo(highest);
        assertThat(dom).contains(scored.size() + " PRs scored with m version 3");
        assertThat(dom).containsPattern("<tr class=\"category\"><td>normal</td><td>\\d+</td></tr>");
        // Explanations in the units people read, not the model's log1p space.
        String table = dom.substring(dom.indexOf("<tbody id=\"top-anomalies\">"));
        table = table.substring(0, table.indexOf("</tbody>"));
        assertThat(table).doesNotContain("log_").containsPattern("\\(usually [0-9.,]+ to [0-9.,]+\\)");
        // Each anomaly says which detector flagged it.
        assertThat(Pattern.compile("<td>(one measure far out \\(tail\\)|unusual combination \\(reconstruction\\))</td>")
                .matcher(table).results().count()).isEqualTo(anomalous);
        assertThat(dom).contains("trained on feature set fs-v1-x: 400 PRs of the store")
                .contains("<a id=\"run-link\" href=\"http://127.0.0.1:5000/#/experiments/1/runs/abc\">");
        // Drift: the flagged share per quarter and per repository, each adding up to the whole.
        assertThat(sumOf(dom, "quarter", 2)).isEqualTo(scored.size());
        assertThat(sumOf(dom, "quarter", 3)).isEqualTo(anomalous);
        assertThat(sumOf(dom, "repository", 2)).isEqualTo(scored.size());
        assertThat(sumOf(dom, "repository", 3)).isEqualTo(anomalous);
        java.time.ZonedDateTime firstCreated = first.createdAt().atZone(java.time.ZoneOffset.UTC);
        assertThat(dom).contains("<tr class=\"quarter\"><td>" + firstCreated.getYear() + "-Q"
                + ((firstCreated.getMonthValue() - 1) / 3 + 1) + "</td>");
    }

    /** The sum of column {@code column} (1-based: 2 is PRs, 3 flagged) over the table rows of a class. */
    private static long sumOf(String dom, String rowClass, int column) {
        Matcher m = Pattern.compile("<tr class=\"" + rowClass + "\"><td>[^<]*</td><td>(\\d+)</td><td>(\\d+)</td>")
                .matcher(dom);
        long sum = 0;
        while (m.find()) {
            sum += Long.parseLong(m.group(column - 1));
        }
        return sum;
    }
}
