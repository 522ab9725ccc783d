package dev.prsentinel.bluegreen.gate;

/**
 * One figure of a gate against its bound.
 *
 * @param name  what was checked: a k6 metric with its expression ("http_req_duration p(95)<100"), or
 *              a quality statistic ("ks")
 * @param value the measured figure, NaN when it could not be measured
 * @param bound the bound as written in the contract or the configuration
 * @param ok    whether the figure is within the bound
 * @param why   a sentence for a person: what the figure means, or why it is missing
 */
public record Check(String name, double value, String bound, boolean ok, String why) {
}
