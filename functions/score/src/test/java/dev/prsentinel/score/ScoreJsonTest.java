package dev.prsentinel.score;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.anomaly.ModelPackage;
import dev.prsentinel.core.anomaly.Scorer;
import dev.prsentinel.core.model.PullRequest;
import dev.prsentinel.core.testing.TestModels;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The hand-written answer against the same answer built as a Jackson tree from the Score
 * records: every field, its type, its order, each double exactly.
 */
class ScoreJsonTest {

    private static final ModelPackage MODEL = TestModels.calibrated(5);
    private static final Scorer SCORER = new Scorer(MODEL);

    private static ObjectNode expected(PullRequest pr, Scorer.Score s, ModelSource.Loaded loaded) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("repo", pr.repo());
        o.put("number", pr.number());
        o.put("score", s.score());
        o.put("threshold", loaded.model().threshold());
        o.put("anomalous", s.anomalous());
        o.put("category", s.category());
        o.put("detector", s.detector());
        ArrayNode top = o.putArray("top_features");
        for (Scorer.Contribution c : s.top()) {
            ObjectNode f = top.addObject();
            f.put("feature", c.feature());
            f.put("group", c.group());
            if (Double.isNaN(c.value())) {
                f.putNull("value");
            } else {
                f.put("value", c.value());
            }
            f.put("typical_low", c.typicalLow());
            f.put("typical_high", c.typicalHigh());
            f.put("share", c.share());
        }
        ObjectNode model = o.putObject("model");
        model.put("name", loaded.name());
        model.put("version", loaded.version());
        o.put("spec_version", loaded.model().specVersion());
        return o;
    }

    private static JsonNode parsed(byte[] answer) throws Exception {
        return Json.mapper().readTree(answer);
    }

    /** Same keys in the same order, same values; doubles compared as doubles, exactly. */
    private static void assertSame(JsonNode actual, JsonNode expected, String path) {
        assertThat(actual.getNodeType()).as(path).isEqualTo(expected.getNodeType());
        if (expected.isObject()) {
            List<String> names = new ArrayList<>();
            actual.fieldNames().forEachRemaining(names::add);
            List<String> want = new ArrayList<>();
            expected.fieldNames().forEachRemaining(want::add);
            assertThat(names).as(path).containsExactlyElementsOf(want);
            for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                assertSame(actual.get(e.getKey()), e.getValue(), path + "." + e.getKey());
            }
        } else if (expected.isArray()) {
            assertThat(actual).as(path).hasSize(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertSame(actual.get(i), expected.get(i), path + "[" + i + "]");
            }
        } else if (expected.isNumber()) {
            assertThat(actual.isIntegralNumber()).as(path).isEqualTo(expected.isIntegralNumber());
            assertThat(actual.doubleValue()).as(path).isEqualTo(expected.doubleValue());
        } else {
            assertThat(actual).as(path).isEqualTo(expected);
        }
    }

    @Test
    void everyPrOfTheTestSetIsWrittenAsItsTreeWouldBe() throws Exception {
        ModelSource.Loaded loaded = new ModelSource.Loaded(MODEL, "pr-anomaly", "7");
        ScoreJson.Constants constants = new ScoreJson.Constants(loaded);
        ArrayNode all = Json.mapper().createArrayNode();
        List<ScoreJson.Scored> batch = new ArrayList<>();
        int anomalous = 0;
        for (PullRequest pr : TestModels.PRS) {
            Scorer.Score s = SCORER.explain(pr, ScoreApi.TOP_FEATURES);
            anomalous += s.anomalous() ? 1 : 0;
            ObjectNode want = expected(pr, s, loaded);
            assertSame(parsed(ScoreJson.write(List.of(new ScoreJson.Scored(pr, s)), false, constants)), want,
                    pr.key());
            if (batch.size() < ScoreApi.MAX_BATCH) {
                batch.add(new ScoreJson.Scored(pr, s));
                all.add(want);
            }
        }
        assertSame(parsed(ScoreJson.write(batch, true, constants)), all, "batch");
        // The set holds both answers.
        assertThat(anomalous).isPositive().isLessThan(TestModels.PRS.size());
    }

    @Test
    void aMissingValueIsNull() throws Exception {
        ModelSource.Loaded loaded = new ModelSource.Loaded(MODEL, "m", "1");
        PullRequest pr = TestModels.PRS.get(0);
        Scorer.Score real = SCORER.explain(pr, ScoreApi.TOP_FEATURES);
        Scorer.Contribution c = real.top().get(1);
        List<Scorer.Contribution> top = new ArrayList<>(real.top());
        top.set(1, new Scorer.Contribution(c.feature(), c.group(), Double.NaN, c.typicalLow(), c.typicalHigh(),
                c.error(), c.share()));
        Scorer.Score s = new Scorer.Score(real.score(), real.threshold(), real.anomalous(), real.category(),
                real.detector(), top);
        JsonNode answer = parsed(ScoreJson.write(List.of(new ScoreJson.Scored(pr, s)), false,
                new ScoreJson.Constants(loaded)));
        assertThat(answer.at("/top_features/1/value").isNull()).isTrue();
        assertSame(answer, expected(pr, s, loaded), "missing");
    }

    @Test
    void stringsThatNeedEscapingAreEscaped() throws Exception {
        ModelSource.Loaded loaded = new ModelSource.Loaded(MODEL, "team \"a\"\\models ü", "v1\n");
        PullRequest base = TestModels.PRS.get(3);
        for (String repo : List.of("o/r", "ö/ß", "o/\"quoted\"", "o/back\\slash", "o/\u0001ctl", "o/\ud834\udd1e",
                "o/\u007f")) {
            PullRequest pr = new PullRequest(repo, base.number(), base.source(), base.titleLength(),
                    base.bodyLength(), base.state(), base.draft(), base.merged(), base.additions(), base.deletions(),
                    base.changedLines(), base.changedFiles(), base.commits(), base.comments(), base.reviewComments(),
                    base.labels(), base.requestedReviewers(), base.authorAssociation(), base.author(),
                    base.createdAt(), base.updatedAt(), base.mergedAt(), base.closedAt(), base.baseRef(),
                    base.headRef(), base.headFork());
            Scorer.Score s = SCORER.explain(pr, ScoreApi.TOP_FEATURES);
            byte[] answer = ScoreJson.write(List.of(new ScoreJson.Scored(pr, s)), false,
                    new ScoreJson.Constants(loaded));
            assertSame(parsed(answer), expected(pr, s, loaded), repo);
        }
    }
}
