package dev.prsentinel.core.testing;

import java.util.HashMap;
import java.util.Map;

/** Canonical test events, in one place. */
public final class TestEvents {

    private TestEvents() {
    }

    /** The headers of a binary-mode CloudEvent with JSON data; mutable, so a test can remove one. */
    public static Map<String, String> binaryHeaders(String id, String source, String type) {
        Map<String, String> h = new HashMap<>();
        h.put("ce-specversion", "1.0");
        h.put("ce-id", id);
        h.put("ce-source", source);
        h.put("ce-type", type);
        h.put("content-type", "application/json");
        return h;
    }
}
