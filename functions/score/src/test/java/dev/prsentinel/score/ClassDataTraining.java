package dev.prsentinel.score;

import dev.prsentinel.core.github.GitHubPullRequests;
import dev.prsentinel.core.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Writes what images/class-data.sh trains score's class-data archive with: a model package and the
 * request bodies a client sends (one PR, GitHub's object, a webhook delivery, a batch), so the
 * archive holds the classes a first score loads. Run by the build (score's pom), not a test.
 */
public final class ClassDataTraining {

    private ClassDataTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        TestModels.calibrated(5).write(dir.resolve("model"));
        Path bodies = Files.createDirectories(dir.resolve("bodies"));
        var pr = TestModels.PRS.get(7);
        Files.writeString(bodies.resolve("one.json"), GitHubPullRequests.toJson(pr).toString());
        Files.writeString(bodies.resolve("webhook.json"), "{\"action\":\"opened\",\"repository\":{\"full_name\":\""
                + pr.repo() + "\"},\"pull_request\":" + GitHubPullRequests.toJson(pr) + "}");
        Files.writeString(bodies.resolve("batch.json"), TestModels.PRS.subList(0, 8).stream()
                .map(p -> GitHubPullRequests.toJson(p).toString()).collect(Collectors.joining(",", "[", "]")));
        Files.writeString(bodies.resolve("bad.json"), "{\"additions\":-1}");
    }
}
