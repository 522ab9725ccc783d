package dev.prsentinel.bluegreen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.testing.EventRecorder;
import dev.prsentinel.core.testing.OciImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promoter's image as built, run as its two Jobs run it (the command of
 * knative/bluegreen/jobsink.yaml and reconcile-hook.yaml): the PostSync hook's request reaches the
 * broker as an event, and the JobSink Job reads the event mounted at /etc/jobsink-event/event,
 * refusing one it does not take, with the field named and exit code 2 (no retry).
 */
class BluegreenImageIT {

    private static final List<String> COMMAND = List.of("java", "-cp", "@/app/jib-classpath-file",
            "dev.prsentinel.bluegreen.PromoterMain");

    @TempDir
    Path dir;

    private int run(OciImage image, Map<String, String> env, Map<String, Path> mounts, List<String> args, Path log)
            throws Exception {
        Process p = image.run(COMMAND, env, mounts, args, log);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
        return p.exitValue();
    }

    @Test
    void theImageRunsTheHookAndReadsJobSinksEvent() throws Exception {
        Path tar = OciImage.builtImage();
        OciImage.assumeRunnable();
        OciImage image = OciImage.unpack(tar, dir.resolve("root"));

        try (EventRecorder broker = new EventRecorder()) {
            Path log = dir.resolve("hook.log");
            int exit = run(image, Map.of("K_SINK", broker.url(), "HOSTNAME", "bluegreen-reconcile-abc"), Map.of(),
                    List.of("request-reconcile", "--reason", "Argo CD PostSync"), log);
            assertThat(exit).as(Files.readString(log)).isZero();
            assertThat(broker.events()).singleElement().satisfies(e ->
                    assertThat(e.type()).isEqualTo("dev.prsentinel.rollout.requested"));
        }

        Path event = Files.createDirectories(dir.resolve("jobsink-event"));
        Files.writeString(event.resolve("event"), """
                {"specversion": "1.0", "id": "x", "source": "urn:test", "type": "dev.prsentinel.model.trained",
                 "data": {"model_version": "3"}}
                """);
        Path log = dir.resolve("promote.log");
        int exit = run(image, Map.of("MLFLOW_TRACKING_URI", dir.resolve("mlruns").toUri().toString(),
                "MONGODB_URI", "mongodb://127.0.0.1:9/x", "NAMESPACE", "ns"),
                Map.of("/etc/jobsink-event", event), List.of("promote"), log);
        assertThat(exit).as(Files.readString(log)).isEqualTo(2);
        assertThat(Files.readString(log)).contains("type: the promoter takes dev.prsentinel.model.candidate");
    }
}
