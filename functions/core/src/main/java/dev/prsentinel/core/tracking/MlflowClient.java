package dev.prsentinel.core.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.config.Redact;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * MLflow's tracking server over its REST API, Java only: runs, parameters, metrics and tags
 * (/api/2.0/mlflow), artifacts through the server's artifact proxy (/api/2.0/mlflow-artifacts),
 * and the model registry with aliases. The Java mlflow-client would shell out to Python for
 * artifacts and has no typed registry writes (STACK-NOTES), so plain HTTP it is.
 *
 * <p>Every call fails with {@link MlflowException}: the status (0 when unreachable) and the body.
 */
public final class MlflowClient implements Tracking {

    /**
     * What each request is authorised with: MLflow's basic auth (mlflow server --app-name
     * basic-auth) or a bearer token for a proxy in front of it. Asked per request, so rotated
     * credentials reach the next call; {@link #refresh()} is asked once after a 401 or 403.
     */
    public interface Credentials {
        /** The Authorization header's value, or empty for none. */
        Optional<String> authorization();

        /** Re-reads after a refusal; whether anything changed (then the call is sent once more). */
        boolean refresh();

        Credentials NONE = new Credentials() {
            @Override
            public Optional<String> authorization() {
                return Optional.empty();
            }

            @Override
            public boolean refresh() {
                return false;
            }
        };

        /** Basic auth from a user and password, or a bearer token; nothing when neither is given. */
        static Optional<String> header(String username, String password, String token) {
            if (token != null && !token.isBlank()) {
                return Optional.of("Bearer " + token);
            }
            if (username != null && !username.isBlank() && password != null) {
                return Optional.of("Basic " + java.util.Base64.getEncoder().encodeToString(
                        (username + ":" + password).getBytes(StandardCharsets.UTF_8)));
            }
            return Optional.empty();
        }
    }

    private final URI base;
    private final HttpClient http;
    private final Credentials credentials;
    private final Clock clock;

    public MlflowClient(URI trackingUri, Clock clock) {
        this(trackingUri, Credentials.NONE, clock);
    }

    /**
     * A user and password in the URI (http://user:pw@host) are sent as basic auth, and never kept in
     * the address that messages show.
     */
    public MlflowClient(URI trackingUri, Credentials credentials, Clock clock) {
        Optional<String> fromUri = Optional.empty();
        URI uri = trackingUri;
        if (trackingUri.getRawUserInfo() != null) {
            String[] parts = trackingUri.getUserInfo().split(":", 2);
            fromUri = Credentials.header(parts[0], parts.length > 1 ? parts[1] : "", null);
            uri = URI.create(trackingUri.getScheme() + "://" + trackingUri.getRawAuthority()
                    .substring(trackingUri.getRawAuthority().indexOf('@') + 1)
                    + (trackingUri.getRawPath() == null ? "" : trackingUri.getRawPath()));
        }
        String s = uri.toString();
        this.base = URI.create(s.endsWith("/") ? s : s + "/");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Optional<String> inUri = fromUri;
        this.credentials = inUri.isEmpty() ? credentials : new Credentials() {
            @Override
            public Optional<String> authorization() {
                return credentials.authorization().or(() -> inUri);
            }

            @Override
            public boolean refresh() {
                return credentials.refresh();
            }
        };
        this.clock = clock;
    }

    /** A failed call: the status (0 when unreachable) and what the server said. */
    public static final class MlflowException extends RuntimeException {
        private final int status;
        private final String errorCode;

        MlflowException(int status, String errorCode, String message) {
            super(message);
            this.status = status;
            this.errorCode = errorCode;
        }

        public int status() {
            return status;
        }

        public String errorCode() {
            return errorCode;
        }
    }

    @Override
    public String experimentId(String name) {
        try {
            return get("api/2.0/mlflow/experiments/get-by-name?experiment_name=" + encode(name))
                    .at("/experiment/experiment_id").asText();
        } catch (MlflowException e) {
            if (!"RESOURCE_DOES_NOT_EXIST".equals(e.errorCode())) {
                throw e;
            }
            return post("api/2.0/mlflow/experiments/create", obj().put("name", name)).get("experiment_id").asText();
        }
    }

    @Override
    public Run createRun(String experimentId, String runName, Map<String, String> tags) {
        ObjectNode body = obj().put("experiment_id", experimentId).put("run_name", runName)
                .put("start_time", clock.millis());
        ArrayNode t = body.putArray("tags");
        tags.forEach((k, v) -> t.addObject().put("key", k).put("value", v));
        JsonNode info = post("api/2.0/mlflow/runs/create", body).at("/run/info");
        return new Run(info.get("run_id").asText(), experimentId, info.get("artifact_uri").asText());
    }

