package dev.prsentinel.score;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.anomaly.Scorer;
import dev.prsentinel.core.events.CloudEventEndpoint;
import dev.prsentinel.core.events.FunctionServer;
import dev.prsentinel.core.model.InvalidPayloadException;
import dev.prsentinel.core.model.PullRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /score}: one PR (an object) or a batch (an array of at most {@value #MAX_BATCH}),
 * each answered with its score, whether it is anomalous, its category and its top features. Bad
 * input is a 400 naming the field ({@code [3].pull_request.additions}); no model yet is a 503.
 */
final class ScoreApi implements FunctionServer.Route {

    static final int MAX_BATCH = 100;
    static final int TOP_FEATURES = 3;

    private final ServedModel served;

    ScoreApi(ServedModel served) {
        this.served = served;
    }

    @Override
    public CloudEventEndpoint.Response handle(String method, String query, Map<String, String> headers, byte[] body) {
        if (!"POST".equals(method)) {
            return CloudEventEndpoint.jsonError(405, "POST a pull request, or an array of them, to /score");
        }
        if (body.length > ScoreApplication.MAX_BODY_BYTES) {
            return CloudEventEndpoint.jsonError(413, "body exceeds " + ScoreApplication.MAX_BODY_BYTES + " bytes");
        }
        Optional<ServedModel.Current> model = served.get();
        if (model.isEmpty()) {
            return CloudEventEndpoint.jsonError(503, "no model loaded: " + served.problem());
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(body);
        } catch (IOException e) {
            return CloudEventEndpoint.jsonError(400, "body: not JSON (" + firstLine(e.getMessage()) + ")");
        }
        try {
            if (root == null || root.isMissingNode()) {
                throw new InvalidPayloadException("body", "empty");
            }
            if (root.isArray()) {
                if (root.isEmpty() || root.size() > MAX_BATCH) {
                    throw new InvalidPayloadException("body", "a batch holds 1 to " + MAX_BATCH + " pull requests, this"
                            + " one " + root.size());
                }
                List<PullRequest> prs = new ArrayList<>(root.size());
                for (int i = 0; i < root.size(); i++) {
                    prs.add(PullRequestInput.parse(root.get(i), "[" + i + "]"));
                }
                ArrayNode out = Json.mapper().createArrayNode();
                for (PullRequest pr : prs) {
                    out.add(score(pr, model.get()));
                }
                return json(out);
            }
            return json(score(PullRequestInput.parse(root, ""), model.get()));
        } catch (InvalidPayloadException e) {
            return CloudEventEndpoint.jsonError(400, e.getMessage());
        }
    }

    private static JsonNode score(PullRequest pr, ServedModel.Current model) {
        Scorer.Score s = model.scorer().explain(pr, TOP_FEATURES);
        return ScoreJson.of(pr, s, model.loaded());
    }

    static CloudEventEndpoint.Response json(JsonNode node) {
        try {
            return new CloudEventEndpoint.Response(200, Map.of("content-type", "application/json"),
                    Json.mapper().writeValueAsBytes(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
