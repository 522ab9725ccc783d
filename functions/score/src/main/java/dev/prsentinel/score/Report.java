package dev.prsentinel.score;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.anomaly.Scorer;
import dev.prsentinel.core.features.FeatureUnits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One self-contained HTML page of a scoring: the score histogram (log scale) with the threshold,
 * the top anomalies (each a link to its page on GitHub) with their explanations in the units
 * people read, counts by category, the flagged share per quarter and per repository (drift shows
 * there), and the model with its training data and run. No external
 * files or network: the data is embedded as JSON and a short script draws the chart (SVG) and
 * fills the tables, so the page opens anywhere, offline.
 */
public final class Report {

    /** Anomalies listed, highest score first. */
    static final int TOP = 50;
    static final int BINS = 40;

    /**
     * What the page says about the model.
     *
     * @param name         registered model
     * @param version      its version
     * @param threshold    its threshold
     * @param runLink      its training run (MLflow's page, or the run's folder), or null
     * @param trainingData what it was trained on, in words (feature set, rows, time), or null
     */
    public record ModelInfo(String name, String version, double threshold, String runLink, String trainingData) {

        public ModelInfo(String name, String version, double threshold) {
            this(name, version, threshold, null, null);
        }
    }

    /** Repositories listed in the per-repository table, most PRs first. */
    static final int REPOSITORIES = 100;

    private Report() {
    }

    /**
     * Writes the page.
     *
     * @param marks optional label per PR key (e.g. the injected anomaly's kind in the demo), shown beside it
     */
    public static void write(Path file, List<ScoredPr> scored, ModelInfo model, Map<String, String> marks,
            Instant generatedAt) throws IOException {
        write(file, scored, Map.of(), model, marks, true, generatedAt);
    }

