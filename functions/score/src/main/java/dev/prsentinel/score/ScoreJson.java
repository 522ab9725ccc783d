package dev.prsentinel.score;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.anomaly.Scorer;
import dev.prsentinel.core.features.FeatureSpecV1;
import dev.prsentinel.core.model.PullRequest;

/** The JSON of one explained score, as /score answers it (openapi.yaml: Score). */
final class ScoreJson {

    private ScoreJson() {
    }

    static ObjectNode of(PullRequest pr, Scorer.Score s, ModelSource.Loaded model) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("repo", pr.repo()).put("number", pr.number()).put("score", s.score()).put("threshold", s.threshold())
                .put("anomalous", s.anomalous()).put("category", s.category());
        ArrayNode top = o.putArray("top_features");
        for (Scorer.Contribution c : s.top()) {
            ObjectNode f = top.addObject().put("feature", c.feature()).put("group", c.group());
            if (Double.isNaN(c.value())) {
                f.putNull("value");
            } else {
                f.put("value", c.value());
            }
            f.put("typical_low", c.typicalLow()).put("typical_high", c.typicalHigh()).put("share", c.share());
        }
        o.putObject("model").put("name", model.name()).put("version", model.version());
        o.put("spec_version", FeatureSpecV1.VERSION);
        return o;
    }
}
