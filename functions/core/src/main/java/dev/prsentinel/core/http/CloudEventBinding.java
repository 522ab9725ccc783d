package dev.prsentinel.core.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import io.cloudevents.SpecVersion;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The CloudEvents 1.0 HTTP protocol binding and JSON event format, read to the letter and written
 * the same way. The SDK's own reader accepts an empty id or source, extension values of any JSON
 * type and duplicated headers, and its errors name Java classes; this one checks every rule that
 * applies to a receiver and says which attribute broke which rule.
 *
 * <p>Accepted: binary mode and structured mode with the JSON format, spec version 1.0. Refused with
 * a reason: spec version 0.3 (nothing in the pipeline or in Knative 1.x sends it), batched mode and
 * other structured formats (415).
 */
public final class CloudEventBinding {

    /** The structured-mode media type of the JSON format. */
    public static final String STRUCTURED = "application/cloudevents+json";
    private static final String BATCH = "application/cloudevents-batch+json";
    private static final Pattern EXTENSION_NAME = Pattern.compile("[a-z0-9]+");
    private static final Set<String> CONTEXT = Set.of("specversion", "id", "source", "type", "datacontenttype",
            "dataschema", "subject", "time");
    private static final ObjectMapper STRICT = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
    private static final EventFormat JSON = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);

    private CloudEventBinding() {
    }

    /**
     * Reads an event in binary or structured mode.
     *
     * @throws InvalidEvent naming the attribute and the rule when it is not a valid CloudEvent 1.0
     */
    public static CloudEvent read(Headers headers, byte[] body) {
        List<String> contentTypes = headers.all("content-type");
        if (contentTypes.size() > 1) {
            throw InvalidEvent.bad("Content-Type appears " + contentTypes.size() + " times; send it once");
        }
        String contentType = contentTypes.isEmpty() ? null : contentTypes.get(0);
        String media = mediaType(contentType);
        if (media != null && media.startsWith("application/cloudevents")) {
            if (media.equals(BATCH)) {
                throw new InvalidEvent(415, "batched mode (" + BATCH + ") is not accepted; send one event per "
                        + "request in binary or structured mode");
            }
            if (!media.equals(STRUCTURED)) {
                throw new InvalidEvent(415, "structured mode with " + media + " is not accepted; the JSON format ("
                        + STRUCTURED + ") is");
            }
            String charset = parameter(contentType, "charset");
            if (charset != null && !charset.equalsIgnoreCase("utf-8")) {
                throw new InvalidEvent(415, "Content-Type charset " + charset + ": the JSON format is UTF-8");
            }
            return structured(body);
        }
        if (headers.all("ce-specversion").isEmpty()) {
            throw InvalidEvent.bad("not a CloudEvent: no ce-specversion header (binary mode) and Content-Type is "
                    + (contentType == null ? "absent" : media) + ", not " + STRUCTURED + " (structured mode)");
        }
        return binary(headers, contentType, body);
    }

    private static CloudEvent binary(Headers headers, String contentType, byte[] body) {
        Map<String, String> attributes = new TreeMap<>();
        for (String name : headers.names()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!lower.startsWith("ce-")) {
                continue;
            }
            List<String> values = headers.all(name);
            String attribute = lower.substring(3);
            if (values.size() > 1) {
                throw InvalidEvent.bad("header ce-" + attribute + " appears " + values.size()
                        + " times; a CloudEvent attribute has one value");
            }
            if (attribute.equals("datacontenttype")) {
                throw InvalidEvent.bad("header ce-datacontenttype: in binary mode datacontenttype is the "
                        + "Content-Type header");
            }
            attributes.put(attribute, decodeHeader(attribute, values.get(0)));
        }
        CloudEventBuilder b = builder(attributes.get("specversion"));
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            if (!e.getKey().equals("specversion")) {
                attribute(b, e.getKey(), e.getValue());
            }
        }
        if (contentType != null) {
            b.withDataContentType(contentType);
        }
        if (body.length > 0) {
            b.withData(body);
        }
        return build(b, attributes);
    }

    private static CloudEvent structured(byte[] body) {
        JsonNode root;
        try {
            root = STRICT.readTree(body);
        } catch (JsonParseException e) {
            throw InvalidEvent.bad("body: not valid JSON" + at(e.getLocation()) + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw InvalidEvent.bad("body: not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw InvalidEvent.bad("body: a structured-mode event is a JSON object");
        }
        Map<String, String> seen = new TreeMap<>();
        JsonNode spec = root.get("specversion");
        if (spec != null && !spec.isNull() && !spec.isTextual()) {
            throw InvalidEvent.bad("specversion: must be a string");
        }
        CloudEventBuilder b = builder(spec == null || spec.isNull() ? null : spec.asText());
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (name.equals("specversion") || name.equals("data") || name.equals("data_base64")) {
                continue;
            }
            if (value.isNull()) {
                // The JSON format: an attribute whose value is null is treated as absent.
                continue;
            }
            if (CONTEXT.contains(name)) {
                if (!value.isTextual()) {
                    throw InvalidEvent.bad(name + ": must be a string");
                }
                attribute(b, name, value.asText());
                seen.put(name, value.asText());
            } else {
                extension(b, name, value);
                seen.put(name, value.asText());
            }
        }
        JsonNode data = root.get("data");
        JsonNode base64 = root.get("data_base64");
        boolean hasData = data != null && !data.isNull();
        boolean hasBase64 = base64 != null && !base64.isNull();
        if (hasData && hasBase64) {
            throw InvalidEvent.bad("data and data_base64: an event carries at most one of them");
        }
        if (hasBase64) {
            if (!base64.isTextual()) {
                throw InvalidEvent.bad("data_base64: must be a string");
            }
            try {
                b.withData(Base64.getDecoder().decode(base64.asText()));
            } catch (IllegalArgumentException e) {
                throw InvalidEvent.bad("data_base64: not valid base64");
            }
        } else if (hasData) {
            // JSON data is carried as the JSON value itself; other content types as a string.
            String type = seen.get("datacontenttype");
            if (type == null || isJson(type) || !data.isTextual()) {
                if (type == null) {
                    // The JSON format: data without a datacontenttype is application/json.
                    b.withDataContentType("application/json");
                }
                b.withData(data.toString().getBytes(StandardCharsets.UTF_8));
            } else {
                b.withData(data.asText().getBytes(StandardCharsets.UTF_8));
            }
        }
        return build(b, seen);
    }

    private static CloudEventBuilder builder(String specversion) {
        if (specversion == null) {
            throw InvalidEvent.bad("specversion: required");
        }
        if (specversion.equals("0.3")) {
            throw InvalidEvent.bad("specversion 0.3 is not accepted; send 1.0");
        }
        if (!specversion.equals(SpecVersion.V1.toString())) {
            throw InvalidEvent.bad("specversion " + quoted(specversion) + " is unknown; send 1.0");
        }
        return CloudEventBuilder.v1();
    }

    private static void attribute(CloudEventBuilder b, String name, String value) {
        switch (name) {
            case "id" -> b.withId(required(name, value));
            case "source" -> b.withSource(uriReference(name, required(name, value)));
            case "type" -> b.withType(required(name, value));
            case "datacontenttype" -> b.withDataContentType(nonEmpty(name, value));
            case "dataschema" -> b.withDataSchema(absoluteUri(name, nonEmpty(name, value)));
            case "subject" -> b.withSubject(nonEmpty(name, value));
            case "time" -> b.withTime(time(value));
            default -> extension(b, name, value);
        }
    }

    private static void extension(CloudEventBuilder b, String name, Object value) {
        if (!EXTENSION_NAME.matcher(name).matches()) {
            throw InvalidEvent.bad("extension " + quoted(name) + ": names are lower-case ASCII letters and digits");
        }
        if (name.equals("data")) {
            throw InvalidEvent.bad("extension data: the name is reserved");
        }
        if (value instanceof String s) {
            b.withExtension(name, s);
        } else if (value instanceof JsonNode node) {
            if (node.isTextual()) {
                b.withExtension(name, node.asText());
            } else if (node.isBoolean()) {
                b.withExtension(name, node.booleanValue());
            } else if (node.isIntegralNumber() && node.canConvertToInt()) {
                b.withExtension(name, node.intValue());
            } else if (node.isNumber()) {
                throw InvalidEvent.bad("extension " + name + ": a number must be an integer within 32 bits");
            } else {
                throw InvalidEvent.bad("extension " + name + ": a JSON " + (node.isObject() ? "object" : "array")
                        + " is not a CloudEvents type (string, integer or boolean)");
            }
        }
    }

    private static CloudEvent build(CloudEventBuilder b, Map<String, String> attributes) {
        for (String required : new String[] {"id", "source", "type"}) {
            if (!attributes.containsKey(required)) {
                throw InvalidEvent.bad(required + ": required");
            }
        }
        return b.build();
    }

    private static String required(String name, String value) {
        if (value.isEmpty()) {
            throw InvalidEvent.bad(name + ": required and must be a non-empty string");
        }
        return value;
    }

    private static String nonEmpty(String name, String value) {
        if (value.isEmpty()) {
            throw InvalidEvent.bad(name + ": when present, must be a non-empty string");
        }
        return value;
    }

    private static URI uriReference(String name, String value) {
        try {
            return new URI(value);
        } catch (URISyntaxException e) {
            throw InvalidEvent.bad(name + ": not a URI-reference (" + e.getReason() + " at index " + e.getIndex()
                    + ")");
        }
    }

    private static URI absoluteUri(String name, String value) {
        URI uri = uriReference(name, value);
        if (!uri.isAbsolute()) {
            throw InvalidEvent.bad(name + ": must be an absolute URI");
        }
        return uri;
    }

    private static OffsetDateTime time(String value) {
        try {
            return OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            throw InvalidEvent.bad("time: not an RFC 3339 timestamp: " + quoted(value));
        }
    }

    /** The binding's header rule: unquote an RFC 7230 quoted-string, then one round of percent-decoding. */
    static String decodeHeader(String attribute, String raw) {
        String value = raw.strip();
        if (value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"') {
            StringBuilder sb = new StringBuilder(value.length());
            for (int i = 1; i < value.length() - 1; i++) {
                char c = value.charAt(i);
                if (c == '\\' && i + 1 < value.length() - 1) {
                    c = value.charAt(++i);
                }
                sb.append(c);
            }
            value = sb.toString();
        }
        if (value.indexOf('%') < 0) {
            return value;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%') {
                if (i + 2 >= value.length() || Character.digit(value.charAt(i + 1), 16) < 0
                        || Character.digit(value.charAt(i + 2), 16) < 0) {
                    throw InvalidEvent.bad("header ce-" + attribute + ": '%' must start a percent-encoded byte");
                }
                bytes.write(Character.digit(value.charAt(i + 1), 16) * 16 + Character.digit(value.charAt(i + 2), 16));
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw InvalidEvent.bad("header ce-" + attribute + ": percent-decoded bytes are not UTF-8");
        }
    }

    /**
     * The binding's header rule for writing: space, '"', '%' and everything outside printable ASCII
     * is percent-encoded (as UTF-8), so no value is lost to a header that cannot carry it.
     */
    static String encodeHeader(String value) {
        StringBuilder sb = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean plain = c > 0x20 && c < 0x7F && c != '"' && c != '%';
            if (plain) {
                if (sb != null) {
                    sb.append(c);
                }
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(value.length() + 16).append(value, 0, i);
            }
            int end = Character.isHighSurrogate(c) && i + 1 < value.length() ? i + 2 : i + 1;
            ByteBuffer encoded;
            try {
                encoded = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE).encode(CharBuffer.wrap(value, i, end));
            } catch (CharacterCodingException e) {
                throw new IllegalStateException(e);
            }
            while (encoded.hasRemaining()) {
                sb.append('%').append(String.format(Locale.ROOT, "%02X", encoded.get() & 0xFF));
            }
            i = end - 1;
        }
        return sb == null ? value : sb.toString();
    }

    /** A binary-mode HTTP message: ce-* headers plus content-type, and the data as body. */
    public record Message(Map<String, String> headers, byte[] body) {
    }

    /** Writes an event in binary mode, every header value encoded by the binding's rule. */
    public static Message toBinary(CloudEvent event) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("ce-specversion", event.getSpecVersion().toString());
        headers.put("ce-id", encodeHeader(event.getId()));
        headers.put("ce-source", encodeHeader(event.getSource().toString()));
        headers.put("ce-type", encodeHeader(event.getType()));
        if (event.getDataSchema() != null) {
            headers.put("ce-dataschema", encodeHeader(event.getDataSchema().toString()));
        }
        if (event.getSubject() != null) {
            headers.put("ce-subject", encodeHeader(event.getSubject()));
        }
        if (event.getTime() != null) {
            headers.put("ce-time", event.getTime().toString());
        }
        for (String name : event.getExtensionNames()) {
            headers.put("ce-" + name, encodeHeader(String.valueOf(event.getExtension(name))));
        }
        if (event.getDataContentType() != null) {
            headers.put("content-type", event.getDataContentType());
        }
        return new Message(headers, event.getData() == null ? new byte[0] : event.getData().toBytes());
    }

    /** The structured JSON form, used to store and replay replies. */
    public static String toStructuredJson(CloudEvent event) {
        return new String(JSON.serialize(event), StandardCharsets.UTF_8);
    }

    /** Reads back what {@link #toStructuredJson} wrote. */
    public static CloudEvent fromStructuredJson(String json) {
        return structured(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether a content type carries JSON: application/json or any +json suffix. */
    public static boolean isJson(String contentType) {
        String media = mediaType(contentType);
        return media != null && (media.equals("application/json") || media.endsWith("+json"));
    }

    /** The media type of a Content-Type value, lower case, without parameters; null when absent. */
    public static String mediaType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    private static String parameter(String contentType, String name) {
        for (String part : contentType.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).strip().equalsIgnoreCase(name)) {
                return part.substring(eq + 1).strip().replace("\"", "");
            }
        }
        return null;
    }

    private static String at(JsonLocation location) {
        return location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private static String quoted(String s) {
        String shown = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return "\"" + shown + "\"";
    }
}
