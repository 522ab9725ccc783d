package dev.prsentinel.core.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prsentinel.core.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Tracking in a local directory, for a machine without an MLflow server (the local runtime uses it
 * when the mlflow command is not installed). Plain files a person can read:
 *
 * <pre>
 * ROOT/EXPERIMENT/RUN_ID/run.json      id, name, status, start/end times, tags, params
 * ROOT/EXPERIMENT/RUN_ID/metrics.csv   key,step,value,timestamp per logged value
 * ROOT/EXPERIMENT/RUN_ID/artifacts/    the artifacts, by path
 * ROOT/models/NAME/VERSION.json        a registered version: run id, source
 * ROOT/models/NAME/aliases.json        alias -> version
 * </pre>
 *
 * It is not MLflow's own file store layout; the registry semantics (versions numbered from 1,
 * aliases moved atomically) are the same as the server's, so train-trigger and score behave alike
 * on both. One writer at a time (the local runtime trains one model at a time); files are replaced
 * atomically, so a reader never sees half of one.
 */
public final class LocalTracking implements Tracking {

    private final Path root;
    private final Clock clock;

    public LocalTracking(Path root, Clock clock) {
        this.root = root.toAbsolutePath();
        this.clock = clock;
    }

    public Path root() {
        return root;
    }

