package dev.prsentinel.core.anomaly;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.features.FeatureSpec;
import dev.prsentinel.core.features.FeatureSpecs;
import dev.prsentinel.core.features.RepositoryNorms;
import dev.prsentinel.core.features.RobustScaler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A trained model as the score function loads it, engine-neutral: {@code model.json} holds the
 * layer shapes and float weights (row-major [out][in], then biases), the feature spec version and
 * feature names it was trained on, the scaler of its feature set, the anomaly threshold and where
 * it came from, the per-feature error statistics used for explanations, training metadata, and
 * from spec v3 on the repository norms its PRs are read against, and from spec v4 on the second
 * detector beside the autoencoder ({@link Detectors}, scored by {@link Detector}).
 * The training engine's own parameter file travels beside it; scoring never needs it.
 *
 * @param format              {@value #FORMAT}
 * @param specVersion         the feature spec
 * @param features            feature names, in input order
 * @param layers              the dense layers, input to output
 * @param center              the scaler's medians
 * @param scale               the scaler's IQRs
 * @param threshold           scores above it are anomalous ({@link Detector}'s score)
 * @param thresholdPercentile the percentile of held-out validation scores it was taken at
 * @param featureErrorMean    per-feature mean squared error on the validation rows
 * @param featureErrorP99     per-feature 99th percentile of squared error on the validation rows
 * @param typicalLow          per-feature 5th percentile of the training rows, raw units (explanations)
 * @param typicalHigh         per-feature 95th percentile of the training rows, raw units
 * @param training            metadata: run id, feature set id, seed, epochs, losses...
 * @param repositories        the feature set's repository norms, for a spec that reads PRs against them
 *                            (v3 on); null otherwise
 * @param detectors           the tail detector beside the autoencoder and both budgets (v4 on); null for
 *                            a package scored by the autoencoder alone
 */
public record ModelPackage(String format, int specVersion, List<String> features, List<Layer> layers,
        double[] center, double[] scale, double threshold, double thresholdPercentile, double[] featureErrorMean,
        double[] featureErrorP99, double[] typicalLow, double[] typicalHigh, Map<String, Object> training,
        RepositoryNorms repositories, Detectors detectors) {

    public static final String FORMAT = "prsentinel-autoencoder/1";
    public static final String FILE = "model.json";

    /**
     * A layer in the file.
     *
     * @param in         inputs
     * @param out        outputs
     * @param activation "relu" or "linear"
     * @param weight     out * in weights, row-major
     * @param bias       out biases
     */
    public record Layer(int in, int out, String activation, float[] weight, float[] bias) {

        /** The network these layers describe, in order: what training builds and score serves. */
        public static Autoencoder autoencoder(List<Layer> layers) {
            return new Autoencoder(layers.stream().map(Layer::toDense).toList());
        }

        DenseLayer toDense() {
            if (!"relu".equals(activation) && !"linear".equals(activation)) {
                throw new IllegalArgumentException("unknown activation " + activation);
            }
            if (weight == null || bias == null) {
                throw new IllegalArgumentException("layer " + in + "->" + out + " has no weights");
            }
            return new DenseLayer(in, out, "relu".equals(activation), weight, bias);
        }
    }

    /**
     * The two detectors' cuts. Each is a percentile of its own score on the validation rows: below the
     * overall threshold's, so that each detector has a budget of its own and neither's heavy tail takes
     * the other's (one shared budget lost a quarter of the one-file blobs, benchmarks/RESULTS.md).
     *
     * @param tailFeatures             the features the tail detector reads ({@link Detector#tailFeatures})
     * @param reconstructionCut        the autoencoder's reconstruction error at its percentile
     * @param reconstructionPercentile that percentile of the validation rows
     * @param tailCut                  the largest tail z-score at its percentile
     * @param tailPercentile           that percentile of the validation rows
     * @param extreme                  the tail detector's reading of each feature against its own extreme;
     *                                 null in a package trained before it existed, whose tail reads z alone
     */
    public record Detectors(List<String> tailFeatures, double reconstructionCut, double reconstructionPercentile,
            double tailCut, double tailPercentile, Extreme extreme) {

        public Detectors {
            if (tailFeatures == null || tailFeatures.isEmpty()) {
                throw new InvalidModelException("detectors: the tail detector reads no features");
            }
            if (!(reconstructionCut > 0) || Double.isInfinite(reconstructionCut)) {
                throw new InvalidModelException("detectors: reconstructionCut must be positive and finite, was "
                        + reconstructionCut);
            }
            if (!(tailCut > 0) || Double.isInfinite(tailCut)) {
                throw new InvalidModelException("detectors: tailCut must be positive and finite, was " + tailCut);
            }
            List<String> tail = List.copyOf(tailFeatures);
            tailFeatures = tail;
            if (extreme != null && !tail.containsAll(extreme.features())) {
                throw new InvalidModelException("detectors: extreme features " + extreme.features().stream()
                        .filter(f -> !tail.contains(f)).toList() + " are not tail features");
            }
        }

        /** Detectors whose tail reads the absolute z-score alone, as the first v4 packages. */
        public Detectors(List<String> tailFeatures, double reconstructionCut, double reconstructionPercentile,
                double tailCut, double tailPercentile) {
            this(tailFeatures, reconstructionCut, reconstructionPercentile, tailCut, tailPercentile, null);
        }
    }

    /**
     * Each feature against its own extreme: its |z| divided by its |z| at {@code quantile} of the
     * training rows, so a quantity whose spread is wide (how long a PR stays open: a PR open for years
     * is a z of 2) is judged by what it reached in training, not by the z a heavy-tailed count reaches.
     *
     * @param features   the tail features that varied on the training rows
     * @param scales     per feature, its |z| at {@code quantile} of the training rows, at least 1
     * @param quantile   that quantile (0 to 1)
     * @param cut        the largest ratio at its percentile of the validation rows
     * @param percentile that percentile
     */
    public record Extreme(List<String> features, List<Double> scales, double quantile, double cut,
            double percentile) {

        public Extreme {
            if (features == null || features.isEmpty()) {
                throw new InvalidModelException("detectors.extreme: reads no features");
            }
            if (scales == null || scales.size() != features.size()) {
                throw new InvalidModelException("detectors.extreme: scales must have " + features.size()
                        + " entries, one per feature");
            }
            for (int i = 0; i < scales.size(); i++) {
                Double v = scales.get(i);
                if (v == null || !(v >= 1) || Double.isInfinite(v)) {
                    throw new InvalidModelException("detectors.extreme: scales [" + i + "] must be finite and at"
                            + " least 1, was " + v);
                }
            }
            if (!(quantile > 0 && quantile < 1)) {
                throw new InvalidModelException("detectors.extreme: quantile must be between 0 and 1, was "
                        + quantile);
            }
            if (!(cut > 0) || Double.isInfinite(cut)) {
                throw new InvalidModelException("detectors.extreme: cut must be positive and finite, was " + cut);
            }
            features = List.copyOf(features);
            scales = List.copyOf(scales);
        }
    }

    /** A package scored by the autoencoder alone, as every spec before v4. */
    public ModelPackage(String format, int specVersion, List<String> features, List<Layer> layers, double[] center,
            double[] scale, double threshold, double thresholdPercentile, double[] featureErrorMean,
            double[] featureErrorP99, double[] typicalLow, double[] typicalHigh, Map<String, Object> training,
            RepositoryNorms repositories) {
        this(format, specVersion, features, layers, center, scale, threshold, thresholdPercentile, featureErrorMean,
                featureErrorP99, typicalLow, typicalHigh, training, repositories, null);
    }

    /** Checks that the package is complete and fits a spec this build knows; the message says what is wrong. */
    public ModelPackage {
        if (!FORMAT.equals(format)) {
            throw new InvalidModelException("format is " + format + ", expected " + FORMAT);
        }
        FeatureSpec spec = FeatureSpecs.of(specVersion).orElseThrow(() -> new InvalidModelException(
                "trained on feature spec v" + specVersion + ", which this build does not know (it serves "
                        + FeatureSpecs.known() + ")"));
        List<String> expected = spec.names();
        if (!expected.equals(features)) {
            throw new InvalidModelException("feature names differ from spec v" + specVersion);
        }
        int n = expected.size();
        if (center == null || scale == null || center.length != n || scale.length != n) {
            throw new InvalidModelException("scaler must have " + n + " centers and scales");
        }
        if (featureErrorMean == null || featureErrorP99 == null || featureErrorMean.length != n
                || featureErrorP99.length != n) {
            throw new InvalidModelException("per-feature error statistics must have " + n + " entries");
        }
        if (typicalLow == null || typicalHigh == null || typicalLow.length != n || typicalHigh.length != n) {
            throw new InvalidModelException("typical ranges must have " + n + " entries");
        }
        if (!spec.normed().isEmpty() && repositories == null) {
            throw new InvalidModelException("spec v" + specVersion + " reads PRs against their repository's norms,"
                    + " and the package carries none");
        }
        if (spec.normed().isEmpty() && repositories != null) {
            throw new InvalidModelException("spec v" + specVersion + " reads no repository norms, and the package"
                    + " carries some");
        }
        if (repositories != null && !repositories.features().equals(spec.normed())) {
            throw new InvalidModelException("repository norms are of " + repositories.features() + ", spec v"
                    + specVersion + " reads " + spec.normed());
        }
        if (detectors != null && !expected.containsAll(detectors.tailFeatures())) {
            throw new InvalidModelException("detectors: tail features " + detectors.tailFeatures().stream()
                    .filter(f -> !expected.contains(f)).toList() + " are not features of spec v" + specVersion);
        }
        if (!(threshold > 0) || Double.isInfinite(threshold)) {
            throw new InvalidModelException("threshold must be positive and finite, was " + threshold);
        }
        if (layers == null || layers.isEmpty()) {
            throw new InvalidModelException("no layers");
        }
        try {
            Layer.autoencoder(layers);
        } catch (IllegalArgumentException e) {
            throw new InvalidModelException(e.getMessage());
        }
        if (layers.get(0).in() != n) {
            throw new InvalidModelException("input layer takes " + layers.get(0).in() + " features, spec has " + n);
        }
        // A non-finite number anywhere makes some scores NaN or infinite: the most unusual input would
        // then be reported as normal. Such a model is refused, and score stays not-ready.
        finite(center, "scaler center");
        finite(scale, "scaler scale");
        finite(featureErrorMean, "feature error mean");
        finite(featureErrorP99, "feature error p99");
        finite(typicalLow, "typical low");
        finite(typicalHigh, "typical high");
        for (int l = 0; l < layers.size(); l++) {
            finite(layers.get(l).weight(), "layer " + l + " weight");
            finite(layers.get(l).bias(), "layer " + l + " bias");
        }
        features = List.copyOf(features);
        layers = List.copyOf(layers);
        training = training == null ? Map.of() : Map.copyOf(training);
    }

    private static void finite(double[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new InvalidModelException(what + " [" + i + "] is " + values[i] + ", not a finite number");
            }
        }
    }

    private static void finite(float[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new InvalidModelException(what + " [" + i + "] is " + values[i] + ", not a finite number");
            }
        }
    }

    /** The spec it was trained on, and that its inputs must be extracted with. */
    @JsonIgnore
    public FeatureSpec spec() {
        return FeatureSpecs.require(specVersion);
    }

    @JsonIgnore
    public Autoencoder autoencoder() {
        return Layer.autoencoder(layers);
    }

    @JsonIgnore
    public RobustScaler scaler() {
        return new RobustScaler(specVersion, center, scale);
    }

    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(FILE), toJson());
    }

    /**
     * Reads and checks a package.
     *
     * @throws InvalidModelException when it is missing, unreadable or does not fit this build
     */
    public static ModelPackage read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new InvalidModelException("no " + FILE + " in " + dir);
        }
        try {
            return parse(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new InvalidModelException(file + " is unreadable: " + e.getMessage());
        }
    }

    /** Reads and checks a package from its JSON; {@code origin} names it in error messages. */
    public static ModelPackage parse(byte[] json, String origin) {
        try {
            return Json.mapper().readValue(json, ModelPackage.class);
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof InvalidModelException invalid) {
                throw invalid;
            }
            throw new InvalidModelException(origin + " is not a model package: " + e.getOriginalMessage());
        } catch (UnrecognizedPropertyException e) {
            // A newer trainer's package read by an older build: refused, since scoring it without the
            // part it does not know would not be the score its threshold was calibrated on.
            throw new InvalidModelException(origin + " has a field this build does not know, " + field(e)
                    + ": if a newer train-trigger wrote it, serve it with the score image of the same release");
        } catch (MismatchedInputException e) {
            String field = field(e);
            if (field.isEmpty()) {
                throw new InvalidModelException(origin + " is not a model package: not a JSON object");
            }
            Class<?> type = e.getTargetType();
            throw new InvalidModelException(origin + ": " + field + " is missing or not of "
                    + (type == null ? "its type" : "type " + type.getSimpleName()));
        } catch (IOException e) {
            throw new InvalidModelException(origin + " is unreadable: " + e.getMessage());
        }
    }

    /** The JSON path of the field a mapping failed on, as dotted field names. */
    private static String field(JsonMappingException e) {
        return e.getPath().stream().map(JsonMappingException.Reference::getFieldName).filter(Objects::nonNull)
                .collect(Collectors.joining("."));
    }

    /** The package as JSON, as {@link #write} stores it. */
    public byte[] toJson() {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A package that cannot be served; the message says why. */
    public static final class InvalidModelException extends RuntimeException {
        public InvalidModelException(String message) {
            super(message);
        }
    }
}
