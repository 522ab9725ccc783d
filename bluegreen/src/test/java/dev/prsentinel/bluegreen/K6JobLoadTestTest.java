package dev.prsentinel.bluegreen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The k6 Job as the promoter makes it from perf/k6-job.yaml, and the summary it reads back from a
 * pod's log. (Running it needs a cluster: no kubelet here.)
 */
class K6JobLoadTestTest {

    private final K6JobLoadTest k6 = new K6JobLoadTest(null, "prsentinel-staging", Path.of("..", "perf", "k6-job.yaml"),
            "staging-v7-abc", Duration.ofMinutes(1));

    @Test
    void theJobRunsTheScenarioAgainstTheTargetInK6sPinnedImage() throws Exception {
        Job job = k6.job("load", URI.create("http://green-score.prsentinel-staging.svc.cluster.local"));
        assertThat(job.getMetadata().getName()).isEqualTo("k6-load-staging-v7-abc");
        assertThat(job.getMetadata().getNamespace()).isEqualTo("prsentinel-staging");
        var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getImage()).matches("docker\\.io/grafana/k6:1\\.7\\.1@sha256:[0-9a-f]{64}");
        assertThat(container.getArgs()).containsExactly("run", "--quiet", "/perf/load.js");
        assertThat(container.getEnv()).filteredOn(v -> v.getName().equals("TARGET_URL")).singleElement()
                .satisfies(v -> assertThat(v.getValue()).isEqualTo(
                        "http://green-score.prsentinel-staging.svc.cluster.local"));
        assertThat(job.getSpec().getBackoffLimit()).isZero();
    }

    @Test
    void theSummaryIsTheLastMarkedLineOfTheLog() throws Exception {
        String log = """
                          /\\      Grafana   /‾‾/
                     /\\  /  \\     |\\  __   /  /
                running (0m30.0s), 000/020 VUs, 3000 complete and 0 interrupted iterations
                PRSENTINEL-K6-SUMMARY {"metrics": {"http_reqs": {"type": "counter", "values": {"count": 3000}}}}
                time="2026-12-01T22:00:31Z" level=error msg="thresholds on metrics 'http_req_duration' crossed"
                """;
        assertThat(K6JobLoadTest.summaryFromLog(log, "k6-load").metrics().get("http_reqs").values())
                .containsEntry("count", 3000.0);
        assertThatThrownBy(() -> K6JobLoadTest.summaryFromLog("level=error msg=\"could not initialize\"\n", "k6-load"))
                .isInstanceOf(IOException.class).hasMessageContaining("printed no summary")
                .hasMessageContaining("could not initialize");
    }
}
