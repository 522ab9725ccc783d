package dev.prsentinel.score;

import dev.prsentinel.core.anomaly.ModelPackage;
import dev.prsentinel.core.config.Redact;
import dev.prsentinel.core.tracking.Tracking;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.Map;

/**
 * Where the served model comes from. MODEL_DIR: a directory holding model.json (the embedded
 * runtime, or a model baked into an image). Otherwise the registry at MLFLOW_TRACKING_URI: the
 * version MODEL_VERSION pins, or the one MODEL_ALIAS (default champion) points at, of MODEL_NAME
 * (default prsentinel-autoencoder), read through the artifact proxy and cached under
 * MODEL_CACHE_DIR (a pinned version is served from the cache without asking the registry again).
 * Every path ends in core's checks: a missing, corrupt or spec-incompatible package is refused
 * with the reason.
 */
final class ModelSource {

    /**
     * A loaded model.
     *
     * @param model   the package
     * @param name    registered model name, or "local"
     * @param version its registry version, or "sha256:" and the start of its package's hash
     */
    record Loaded(ModelPackage model, String name, String version) {
    }

    /** The registry answered, and holds no such version or alias yet: nothing is wrong, there is no model. */
    static final class NoModelYet extends RuntimeException {
        NoModelYet(String message) {
            super(message);
        }
    }

    private ModelSource() {
    }

    private static String contentHash(Path file) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(file)), 0, 12);
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new ModelPackage.InvalidModelException(ModelPackage.FILE + " is unreadable");
        }
    }

    static Loaded load(Map<String, String> env, Clock clock) {
        return load(env, new dev.prsentinel.core.secrets.EnvironmentSecrets(env), clock);
    }

    static Loaded load(Map<String, String> env, dev.prsentinel.core.secrets.Secrets secrets, Clock clock) {
        String dir = env.get("MODEL_DIR");
        if (dir != null && !dir.isBlank()) {
            // The package's hash, not its path: an answer must not show where the server keeps files.
            ModelPackage model = ModelPackage.read(Path.of(dir));
            return new Loaded(model, "local", "sha256:" + contentHash(Path.of(dir).resolve(ModelPackage.FILE)));
        }
        String uri = secrets.find(dev.prsentinel.core.secrets.Secrets.MLFLOW_TRACKING_URI)
                .orElse(env.get("MLFLOW_TRACKING_URI"));
        if (uri == null || uri.isBlank()) {
            throw new ModelPackage.InvalidModelException("no model configured: set MODEL_DIR, or MLFLOW_TRACKING_URI"
                    + " (with MODEL_VERSION or MODEL_ALIAS)");
        }
        String name = env.getOrDefault("MODEL_NAME", Tracking.MODEL_NAME);
        Path cache = Path.of(env.getOrDefault("MODEL_CACHE_DIR",
                Path.of(System.getProperty("java.io.tmpdir"), "prsentinel-models").toString()));
        String pinned = env.get("MODEL_VERSION");
        if (pinned != null && !pinned.isBlank()) {
            Path cached = cache.resolve(name).resolve(pinned).resolve(ModelPackage.FILE);
            if (Files.isRegularFile(cached)) {
                return new Loaded(ModelPackage.read(cached.getParent()), name, pinned);
            }
        }
        Tracking tracking = Tracking.fromSecrets(secrets, env, clock);
        String alias = env.getOrDefault("MODEL_ALIAS", "champion");
        Tracking.ModelVersion version = (pinned != null && !pinned.isBlank() ? tracking.version(name, pinned)
                : tracking.versionByAlias(name, alias)).orElseThrow(() -> new NoModelYet(
                        name + (pinned != null && !pinned.isBlank() ? " has no version " + pinned
                                : " has no version with alias " + alias) + " at " + Redact.text(uri)));
        byte[] json = tracking.downloadArtifact(tracking.run(version.runId()),
                Tracking.MODEL_DIR + "/" + ModelPackage.FILE);
        ModelPackage model = ModelPackage.parse(json, name + " version " + version.version());
        cache(cache.resolve(name).resolve(version.version()), json);
        return new Loaded(model, name, version.version());
    }

    /** Keeps a checked package on disk; a cache that cannot be written only costs the next download. */
    private static void cache(Path dir, byte[] json) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".model-", ".json");
            Files.write(tmp, json);
            Files.move(tmp, dir.resolve(ModelPackage.FILE), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(ModelSource.class).warn("cannot cache the model in {}: {}", dir,
                    e.toString());
        }
    }
}
