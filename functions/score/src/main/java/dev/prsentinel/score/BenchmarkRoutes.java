package dev.prsentinel.score;

import dev.prsentinel.core.http.FunctionServer;
import dev.prsentinel.core.http.HttpAnswer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The serving benchmark's reference endpoints (SCORE_NOOP_ENDPOINT=true), on the same server as
 * /score so that one run compares them under the same load (benchmarks/run-score.sh).
 *
 * <ul>
 *   <li>{@code POST /noop}: the request read and answered, nothing computed. The baseline of the
 *       issue's ratio.</li>
 *   <li>{@code POST /floor}: /score without its JSON work. A body identical to the previous one
 *       is neither parsed nor written again; the model and the explanation still run on every
 *       request, and the answer is /score's answer for that body. What any /score must at least
 *       do, so /floor's cost above /noop is the bound no JSON reader or writer can go below, and
 *       /score's cost above /floor is what reading and writing JSON costs under load.</li>
 * </ul>
 */
final class BenchmarkRoutes {

    private static final byte[] NOOP_ANSWER = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);

    /** The last body /floor parsed, with its reading and its answer. */
    private record Memo(byte[] body, ScoreApi.Read read, ServedModel.Current model, double score,
            HttpAnswer answer) {
    }

    private BenchmarkRoutes() {
    }

    static Map<String, FunctionServer.Route> of(ScoreApi score, ServedModel served) {
        return Map.of("/noop", (method, query, headers, body) -> new HttpAnswer(
                200, Map.of("content-type", "application/json"), NOOP_ANSWER),
                "/floor", floor(score, served));
    }

    private static FunctionServer.Route floor(ScoreApi score, ServedModel served) {
        AtomicReference<Memo> last = new AtomicReference<>();
        return (method, query, headers, body) -> {
            Memo memo = last.get();
            ServedModel.Current model = served.get().orElse(null);
            if (memo == null || memo.model != model || !Arrays.equals(memo.body, body)) {
                ScoreApi.Read read = ScoreApi.read(body);
                HttpAnswer answer = score.handle(method, query, headers, body);
                if (model == null || read.prs().size() != 1 || answer.status() != 200) {
                    return answer;
                }
                memo = new Memo(body, read, model,
                        model.scorer().explain(read.prs().get(0), ScoreApi.TOP_FEATURES).score(), answer);
                last.set(memo);
            }
            // The model and the explanation, run for real: the answer is only reused when they
            // agree with it, so the work cannot be left out by the compiler either.
            double again = model.scorer().explain(memo.read.prs().get(0), ScoreApi.TOP_FEATURES).score();
            return again == memo.score ? memo.answer : score.handle(method, query, headers, body);
        };
    }
}
