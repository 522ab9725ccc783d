package dev.prsentinel.bluegreen.gate;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A k6 threshold expression ({@code p(95)<100}, {@code rate<0.01}, {@code count<10}): an aggregation
 * of a metric's values, an operator and a number. Parsed here so that a vegeta report is judged by
 * the same expressions k6 judges its own runs by.
 *
 * @param expression  the expression as written
 * @param aggregation the key of the metric's {@code values} it reads (avg, min, med, max, p(N), rate, count, value)
 * @param operator    one of &lt; &lt;= &gt; &gt;= == === !=
 * @param bound       the number it is compared with
 */
public record Threshold(String expression, String aggregation, String operator, double bound) {

    private static final Pattern SYNTAX = Pattern.compile(
            "\\s*(avg|min|med|max|count|rate|value|p\\(\\d+(?:\\.\\d+)?\\))"
                    + "\\s*(<=|>=|===|==|!=|<|>)\\s*(-?[0-9.]+(?:[eE]-?\\d+)?)\\s*");

    /** Parses an expression, or says which part of it is not k6's syntax. */
    public static Threshold parse(String expression) {
        Matcher m = SYNTAX.matcher(expression);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a k6 threshold expression: \"" + expression
                    + "\" (expected AGGREGATION OPERATOR NUMBER, e.g. p(95)<200 or rate<0.01)");
        }
        return new Threshold(expression, m.group(1), m.group(2), Double.parseDouble(m.group(3)));
    }

    /** The value this expression reads from a metric's values, or NaN when the metric lacks it. */
    public double read(Map<String, Double> values) {
        Double v = values.get(aggregation);
        return v == null ? Double.NaN : v;
    }

    /** Whether a value satisfies the expression; a missing value (NaN) never does. */
    public boolean holds(double value) {
        if (Double.isNaN(value)) {
            return false;
        }
        return switch (operator) {
            case "<" -> value < bound;
            case "<=" -> value <= bound;
            case ">" -> value > bound;
            case ">=" -> value >= bound;
            case "==", "===" -> value == bound;
            case "!=" -> value != bound;
            default -> throw new IllegalStateException(operator);
        };
    }
}
