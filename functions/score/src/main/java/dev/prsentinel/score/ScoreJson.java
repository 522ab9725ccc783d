package dev.prsentinel.score;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.anomaly.Scorer;
import dev.prsentinel.core.features.FeatureSpecV1;
import dev.prsentinel.core.model.PullRequest;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of explained scores, as /score answers them (openapi.yaml: Score), written straight to
 * bytes: a tree per answer was a fifth of the request path. Doubles go through Jackson's
 * shortest-representation writer, not Double.toString; the ones every answer of a model repeats
 * (threshold, typical ranges) are rendered once per model ({@link Constants}).
 */
final class ScoreJson {

    /** A PR and its explained score. */
    record Scored(PullRequest pr, Scorer.Score score) {
    }

    /** What every answer of one model repeats, rendered once when the model is loaded. */
    static final class Constants {
        private final ModelSource.Loaded model;
        private final String threshold;
        private final Map<String, String[]> typical = new HashMap<>();

        Constants(ModelSource.Loaded model) {
            this.model = model;
            this.threshold = number(model.model().threshold());
            for (int j = 0; j < FeatureSpecV1.size(); j++) {
                String[] range = {number(model.model().typicalLow()[j]), number(model.model().typicalHigh()[j])};
                typical.put(FeatureSpecV1.FEATURES.get(j).name(), range);
            }
        }

        /** A double exactly as the generator below writes it. */
        private static String number(double value) {
            StringWriter out = new StringWriter();
            try (JsonGenerator g = Json.mapper().getFactory().createGenerator(out)) {
                g.enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER.mappedFeature());
                g.writeNumber(value);
            } catch (IOException e) {
                throw new UncheckedIOException("writing to memory", e);
            }
            return out.toString();
        }
    }

    private ScoreJson() {
    }

    /** One score as an object, or several as an array. */
    static byte[] write(List<Scored> scores, boolean array, Constants model) {
        // The builder's first block comes from (and must go back to) the thread's buffer recycler:
        // without release() every answer allocated a fresh 2 KB block.
        ByteArrayBuilder bytes = new ByteArrayBuilder(Json.mapper().getFactory()._getBufferRecycler(),
                800 * scores.size());
        try (JsonGenerator g = Json.mapper().getFactory().createGenerator(bytes)) {
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
        } finally {
            bytes.release();
        }
    }

    private static void write(JsonGenerator g, PullRequest pr, Scorer.Score s, Constants model) throws IOException {
        g.writeStartObject();
        g.writeStringField("repo", pr.repo());
        g.writeNumberField("number", pr.number());
        g.writeNumberField("score", s.score());
        g.writeFieldName("threshold");
        g.writeNumber(model.threshold);
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
            String[] typical = model.typical.get(c.feature());
            g.writeFieldName("typical_low");
            g.writeNumber(typical[0]);
            g.writeFieldName("typical_high");
            g.writeNumber(typical[1]);
            g.writeNumberField("share", c.share());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeObjectFieldStart("model");
        g.writeStringField("name", model.model.name());
        g.writeStringField("version", model.model.version());
        g.writeEndObject();
        g.writeNumberField("spec_version", FeatureSpecV1.VERSION);
        g.writeEndObject();
    }
}
