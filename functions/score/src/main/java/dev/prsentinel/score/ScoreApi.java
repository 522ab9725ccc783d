package dev.prsentinel.score;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.http.FunctionServer;
import dev.prsentinel.core.http.Headers;
import dev.prsentinel.core.http.HttpAnswer;
import dev.prsentinel.core.github.PullRequestJson;
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
    public HttpAnswer handle(String method, String query, Headers headers, byte[] body) {
        if (!"POST".equals(method)) {
            return HttpAnswer.error(405, "POST a pull request, or an array of them, to /score");
        }
        if (body.length > ScoreApplication.MAX_BODY_BYTES) {
            return HttpAnswer.error(413, "body exceeds " + ScoreApplication.MAX_BODY_BYTES + " bytes");
        }
        Optional<ServedModel.Current> model = served.get();
        if (model.isEmpty()) {
            return HttpAnswer.error(503, "no model loaded: " + served.problem());
        }
        Read read = read(body);
        if (read.error() != null) {
            return read.error();
        }
        List<ScoreJson.Scored> scored = new ArrayList<>(read.prs().size());
        for (PullRequest pr : read.prs()) {
            scored.add(new ScoreJson.Scored(pr, model.get().scorer().explain(pr, TOP_FEATURES)));
        }
        return new HttpAnswer(200, Map.of("content-type", "application/json"),
                ScoreJson.write(scored, read.batch(), model.get().rendered()));
    }

    /**
     * A body read: its PRs (one, or a batch's), or the 400 that says why it holds none.
     *
     * @param batch whether the body was an array (the answer is one too)
     */
    record Read(List<PullRequest> prs, boolean batch, HttpAnswer error) {
        private static Read invalid(String message) {
            return new Read(List.of(), false, HttpAnswer.error(400, message));
        }
    }

    static Read read(byte[] body) {
        List<PullRequestJson> read = new ArrayList<>();
        int count;
        boolean batch;
        try (JsonParser p = Json.mapper().getFactory().createParser(body)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return Read.invalid("body: empty");
            }
            batch = t == JsonToken.START_ARRAY;
            if (batch) {
                count = readBatch(p, read);
            } else {
                read.add(object(p, t));
                count = 1;
            }
            if (p.nextToken() != null) {
                return Read.invalid("body: more than one JSON value");
            }
        } catch (IOException e) {
            return Read.invalid("body: not JSON (" + firstLine(e.getMessage()) + ")");
        }
        try {
            if (!batch) {
                return new Read(List.of(PullRequestInput.parse(read.get(0), "")), false, null);
            }
            if (count == 0 || count > MAX_BATCH) {
                throw new InvalidPayloadException("body", "a batch holds 1 to " + MAX_BATCH + " pull requests, this"
                        + " one " + count);
            }
            List<PullRequest> prs = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                prs.add(PullRequestInput.parse(read.get(i), "[" + i + "]"));
            }
            return new Read(prs, true, null);
        } catch (InvalidPayloadException e) {
            return Read.invalid(e.getMessage());
        }
    }

    /** Reads a batch's elements (up to the bound; past it only counted); returns how many there were. */
    private static int readBatch(JsonParser p, List<PullRequestJson> read) throws IOException {
        int count = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw new JsonParseException(p, "unexpected end of input in an array");
            }
            count++;
            if (count > MAX_BATCH) {
                p.skipChildren();
            } else {
                read.add(object(p, t));
            }
        }
        return count;
    }

    /** The object the parser is at, or null (skipped) when the value is not one. */
    private static PullRequestJson object(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.START_OBJECT) {
            return PullRequestJson.read(p);
        }
        p.skipChildren();
        return null;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