    @Override
    public String experimentId(String name) {
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("experiment names here are folder names: letters, digits, . _ -");
        }
        createDirectories(root.resolve(name));
        return name;
    }

    @Override
    public Run createRun(String experimentId, String runName, Map<String, String> tags) {
        String id = UUID.randomUUID().toString().replace("-", "");
        Path dir = root.resolve(experimentId).resolve(id);
        createDirectories(dir.resolve("artifacts"));
        ObjectNode run = Json.mapper().createObjectNode().put("run_id", id).put("experiment_id", experimentId)
                .put("run_name", runName).put("status", "RUNNING").put("start_time", clock.millis());
        ObjectNode t = run.putObject("tags");
        tags.forEach(t::put);
        run.putObject("params");
        write(dir.resolve("run.json"), run);
        return new Run(id, experimentId, dir.resolve("artifacts").toUri().toString());
    }

    @Override
    public void logParams(String runId, Map<String, String> params) {
        ObjectNode run = runJson(runId);
        ObjectNode p = (ObjectNode) run.get("params");
        params.forEach(p::put);
        write(runDir(runId).resolve("run.json"), run);
    }

    @Override
    public void logMetrics(String runId, Map<String, Double> metrics, long step) {
        StringBuilder lines = new StringBuilder();
        long now = clock.millis();
        metrics.forEach((k, v) -> lines.append(String.format(Locale.ROOT, "%s,%d,%s,%d%n", k, step, v, now)));
        try {
            Files.writeString(runDir(runId).resolve("metrics.csv"), lines, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void setTag(String runId, String key, String value) {
        ObjectNode run = runJson(runId);
        ((ObjectNode) run.get("tags")).put(key, value);
        write(runDir(runId).resolve("run.json"), run);
    }

    @Override
    public void endRun(String runId, String status) {
        ObjectNode run = runJson(runId);
        run.put("status", status).put("end_time", clock.millis());
        write(runDir(runId).resolve("run.json"), run);
    }

    @Override
    public Run run(String runId) {
        Path dir = runDir(runId);
        return new Run(runId, dir.getParent().getFileName().toString(), dir.resolve("artifacts").toUri().toString());
    }

    @Override
    public List<Run> runningRuns(String experimentId, java.time.Instant startedBefore) {
        Path dir = root.resolve(experimentId);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Run> out = new ArrayList<>();
        try (Stream<Path> runs = Files.list(dir)) {
            for (Path r : runs.filter(p -> Files.isRegularFile(p.resolve("run.json"))).toList()) {
                JsonNode run = read(r.resolve("run.json"));
                if ("RUNNING".equals(run.path("status").asText())
                        && run.path("start_time").asLong() < startedBefore.toEpochMilli()) {
                    out.add(new Run(r.getFileName().toString(), experimentId,
                            r.resolve("artifacts").toUri().toString()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The run's record: status, tags, params. */
    public JsonNode runRecord(String runId) {
        return runJson(runId);
    }

    @Override
    public void uploadArtifact(Run run, String path, byte[] content) {
        Path target = artifact(run, path);
        createDirectories(target.getParent());
        writeAtomically(target, content);
    }

    @Override
    public byte[] downloadArtifact(Run run, String path) {
        try {
            return Files.readAllBytes(artifact(run, path));
        } catch (IOException e) {
            throw new IllegalStateException("run " + run.id() + " has no artifact " + path + " in " + root, e);
        }
    }

    @Override
    public void ensureRegisteredModel(String name) {
        createDirectories(model(name));
    }

    @Override
    public String createModelVersion(String name, Run run, String artifactDir, Map<String, String> tags) {
        Path dir = model(name);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("registered model " + name + " does not exist");
        }
        for (int v = 1;; v++) {
            Path file = dir.resolve(v + ".json");
            ObjectNode version = Json.mapper().createObjectNode().put("name", name).put("version", String.valueOf(v))
                    .put("run_id", run.id()).put("source", run.artifactUri() + "/" + artifactDir)
                    .put("creation_timestamp", clock.millis());
            ObjectNode t = version.putObject("tags");
            tags.forEach(t::put);
            try {
                Files.write(file, Json.mapper().writeValueAsBytes(version), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
                return String.valueOf(v);
            } catch (FileAlreadyExistsException e) {
                // Taken: try the next number, as the server would hand it out.
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public List<RegisteredVersion> versions(String name) {
        Path dir = model(name);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        Map<String, Set<String>> aliases = new HashMap<>();
        aliases(name).fields().forEachRemaining(e -> aliases.computeIfAbsent(e.getValue().asText(),
                v -> new HashSet<>()).add(e.getKey()));
        List<RegisteredVersion> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("\\d+\\.json")).toList()) {
                JsonNode v = read(f);
                Map<String, String> tags = new HashMap<>();
                v.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
                String version = v.get("version").asText();
                out.add(new RegisteredVersion(version, v.get("run_id").asText(),
                        aliases.getOrDefault(version, Set.of()), tags));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(Comparator.comparingLong(v -> Long.parseLong(v.version())));
        return out;
    }

    @Override
    public void deleteModelVersion(String name, String version) {
        ObjectNode aliases = aliases(name);
        Iterator<Map.Entry<String, JsonNode>> it = aliases.fields();
        while (it.hasNext()) {
            if (it.next().getValue().asText().equals(version)) {
                it.remove();
            }
        }
        write(model(name).resolve("aliases.json"), aliases);
        try {
            Files.deleteIfExists(model(name).resolve(version + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void setAlias(String name, String alias, String version) {
        if (version(name, version).isEmpty()) {
            throw new IllegalArgumentException(name + " has no version " + version);
        }
        ObjectNode aliases = aliases(name);
        aliases.put(alias, version);
        write(model(name).resolve("aliases.json"), aliases);
    }

    @Override
    public void setVersionTag(String name, String version, String key, String value) {
        Path file = model(name).resolve(version + ".json");
        if (version(name, version).isEmpty()) {
            throw new IllegalArgumentException(name + " has no version " + version);
        }
        ObjectNode v = (ObjectNode) read(file);
        (v.has("tags") ? (ObjectNode) v.get("tags") : v.putObject("tags")).put(key, value);
        write(file, v);
    }

    @Override
    public Optional<ModelVersion> versionByAlias(String name, String alias) {
        JsonNode v = aliases(name).get(alias);
        return v == null ? Optional.empty() : version(name, v.asText());
    }

    @Override
    public Optional<ModelVersion> version(String name, String version) {
        Path file = model(name).resolve(version + ".json");
        if (!version.matches("\\d+") || !Files.exists(file)) {
            return Optional.empty();
        }
        JsonNode v = read(file);
        return Optional.of(new ModelVersion(name, version, v.get("run_id").asText()));
    }

    @Override
    public String link(Run run) {
        return runDir(run.id()).toString();
    }

    private Path runDir(String runId) {
        if (!runId.matches("[0-9a-f]{32}")) {
            throw new IllegalArgumentException("not a run id: " + runId);
        }
        try (Stream<Path> experiments = Files.list(root)) {
            return experiments.map(e -> e.resolve(runId)).filter(Files::isDirectory).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no run " + runId + " in " + root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectNode runJson(String runId) {
        return (ObjectNode) read(runDir(runId).resolve("run.json"));
    }

    private Path artifact(Run run, String path) {
        Path base = Path.of(URI.create(run.artifactUri())).normalize();
        Path target = base.resolve(path).normalize();
        if (!target.startsWith(base)) {
            throw new IllegalArgumentException("artifact path leaves the run's folder: " + path);
        }
        return target;
    }

    private Path model(String name) {
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("model names here are folder names: letters, digits, . _ -");
        }
        return root.resolve("models").resolve(name);
    }

    private ObjectNode aliases(String name) {
        Path file = model(name).resolve("aliases.json");
        return Files.exists(file) ? (ObjectNode) read(file) : Json.mapper().createObjectNode();
    }

    private static JsonNode read(Path file) {
        try {
            return Json.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, JsonNode node) {
        try {
            writeAtomically(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeAtomically(Path file, byte[] content) {
        try {
            Path tmp = Files.createTempFile(file.getParent(), ".tmp-", "");
            Files.write(tmp, content);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
