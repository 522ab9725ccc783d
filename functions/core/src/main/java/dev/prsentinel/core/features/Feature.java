package dev.prsentinel.core.features;

/**
 * One feature of a spec.
 *
 * @param name        stable name, used in feature sets, statistics and explanations
 * @param group       what it is about
 * @param scaling     how {@link RobustScaler} scales it
 * @param description what it measures and how a missing input is handled
 */
public record Feature(String name, FeatureGroup group, Scaling scaling, String description) {

    /** How a feature is scaled before the model sees it. */
    public enum Scaling {
        /**
         * (x - median) / IQR, with the standard deviation, then 1, when the IQR is 0. Right for a
         * measured quantity; for a 0/1 flag that is almost always 0 it divides by a spread near 0,
         * so a single rare 1 becomes a z of 10 or more and outweighs every other feature.
         */
        ROBUST,
        /**
         * A 0/1 flag: scaled as {@link #ROBUST}, then held within {@link #FLAG_LIMIT} of its median.
         * A flag set on 13% to 87% of the rows keeps its scaled value (on pullreqs every varying flag does);
         * a rarer one stops growing there instead of reaching 10 at 1%.
         */
        FLAG;

        /**
         * The most a flag can deviate, in scaled units: its squared error alone is then about 9 over
         * spec v2's 32 features, 0.28 of a score, where an unbounded 1% flag gave 100 over 31 (3.2).
         * That is near the shipped pullreqs threshold (0.27), so a rare flag can still tip a PR that
         * fits otherwise; what it no longer does is outweigh every other feature (the demo's drafts).
         */
        public static final double FLAG_LIMIT = 3;
    }
}
