package dev.prsentinel.score;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.io.NumberOutput;
import dev.prsentinel.core.anomaly.Scorer;
import dev.prsentinel.core.features.Feature;
import dev.prsentinel.core.features.FeatureSpec;
import dev.prsentinel.core.model.PullRequest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of explained scores, as /score answers them (openapi.yaml: Score), written into a byte
 * array by hand. Everything an answer repeats for its model (the threshold, each feature's name,
 * group and typical range, the model's name and version) is rendered once per model
 * ({@link Constants}); per answer only the repo, the number, the score, the category and each top
 * feature's value and share are written: 0.98 us per answer in one JVM where Jackson's generator
 * took 2.53 us. Under load the difference is within the benchmark's noise (benchmarks/RESULTS.md).
 *
 * <p>Doubles are written in their shortest form by Jackson's writer (the generator's
 * USE_FAST_DOUBLE_WRITER); a value that is not finite (a missing input) is null.
 */
final class ScoreJson {

    /** A PR and its explained score. */
    record Scored(PullRequest pr, Scorer.Score score) {
    }

    /** What every answer of one model repeats, rendered once when the model is loaded. */
    static final class Constants {
        /** {@code ,"threshold":T,"anomalous":} */
        private final byte[] threshold;
        /** Per feature, the bytes around its value and its share. */
        private final Map<String, FeatureBytes> features = new HashMap<>();
        /** {@code ],"model":{"name":N,"version":V},"spec_version":S} } */
        private final byte[] tail;

        private final int specVersion;

        Constants(ModelSource.Loaded model) {
            FeatureSpec spec = model.model().spec();
            this.specVersion = spec.version();
            this.threshold = ascii(",\"threshold\":" + number(model.model().threshold()) + ",\"anomalous\":");
            for (int j = 0; j < spec.size(); j++) {
                Feature f = spec.features().get(j);
                features.put(f.name(), new FeatureBytes(
                        utf8("{\"feature\":" + quoted(f.name()) + ",\"group\":" + quoted(f.group().wireName())
                                + ",\"value\":"),
                        ascii(",\"typical_low\":" + number(model.model().typicalLow()[j]) + ",\"typical_high\":"
                                + number(model.model().typicalHigh()[j]) + ",\"share\":")));
            }
            this.tail = utf8("],\"model\":{\"name\":" + quoted(model.name()) + ",\"version\":"
                    + quoted(model.version()) + "},\"spec_version\":" + spec.version() + "}");
        }

        private FeatureBytes feature(Scorer.Contribution c) {
            FeatureBytes f = features.get(c.feature());
            if (f == null) {
                throw new IllegalStateException("not a spec v" + specVersion + " feature: " + c.feature());
            }
            return f;
        }
    }

    /**
     * One feature's fixed parts.
     *
     * @param head  {@code {"feature":N,"group":G,"value":}
     * @param range {@code ,"typical_low":L,"typical_high":H,"share":}
     */
    private record FeatureBytes(byte[] head, byte[] range) {
    }

    /** A growing byte array; the answer's bytes are copied out once at the end. */
    private static final class Out {
        private byte[] buf;
        private int size;

        Out(int capacity) {
            buf = new byte[capacity];
        }

        private void room(int n) {
            if (size + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
            }
        }

        void write(byte[] bytes) {
            room(bytes.length);
            System.arraycopy(bytes, 0, buf, size, bytes.length);
            size += bytes.length;
        }

        void write(char c) {
            room(1);
            buf[size++] = (byte) c;
        }

        /** A string of ASCII characters only (numbers, fixed words). */
        void ascii(String s) {
            int n = s.length();
            room(n);
            for (int i = 0; i < n; i++) {
                buf[size++] = (byte) s.charAt(i);
            }
        }

        void string(String s) {
            write('"');
            if (plain(s)) {
                ascii(s);
            } else {
                write(JsonStringEncoder.getInstance().quoteAsUTF8(s));
            }
            write('"');
        }

        void number(double d) {
            ascii(ScoreJson.number(d));
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, size);
        }
    }

    private static final byte[] REPO = ascii("{\"repo\":");
    private static final byte[] NUMBER = ascii(",\"number\":");
    private static final byte[] SCORE = ascii(",\"score\":");
    private static final byte[] CATEGORY = ascii(",\"category\":");
    private static final byte[] DETECTOR = ascii(",\"detector\":");
    private static final byte[] TOP = ascii(",\"top_features\":[");

    private ScoreJson() {
    }

    /** One score as an object, or several as an array. */
    static byte[] write(List<Scored> scores, boolean array, Constants model) {
        Out out = new Out(800 * scores.size() + 2);
        if (array) {
            out.write('[');
        }
        for (int i = 0; i < scores.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            write(out, scores.get(i).pr(), scores.get(i).score(), model);
        }
        if (array) {
            out.write(']');
        }
        return out.toByteArray();
    }

    private static void write(Out out, PullRequest pr, Scorer.Score s, Constants model) {
        out.write(REPO);
        out.string(pr.repo());
        out.write(NUMBER);
        out.ascii(Integer.toString(pr.number()));
        out.write(SCORE);
        out.number(s.score());
        out.write(model.threshold);
        out.ascii(s.anomalous() ? "true" : "false");
        out.write(CATEGORY);
        out.string(s.category());
        out.write(DETECTOR);
        out.string(s.detector());
        out.write(TOP);
        for (int i = 0; i < s.top().size(); i++) {
            Scorer.Contribution c = s.top().get(i);
            if (i > 0) {
                out.write(',');
            }
            FeatureBytes f = model.feature(c);
            out.write(f.head());
            out.number(c.value());
            out.write(f.range());
            out.number(c.share());
            out.write('}');
        }
        out.write(model.tail);
    }

    /** Printable ASCII without a quote or a backslash: written as it is. */
    private static boolean plain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static String quoted(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }

    private static String number(double d) {
        return Double.isFinite(d) ? NumberOutput.toString(d, true) : "null";
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
