package dev.prsentinel.core.features;

import java.util.List;
import java.util.Optional;

/** The feature specs this build knows. Apart from {@link FeatureSpec} so their initialisation cannot cycle. */
public final class FeatureSpecs {

    /** The spec new feature sets and models use. */
    public static final FeatureSpec CURRENT = FeatureSpecV4.SPEC;

    /** Every spec this build can extract, train and serve, oldest first. */
    public static final List<FeatureSpec> KNOWN = List.of(FeatureSpecV1.SPEC, FeatureSpecV2.SPEC,
            FeatureSpecV3.SPEC, FeatureSpecV4.SPEC);

    private FeatureSpecs() {
    }

    /** The spec of that version, if this build knows it. */
    public static Optional<FeatureSpec> of(int version) {
        return KNOWN.stream().filter(s -> s.version() == version).findFirst();
    }

    /** The spec of that version; the message names the versions this build knows. */
    public static FeatureSpec require(int version) {
        return of(version).orElseThrow(() -> new IllegalArgumentException(unknown(version)));
    }

    /** Why a spec version cannot be used here. */
    public static String unknown(int version) {
        return "feature spec v" + version + " is unknown to this build, which knows " + known();
    }

    /** The versions this build knows, as "v1, v2, v3, v4". */
    public static String known() {
        return String.join(", ", KNOWN.stream().map(s -> "v" + s.version()).toList());
    }
}