    @Override
    public void logParams(String runId, Map<String, String> params) {
        ObjectNode body = obj().put("run_id", runId);
        ArrayNode p = body.putArray("params");
        params.forEach((k, v) -> p.addObject().put("key", k).put("value", v));
        post("api/2.0/mlflow/runs/log-batch", body);
    }

    @Override
    public void logMetrics(String runId, Map<String, Double> metrics, long step) {
        ObjectNode body = obj().put("run_id", runId);
        ArrayNode m = body.putArray("metrics");
        long now = clock.millis();
        metrics.forEach((k, v) -> m.addObject().put("key", k).put("value", v).put("timestamp", now).put("step", step));
        post("api/2.0/mlflow/runs/log-batch", body);
    }

    @Override
    public void setTag(String runId, String key, String value) {
        post("api/2.0/mlflow/runs/set-tag", obj().put("run_id", runId).put("key", key).put("value", value));
    }

    @Override
    public void endRun(String runId, String status) {
        post("api/2.0/mlflow/runs/update", obj().put("run_id", runId).put("status", status)
                .put("end_time", clock.millis()));
    }

    /** The run as MLflow describes it: info, data (params, metrics, tags). */
    public JsonNode getRun(String runId) {
        return get("api/2.0/mlflow/runs/get?run_id=" + encode(runId)).get("run");
    }

    @Override
    public Run run(String runId) {
        JsonNode info = getRun(runId).get("info");
        return new Run(runId, info.get("experiment_id").asText(), info.get("artifact_uri").asText());
    }

    @Override
    public List<Run> runningRuns(String experimentId, java.time.Instant startedBefore) {
        ObjectNode body = obj().put("filter", "attributes.status = 'RUNNING' and attributes.start_time < "
                + startedBefore.toEpochMilli()).put("max_results", 1000);
        body.putArray("experiment_ids").add(experimentId);
        List<Run> out = new ArrayList<>();
        post("api/2.0/mlflow/runs/search", body).path("runs").forEach(r -> out.add(new Run(
                r.at("/info/run_id").asText(), experimentId, r.at("/info/artifact_uri").asText())));
        return out;
    }

    @Override
    public String link(Run run) {
        return Redact.text(base.toString()) + "#/experiments/" + run.experimentId() + "/runs/" + run.id();
    }

