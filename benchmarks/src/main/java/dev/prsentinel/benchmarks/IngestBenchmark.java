package dev.prsentinel.benchmarks;

import dev.prsentinel.core.config.JobArguments;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.http.CloudEventHttp;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.pullreqs.PullreqsRows;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import dev.prsentinel.ingest.IngestApplication;
import dev.prsentinel.ingest.imports.ImportResult;
import dev.prsentinel.ingest.imports.PullRequestImporter;
import dev.prsentinel.local.EmbeddedStore;
import dev.prsentinel.core.cli.Console;
import dev.prsentinel.local.demo.Demo;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/** Import and webhook throughput of ingest on the embedded runtime, each beside a same-run baseline. */
public final class IngestBenchmark {

    private static final int SENDERS = 4;

    private IngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Console console = Console.system();
        java.util.Map<String, String> options = JobArguments.parse(args);
        Path csv = Path.of(options.getOrDefault("csv", "../shared/datasets/pullreqs/pullreqs.csv.gz"));
        int events = Integer.parseInt(options.getOrDefault("events", "10000"));
        if (!Files.exists(csv)) {
            console.line("no pullreqs file at %s (it lives in shared/datasets beside the project)",
                    csv.toAbsolutePath());
            System.exit(2);
        }
        Path dir = Files.createTempDirectory("prsentinel-bench");
        console.line("machine: %d cores, %s %s, max heap %d MiB", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20);
        importBenchmark(csv, dir.resolve("import"), console);
        webhookBenchmark(events, dir.resolve("webhooks"), console);
    }

    private static void importBenchmark(Path csv, Path dataDir, Console console) throws Exception {
        long t0 = System.nanoTime();
        long mapped = 0;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(csv), 1 << 16), StandardCharsets.UTF_8), 1 << 16);
                CSVParser parser = CSVParser.parse(reader,
                        CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get())) {
            for (CSVRecord row : parser) {
                PullRequest pr = PullreqsRows.fromRow(row::get, row.getRecordNumber());
                mapped += pr.number() > 0 ? 1 : 0;
            }
        }
        double parseSeconds = (System.nanoTime() - t0) / 1e9;
        try (EmbeddedStore store = new EmbeddedStore(dataDir)) {
            PullRequestStore prs = new PullRequestStore(store.client().getDatabase("prsentinel"), Clock.systemUTC())
                    .ensureIndexes();
            long t1 = System.nanoTime();
            ImportResult r = new PullRequestImporter(prs, 1000).importFile(csv, p -> { });
            double importSeconds = (System.nanoTime() - t1) / 1e9;
            console.line("import: %,d rows into the embedded H2 store in %.1f s = %,.0f PRs/s "
                    + "(target >= 5,000/s); baseline read+map only: %,d rows in %.1f s = %,.0f rows/s; "
                    + "storing costs %.1fx the parsing", r.read(), importSeconds, r.read() / importSeconds, mapped,
                    parseSeconds, mapped / parseSeconds, importSeconds / parseSeconds);
            console.line("        inserted %,d, unchanged %,d (duplicate keys in the file), rejected %,d", r.inserted(),
                    r.unchanged(), r.rejected());
        }
    }

    private static void webhookBenchmark(int count, Path dataDir, Console console) throws Exception {
        List<PullRequest> prs = SyntheticPullRequests.generate(99, count, 20, 0.01,
                Instant.parse("2026-11-01T00:00:00Z")).pullRequests();
        List<CloudEvent> webhooks = new ArrayList<>(count);
        List<CloudEvent> rejected = new ArrayList<>(count);
        for (PullRequest pr : prs) {
            // The event ingest's webhook receiver hands the broker: id the delivery, data the raw body.
            CloudEvent e = CloudEventBuilder.v1().withId(UUID.nameUUIDFromBytes(pr.key().getBytes(
                    StandardCharsets.UTF_8)).toString()).withSource(URI.create("https://github.com/" + pr.repo()))
                    .withType(EventTypes.GITHUB_PULL_REQUEST).withDataContentType("application/json")
                    .withData(Demo.webhookPayload(pr)).build();
            webhooks.add(e);
            rejected.add(CloudEventBuilder.from(e).withId("x-" + e.getId())
                    .withType(EventTypes.GITHUB_PREFIX + "push").build());
        }
        try (EmbeddedStore store = new EmbeddedStore(dataDir);
                IngestApplication app = IngestApplication.start(Map.of("INGEST_ROUTES", "events", "MONGODB_URI",
                        store.settings().connectionString(), "MONGODB_DATABASE", store.settings().database()),
                        "127.0.0.1", 0)) {
            URI target = URI.create("http://127.0.0.1:" + app.port() + "/");
            send(target, rejected.subList(0, Math.min(1000, count)), 400);
            send(target, webhooks.subList(0, Math.min(200, count)), 200);
            double baseline = send(target, rejected, 400);
            double ingest = send(target, webhooks.subList(Math.min(200, count), count), 200);
            console.line("webhooks: %,.0f events/s stored through ingest over HTTP (%d senders); baseline "
                    + "unsupported-type events answered 400: %,.0f events/s; storing costs %.1fx the baseline",
                    ingest, SENDERS, baseline, baseline / ingest);
        }
    }

    /** Sends events concurrently; returns events per second. Fails if any answer is not the expected status. */
    private static double send(URI target, List<CloudEvent> events, int expected) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ExecutorService pool = Executors.newFixedThreadPool(SENDERS);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger unexpected = new AtomicInteger();
        long t0 = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            futures.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < events.size(); i = next.getAndIncrement()) {
                    HttpResponse<byte[]> r = CloudEventHttp.send(client, target, events.get(i), Duration.ofSeconds(30));
                    if (r.statusCode() != expected) {
                        unexpected.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        if (unexpected.get() > 0) {
            throw new IllegalStateException(unexpected.get() + " answers were not " + expected);
        }
        return events.size() / seconds;
    }
}
