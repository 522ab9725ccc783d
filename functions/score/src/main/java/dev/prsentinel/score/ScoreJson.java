package dev.prsentinel.score;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.anomaly.Scorer;
import dev.prsentinel.core.features.FeatureSpecV1;
import dev.prsentinel.core.model.PullRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The JSON of explained scores, as /score answers them (openapi.yaml: Score), written straight to
 * bytes: a tree per answer was a fifth of the request path. Doubles go through Jackson's
 * shortest-representation writer, not Double.toString.
 */
final class ScoreJson {

    /** A PR and its explained score. */
    record Scored(PullRequest pr, Scorer.Score score) {
    }

    private ScoreJson() {
    }

    /** One score as an object, or several as an array. */
    static byte[] write(List<Scored> scores, boolean array, ModelSource.Loaded model) {
        try (ByteArrayBuilder bytes = new ByteArrayBuilder(Json.mapper().getFactory()._getBufferRecycler(),
                800 * scores.size());
                JsonGenerator g = Json.mapper().getFactory().createGenerator(bytes)) {
            g.enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER.mappedFeature());
            if (array) {
                g.writeStartArray();
            }
            for (Scored s : scores) {
                write(g, s.pr(), s.score(), model);
            }
            if (array) {
                g.writeEndArray();
            }
            g.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
    }

    private static void write(JsonGenerator g, PullRequest pr, Scorer.Score s, ModelSource.Loaded model)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("repo", pr.repo());
        g.writeNumberField("number", pr.number());
        g.writeNumberField("score", s.score());
        g.writeNumberField("threshold", s.threshold());
        g.writeBooleanField("anomalous", s.anomalous());
        g.writeStringField("category", s.category());
        g.writeArrayFieldStart("top_features");
        for (Scorer.Contribution c : s.top()) {
            g.writeStartObject();
            g.writeStringField("feature", c.feature());
            g.writeStringField("group", c.group());
            if (Double.isNaN(c.value())) {
                g.writeNullField("value");
            } else {
                g.writeNumberField("value", c.value());
            }
            g.writeNumberField("typical_low", c.typicalLow());
            g.writeNumberField("typical_high", c.typicalHigh());
            g.writeNumberField("share", c.share());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeObjectFieldStart("model");
        g.writeStringField("name", model.name());
        g.writeStringField("version", model.version());
        g.writeEndObject();
        g.writeNumberField("spec_version", FeatureSpecV1.VERSION);
        g.writeEndObject();
    }
}