    /** Through the artifact proxy. */
    @Override
    public void uploadArtifact(Run run, String path, byte[] content) {
        send(HttpRequest.newBuilder(base.resolve(artifactPath(run, path)))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)).build());
    }

    @Override
    public byte[] downloadArtifact(Run run, String path) {
        return sendBytes(HttpRequest.newBuilder(base.resolve(artifactPath(run, path))).GET().build());
    }

    private static String artifactPath(Run run, String path) {
        String prefix = "mlflow-artifacts:/";
        if (!run.artifactUri().startsWith(prefix)) {
            throw new IllegalStateException("run " + run.id() + " stores artifacts at " + run.artifactUri()
                    + ", not behind the server's artifact proxy; start mlflow server with --serve-artifacts");
        }
        return "api/2.0/mlflow-artifacts/artifacts/" + run.artifactUri().substring(prefix.length()) + "/" + path;
    }

    @Override
    public void ensureRegisteredModel(String name) {
        try {
            post("api/2.0/mlflow/registered-models/create", obj().put("name", name));
        } catch (MlflowException e) {
            if (!"RESOURCE_ALREADY_EXISTS".equals(e.errorCode())) {
                throw e;
            }
        }
    }

    @Override
    public String createModelVersion(String name, Run run, String artifactDir, Map<String, String> tags) {
        ObjectNode body = obj().put("name", name).put("source", run.artifactUri() + "/" + artifactDir)
                .put("run_id", run.id());
        ArrayNode t = body.putArray("tags");
        tags.forEach((k, v) -> t.addObject().put("key", k).put("value", v));
        return post("api/2.0/mlflow/model-versions/create", body).at("/model_version/version").asText();
    }

    @Override
    public List<RegisteredVersion> versions(String name) {
        JsonNode model;
        try {
            model = get("api/2.0/mlflow/registered-models/get?name=" + encode(name)).get("registered_model");
        } catch (MlflowException e) {
            if ("RESOURCE_DOES_NOT_EXIST".equals(e.errorCode())) {
                return List.of();
            }
            throw e;
        }
        Map<String, Set<String>> aliases = new HashMap<>();
        model.path("aliases").forEach(a -> aliases.computeIfAbsent(a.get("version").asText(), v -> new HashSet<>())
                .add(a.get("alias").asText()));
        List<RegisteredVersion> out = new ArrayList<>();
        get("api/2.0/mlflow/model-versions/search?max_results=10000&filter=" + encode("name='" + name + "'"))
                .path("model_versions").forEach(v -> {
                    Map<String, String> tags = new HashMap<>();
                    v.path("tags").forEach(t -> tags.put(t.get("key").asText(), t.get("value").asText()));
                    String version = v.get("version").asText();
                    out.add(new RegisteredVersion(version, v.path("run_id").asText(),
                            aliases.getOrDefault(version, Set.of()), tags));
                });
        out.sort(Comparator.comparingLong(v -> Long.parseLong(v.version())));
        return out;
    }

    @Override
    public void deleteModelVersion(String name, String version) {
        send(HttpRequest.newBuilder(base.resolve("api/2.0/mlflow/model-versions/delete"))
                .header("Content-Type", "application/json")
                .method("DELETE", HttpRequest.BodyPublishers.ofString(
                        obj().put("name", name).put("version", version).toString())).build());
    }

    @Override
    public void setAlias(String name, String alias, String version) {
        post("api/2.0/mlflow/registered-models/alias", obj().put("name", name).put("alias", alias)
                .put("version", version));
    }

    @Override
    public void setVersionTag(String name, String version, String key, String value) {
        post("api/2.0/mlflow/model-versions/set-tag", obj().put("name", name).put("version", version).put("key", key)
                .put("value", value));
    }

    @Override
    public Optional<ModelVersion> versionByAlias(String name, String alias) {
        return optional(() -> get("api/2.0/mlflow/registered-models/alias?name=" + encode(name) + "&alias="
                + encode(alias)).get("model_version"));
    }

    @Override
    public Optional<ModelVersion> version(String name, String version) {
        return optional(() -> get("api/2.0/mlflow/model-versions/get?name=" + encode(name) + "&version="
                + encode(version)).get("model_version"));
    }

    private static Optional<ModelVersion> optional(java.util.function.Supplier<JsonNode> call) {
        try {
            JsonNode v = call.get();
            return Optional.of(new ModelVersion(v.get("name").asText(), v.get("version").asText(),
                    v.get("run_id").asText()));
        } catch (MlflowException e) {
            if ("RESOURCE_DOES_NOT_EXIST".equals(e.errorCode()) || "INVALID_PARAMETER_VALUE".equals(e.errorCode())) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private JsonNode get(String path) {
        return parse(sendBytes(HttpRequest.newBuilder(base.resolve(path)).GET().build()));
    }

    private JsonNode post(String path, ObjectNode body) {
        return parse(sendBytes(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build()));
    }

    private void send(HttpRequest request) {
        sendBytes(request);
    }

    private byte[] sendBytes(HttpRequest unauthorised) {
        HttpResponse<byte[]> response = exchange(authorised(unauthorised));
        // A read answered 5xx is asked again, twice: the local tracking server answered a runs/get
        // with a bare 500 once in DemoIT on 2 cores, while a training wrote to its SQLite store. A
        // write is never repeated.
        for (int retry = 1; retry <= 2 && response.statusCode() / 100 == 5 && "GET".equals(unauthorised.method());
                retry++) {
            try {
                Thread.sleep(250L * retry);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            response = exchange(authorised(unauthorised));
        }
        if ((response.statusCode() == 401 || response.statusCode() == 403) && credentials.refresh()) {
            // Rotated credentials: Vault had the new ones already, MLflow refused the old.
            response = exchange(authorised(unauthorised));
        }
        HttpRequest request = unauthorised;
        if (response.statusCode() / 100 != 2) {
            String text = new String(response.body(), StandardCharsets.UTF_8);
            String code = "";
            try {
                code = Json.mapper().readTree(text).path("error_code").asText("");
            } catch (IOException e) {
                code = "";
            }
            throw new MlflowException(response.statusCode(), code, request.method() + " " + request.uri().getPath()
                    + " answered " + response.statusCode() + ": " + text);
        }
        return response.body();
    }

    private HttpRequest authorised(HttpRequest request) {
        Optional<String> header = credentials.authorization();
        if (header.isEmpty()) {
            return request;
        }
        return HttpRequest.newBuilder(request, (name, value) -> !name.equalsIgnoreCase("Authorization"))
                .header("Authorization", header.get()).build();
    }

    private HttpResponse<byte[]> exchange(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new MlflowException(0, "UNREACHABLE", "MLflow at " + Redact.text(base.toString()) + " unreachable: "
                    + Redact.cause(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MlflowException(0, "INTERRUPTED", "interrupted");
        }
    }

    private static JsonNode parse(byte[] body) {
        try {
            return body.length == 0 ? Json.mapper().createObjectNode() : Json.mapper().readTree(body);
        } catch (IOException e) {
            throw new MlflowException(200, "BAD_RESPONSE", "MLflow answered something that is not JSON");
        }
    }

    private static ObjectNode obj() {
        return Json.mapper().createObjectNode();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
