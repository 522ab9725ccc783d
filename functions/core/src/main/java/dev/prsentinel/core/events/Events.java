package dev.prsentinel.core.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.prsentinel.core.Json;
import dev.prsentinel.core.model.InvalidPayloadException;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/** Building the pipeline's events and reading their data, with every attribute set explicitly. */
public final class Events {

    private static final PropertyNamingStrategies.NamingBase SNAKE_CASE =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    private Events() {
    }

    /**
     * An event caused by {@code cause}. Its id is derived from the cause's source and id and the
     * new type, so handling a redelivered event yields the very same event and consumers can
     * drop the duplicate.
     */
    public static CloudEvent caused(CloudEvent cause, String type, int schemaVersion, String function,
            String subject, Object data, Clock clock) {
        return create(derivedId(cause.getSource() + "\n" + cause.getId(), type + "\n" + subject), type, schemaVersion,
                function, subject, data, clock);
    }

    /**
     * An event with an explicit id; callers derive it from what the event is about so that
     * repeating the work repeats the id.
     */
    public static CloudEvent create(String id, String type, int schemaVersion, String function, String subject,
            Object data, Clock clock) {
        return create(id, type, type, schemaVersion, function, subject, data, clock);
    }

    /**
     * An event whose data has a schema of another name than its type: one type with two producers
     * of different payloads ({@link EventTypes#MODEL_REJECTED}).
     */
    public static CloudEvent create(String id, String type, String schemaName, int schemaVersion, String function,
            String subject, Object data, Clock clock) {
        CloudEventBuilder b = CloudEventBuilder.v1()
                .withId(id)
                .withType(type)
                .withSource(URI.create(EventTypes.functionSource(function)))
                .withDataSchema(URI.create(EventTypes.schema(schemaName, schemaVersion)))
                .withDataContentType("application/json")
                .withTime(OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC))
                .withData(toJson(data));
        if (subject != null) {
            b.withSubject(subject);
        }
        return b.build();
    }

    /** A stable UUID for a piece of work, from the parts that identify it. */
    public static String derivedId(String... parts) {
        return UUID.nameUUIDFromBytes(String.join("\u0000", parts).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static byte[] toJson(Object data) {
        try {
            return Json.mapper().writeValueAsBytes(data);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + data.getClass().getSimpleName(), e);
        }
    }

    /** The event's data as a JSON tree. */
    public static JsonNode dataTree(CloudEvent event) {
        byte[] bytes = dataBytes(event);
        try {
            JsonNode node = Json.mapper().readTree(bytes);
            if (node == null || node.isMissingNode()) {
                throw new InvalidPayloadException("data", "empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new InvalidPayloadException("data", "not valid JSON: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new InvalidPayloadException("data", "unreadable: " + firstLine(e.getMessage()));
        }
    }

    /** The event's data bound to a payload record; the message of a failure names the field. */
    public static <T> T data(CloudEvent event, Class<T> type) {
        JsonNode tree = dataTree(event);
        if (type.isRecord() && !tree.isObject()) {
            throw new InvalidPayloadException("data", "expected a JSON object, got " + kind(tree));
        }
        if (type.isRecord()) {
            // Jackson would run the record's validation before noticing a misspelt field; name it first.
            Set<String> known = new TreeSet<>();
            for (RecordComponent c : type.getRecordComponents()) {
                known.add(SNAKE_CASE.translate(c.getName()));
            }
            tree.fieldNames().forEachRemaining(name -> {
                if (!known.contains(name)) {
                    throw new InvalidPayloadException("data." + name, "unknown field; expected " + known);
                }
            });
        }
        try {
            return Json.mapper().treeToValue(tree, type);
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof InvalidPayloadException invalid) {
                throw invalid;
            }
            throw new InvalidPayloadException("data", firstLine(e.getOriginalMessage()));
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidPayloadException("data." + e.getPropertyName(), "unknown field");
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            String path = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .reduce("data", (a, b) -> b.startsWith("[") ? a + b : a + "." + b);
            throw new InvalidPayloadException(path, firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new InvalidPayloadException("data", "not valid JSON: " + firstLine(e.getMessage()));
        }
    }

    private static String kind(JsonNode node) {
        if (node.isNull()) {
            return "null";
        }
        if (node.isArray()) {
            return "an array";
        }
        return node.isTextual() ? "a string" : node.isNumber() ? "a number" : node.isBoolean() ? "a boolean"
                : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }

    private static byte[] dataBytes(CloudEvent event) {
        if (event.getData() == null) {
            throw new InvalidPayloadException("data", "missing");
        }
        return event.getData().toBytes();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "invalid";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
