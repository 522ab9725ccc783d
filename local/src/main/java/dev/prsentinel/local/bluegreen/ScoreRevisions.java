package dev.prsentinel.local.bluegreen;

import dev.prsentinel.score.ScoreApplication;
import java.io.IOException;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Revisions as local score servers in this JVM: each with the function's environment plus its
 * MODEL_VERSION, ready when what its readiness probe reports says so (the model is loaded), as a pod is.
 */
public final class ScoreRevisions implements LocalRouter.Revisions {

    private final Map<String, String> env;
    private final Map<String, ScoreApplication> running = new ConcurrentHashMap<>();

    /** @param env score's environment (MLFLOW_TRACKING_URI, MODEL_ALIAS, ...), without MODEL_VERSION */
    public ScoreRevisions(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    @Override
    public URI start(String name, String modelVersion) throws IOException {
        Map<String, String> e = new HashMap<>(env);
        e.remove("MODEL_VERSION");
        if (modelVersion != null) {
            e.put("MODEL_VERSION", modelVersion);
        }
        ScoreApplication app = ScoreApplication.start(e, "127.0.0.1", 0);
        running.put(name, app);
        return URI.create("http://127.0.0.1:" + app.port());
    }

    @Override
    public boolean ready(String name) {
        // What its readiness probe answers, asked in this JVM: the router asks on every request.
        ScoreApplication app = running.get(name);
        return app != null && app.ready();
    }

    @Override
    public void stop(String name) {
        ScoreApplication app = running.remove(name);
        if (app != null) {
            app.close();
        }
    }
}
