package dev.prsentinel.core.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prsentinel.core.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * An HTTP answer: status, headers, body. Error answers carry {"status": N, "reason": "..."}, where
 * the reason is for the client to act on: it names the field or attribute and the rule, never a
 * Java class, a local path or a credential.
 */
public record HttpAnswer(int status, Map<String, String> headers, byte[] body) {

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** A JSON error answer. */
    public static HttpAnswer error(int status, String reason) {
        ObjectNode o = Json.mapper().createObjectNode().put("status", status).put("reason", reason);
        return json(status, o);
    }

    /** A JSON answer. */
    public static HttpAnswer json(int status, ObjectNode body) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("content-type", "application/json");
        try {
            return new HttpAnswer(status, headers, Json.mapper().writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An answer with no body. */
    public static HttpAnswer empty(int status) {
        return new HttpAnswer(status, Map.of(), new byte[0]);
    }
}
