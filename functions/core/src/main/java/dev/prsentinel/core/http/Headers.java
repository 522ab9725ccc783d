package dev.prsentinel.core.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A request's headers as they arrived: names in any case, every value of a repeated header kept,
 * so a reader can refuse a duplicated CloudEvent attribute instead of silently taking the first.
 */
public final class Headers {

    private final Map<String, List<String>> values = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    /** Adds one value; a second call with the same name (any case) adds a second value. */
    public Headers add(String name, String value) {
        values.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
        return this;
    }

    /** Headers with one value each. */
    public static Headers of(Map<String, String> single) {
        Headers h = new Headers();
        single.forEach(h::add);
        return h;
    }

    /** The first value, or null. */
    public String get(String name) {
        List<String> v = values.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** Every value of a name, in arrival order; empty when absent. */
    public List<String> all(String name) {
        return Collections.unmodifiableList(values.getOrDefault(name, List.of()));
    }

    /** The names as they were first seen. */
    public Set<String> names() {
        return Collections.unmodifiableSet(values.keySet());
    }

    /** First values only, case-insensitive: for callers that take a plain map. */
    public Map<String, String> firstValues() {
        Map<String, String> m = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        values.forEach((k, v) -> m.put(k, v.get(0)));
        return m;
    }
}