    /**
     * Writes the page.
     *
     * @param createdAt   each PR's creation time by key, for the flagged share over time (quarters)
     * @param githubLinks whether each PR links to its page on GitHub (not for synthetic PRs)
     * @param marks       optional label per PR key (e.g. the injected anomaly's kind in the demo)
     */
    public static void write(Path file, List<ScoredPr> scored, Map<String, Instant> createdAt, ModelInfo model,
            Map<String, String> marks, boolean githubLinks, Instant generatedAt) throws IOException {
        ObjectNode data = Json.mapper().createObjectNode();
        ObjectNode m = data.putObject("model").put("name", model.name()).put("version", model.version())
                .put("threshold", model.threshold());
        if (model.runLink() != null) {
            m.put("run_link", model.runLink());
        }
        if (model.trainingData() != null) {
            m.put("training_data", model.trainingData());
        }
        data.put("generated_at", generatedAt.toString()).put("scored", scored.size());
        long anomalous = scored.stream().filter(s -> s.result().anomalous()).count();
        data.put("anomalous", anomalous);

        // Log10 bins between the smallest and largest positive score: scores span orders of magnitude.
        double lo = scored.stream().mapToDouble(s -> s.result().score()).filter(v -> v > 0).min().orElse(1e-6);
        double hi = scored.stream().mapToDouble(s -> s.result().score()).max().orElse(1);
        double a = Math.log10(Math.min(lo, model.threshold()));
        double b = Math.log10(Math.max(hi, model.threshold())) + 1e-9;
        long[] counts = new long[BINS];
        for (ScoredPr s : scored) {
            double v = Math.log10(Math.max(s.result().score(), lo));
            counts[(int) Math.min(BINS - 1, Math.max(0, (v - a) / (b - a) * BINS))]++;
        }
        ObjectNode histogram = data.putObject("histogram").put("log10_from", a).put("log10_to", b)
                .put("log10_threshold", Math.log10(model.threshold()));
        ArrayNode c = histogram.putArray("counts");
        for (long n : counts) {
            c.add(n);
        }

        Map<String, Long> byCategory = new TreeMap<>();
        scored.forEach(s -> byCategory.merge(s.result().category(), 1L, Long::sum));
        ObjectNode categories = data.putObject("categories");
        byCategory.forEach(categories::put);

        // Drift shows as a flagged share that moves: per repository (most PRs first) and per quarter.
        Map<String, long[]> byRepo = new java.util.HashMap<>();
        Map<String, long[]> byQuarter = new TreeMap<>();
        for (ScoredPr s : scored) {
            int flagged = s.result().anomalous() ? 1 : 0;
            long[] r = byRepo.computeIfAbsent(repo(s.key()), k -> new long[2]);
            r[0]++;
            r[1] += flagged;
            Instant created = createdAt.get(s.key());
            long[] q = byQuarter.computeIfAbsent(created == null ? "unknown" : quarter(created), k -> new long[2]);
            q[0]++;
            q[1] += flagged;
        }
        data.put("repositories", byRepo.size());
        ArrayNode repos = data.putArray("by_repository");
        byRepo.entrySet().stream().sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> e.getValue()[0])
                .reversed().thenComparing(Map.Entry::getKey)).limit(REPOSITORIES)
                .forEach(e -> repos.addObject().put("repo", e.getKey()).put("prs", e.getValue()[0])
                        .put("flagged", e.getValue()[1]));
        ArrayNode quarters = data.putArray("by_quarter");
        byQuarter.forEach((k, v) -> quarters.addObject().put("quarter", k).put("prs", v[0]).put("flagged", v[1]));

        ArrayNode top = data.putArray("top");
        scored.stream().filter(s -> s.result().anomalous())
                .sorted(Comparator.comparingDouble((ScoredPr s) -> s.result().score()).reversed()).limit(TOP)
                .forEach(s -> {
                    ObjectNode o = top.addObject().put("key", s.key()).put("score", s.result().score())
                            .put("category", s.result().category()).put("detector", s.result().detector());
                    if (githubLinks) {
                        o.put("url", "https://github.com/" + repo(s.key()) + "/pull/"
                                + s.key().substring(s.key().lastIndexOf('#') + 1));
                    }
                    if (marks.containsKey(s.key())) {
                        o.put("mark", marks.get(s.key()));
                    }
                    ArrayNode f = o.putArray("features");
                    for (Scorer.Contribution x : s.result().top()) {
                        ObjectNode fo = f.addObject().put("feature", x.feature()).put("share", x.share())
                                .put("low", x.typicalLow()).put("high", x.typicalHigh())
                                .put("text", FeatureUnits.describe(x.feature(), x.value(), x.typicalLow(),
                                        x.typicalHigh()));
                        if (Double.isNaN(x.value())) {
                            fo.putNull("value");
                        } else {
                            fo.put("value", x.value());
                        }
                    }
                });
        String json = Json.mapper().writeValueAsString(data).replace("</", "<\\/");
        String html = TEMPLATE.replace("/*DATA*/null", json);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, html, StandardCharsets.UTF_8);
    }

    private static String repo(String key) {
        return key.substring(0, key.lastIndexOf('#'));
    }

    private static String quarter(Instant t) {
        java.time.ZonedDateTime z = t.atZone(java.time.ZoneOffset.UTC);
        return z.getYear() + "-Q" + ((z.getMonthValue() - 1) / 3 + 1);
    }

    private static final String TEMPLATE = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>PR Sentinel: anomaly report</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 72rem; }
            h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
            table { border-collapse: collapse; } td, th { padding: .25rem .6rem; border-bottom: 1px solid #ddd;
              text-align: left; vertical-align: top; font-size: .9rem; }
            .bar { fill: #4a78b5; } .bar.over { fill: #c0392b; } #threshold-line { stroke: #c0392b;
              stroke-dasharray: 4 3; } .axis { font-size: 11px; fill: #555; } .mark { color: #c0392b; }
            .muted { color: #777; }
            </style>
            </head>
            <body>
            <h1>PR Sentinel: anomaly report</h1>
            <p id="summary"></p>
            <h2>Scores (log scale) and the threshold</h2>
            <svg id="histogram" width="720" height="240" role="img" aria-label="score histogram"></svg>
            <p id="model"></p>
            <h2>By category</h2>
            <table><thead><tr><th>category</th><th>PRs</th></tr></thead><tbody id="categories"></tbody></table>
            <h2>Top anomalies</h2>
            <table><thead><tr><th>#</th><th>pull request</th><th>score</th><th>category</th><th>detector</th>
            <th>what made it unusual (its value, the training data's usual 5th to 95th percentile, share of the
            detector's evidence)</th></tr></thead>
            <tbody id="top-anomalies"></tbody></table>
            <h2>Flagged share over time (by creation quarter)</h2>
            <table><thead><tr><th>quarter</th><th>PRs</th><th>flagged</th><th>share</th></tr></thead>
            <tbody id="by-quarter"></tbody></table>
            <h2>Flagged share by repository</h2>
            <p id="repositories-note" class="muted"></p>
            <table><thead><tr><th>repository</th><th>PRs</th><th>flagged</th><th>share</th></tr></thead>
            <tbody id="by-repository"></tbody></table>
            <script id="report-data" type="application/json">/*DATA*/null</script>
            <script>
            (function () {
              var d = JSON.parse(document.getElementById('report-data').textContent);
              // Typical ranges come back from float32 scaling: below 1e-6 is zero, not 5.3e-9.
              var f = function (v, n) { return v === null ? 'missing'
                : Math.abs(v) < 1e-6 ? '0' : Number(v).toPrecision(n || 3); };
              document.getElementById('summary').textContent = d.scored + ' PRs scored with ' + d.model.name
                + ' version ' + d.model.version + ' (threshold ' + f(d.model.threshold) + '): ' + d.anomalous
                + ' anomalous. Generated ' + d.generated_at + '.';
              var model = document.getElementById('model');
              model.appendChild(document.createTextNode('Model: ' + d.model.name + ' version ' + d.model.version
                + (d.model.training_data ? ', trained on ' + d.model.training_data : '') + '. '));
              if (d.model.run_link) {
                var run = document.createElement('a'); run.id = 'run-link'; run.href = d.model.run_link;
                run.textContent = 'its training run'; model.appendChild(run);
              }
              var share = function (row) { return (100 * row.flagged / Math.max(1, row.prs)).toFixed(1) + '%'; };
              var table = function (id, rows, key, cls) {
                var body = document.getElementById(id);
                rows.forEach(function (r) {
                  var tr = body.insertRow(); tr.className = cls;
                  tr.insertCell().textContent = r[key]; tr.insertCell().textContent = r.prs;
                  tr.insertCell().textContent = r.flagged; tr.insertCell().textContent = share(r);
                });
              };
              table('by-quarter', d.by_quarter, 'quarter', 'quarter');
              table('by-repository', d.by_repository, 'repo', 'repository');
              document.getElementById('repositories-note').textContent = d.by_repository.length < d.repositories
                ? 'The ' + d.by_repository.length + ' repositories with the most PRs, of ' + d.repositories + '.'
                : d.repositories + ' repositories.';
              var svg = document.getElementById('histogram'), ns = 'http://www.w3.org/2000/svg';
              var h = d.histogram, w = 680, top = 10, height = 190, left = 30;
              var max = Math.max.apply(null, h.counts.concat([1])), bw = w / h.counts.length;
              var x = function (l) { return left + (l - h.log10_from) / (h.log10_to - h.log10_from) * w; };
              h.counts.forEach(function (n, i) {
                var r = document.createElementNS(ns, 'rect');
                var bh = n === 0 ? 0 : Math.max(1, Math.sqrt(n / max) * height);
                r.setAttribute('class', 'bar' + (h.log10_from + (i + 0.5) * (h.log10_to - h.log10_from)
                  / h.counts.length > h.log10_threshold ? ' over' : ''));
                r.setAttribute('x', left + i * bw); r.setAttribute('width', Math.max(1, bw - 1));
                r.setAttribute('y', top + height - bh); r.setAttribute('height', bh);
                r.setAttribute('data-count', n);
                svg.appendChild(r);
              });
              var t = document.createElementNS(ns, 'line');
              t.setAttribute('id', 'threshold-line');
              t.setAttribute('x1', x(h.log10_threshold)); t.setAttribute('x2', x(h.log10_threshold));
              t.setAttribute('y1', top); t.setAttribute('y2', top + height);
              svg.appendChild(t);
              for (var e = Math.ceil(h.log10_from); e <= Math.floor(h.log10_to); e++) {
                var label = document.createElementNS(ns, 'text');
                label.setAttribute('class', 'axis'); label.setAttribute('x', x(e) - 8);
                label.setAttribute('y', top + height + 16); label.textContent = '1e' + e;
                svg.appendChild(label);
              }
              var cats = document.getElementById('categories');
              Object.keys(d.categories).forEach(function (k) {
                var tr = cats.insertRow(); tr.className = 'category';
                tr.insertCell().textContent = k; tr.insertCell().textContent = d.categories[k];
              });
              var body = document.getElementById('top-anomalies');
              d.top.forEach(function (a, i) {
                var tr = body.insertRow(); tr.className = 'anomaly';
                tr.insertCell().textContent = i + 1;
                var who = tr.insertCell();
                if (a.url) { var link = document.createElement('a'); link.href = a.url; link.textContent = a.key;
                  who.appendChild(link); } else { who.textContent = a.key; }
                if (a.mark) { var m = document.createElement('span'); m.className = 'mark';
                  m.textContent = ' (' + a.mark + ')'; who.appendChild(m); }
                tr.insertCell().textContent = f(a.score);
                tr.insertCell().textContent = a.category;
                tr.insertCell().textContent = a.detector === 'tail' ? 'one measure far out (tail)'
                    : 'unusual combination (reconstruction)';
                tr.insertCell().textContent = a.features.map(function (x) {
                  return x.text + ', ' + Math.round(x.share * 100) + '% of the evidence';
                }).join('; ');
              });
            })();
            </script>
            </body>
            </html>
            """;
}
