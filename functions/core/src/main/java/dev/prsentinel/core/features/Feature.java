package dev.prsentinel.core.features;

/**
 * One feature of a spec.
 *
 * @param name        stable name, used in feature sets, statistics and explanations
 * @param group       what it is about
 * @param description what it measures and how a missing input is handled
 */
public record Feature(String name, FeatureGroup group, String description) {
}
