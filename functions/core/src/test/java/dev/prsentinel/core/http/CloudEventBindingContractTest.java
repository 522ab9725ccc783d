package dev.prsentinel.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudevents.CloudEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;

/**
 * The CloudEvents 1.0 HTTP protocol binding (1.0.2) and JSON event format, one case per rule a
 * receiver has to apply, kept apart from the pipeline's fixtures: every invalid form gets its status
 * and a reason naming the attribute and the rule, never a Java class.
 */
class CloudEventBindingContractTest {

    private static Headers binary(String... more) {
        Headers h = new Headers().add("ce-specversion", "1.0").add("ce-id", "A234-1234-1234")
                .add("ce-source", "https://github.com/cloudevents/spec/pull").add("ce-type", "com.example.someevent")
                .add("content-type", "application/json");
        for (int i = 0; i < more.length; i += 2) {
            h.add(more[i], more[i + 1]);
        }
        return h;
    }

    private static Headers structured() {
        return new Headers().add("content-type", "application/cloudevents+json; charset=utf-8");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String event(String attributes) {
        return "{\"specversion\":\"1.0\",\"id\":\"A234-1234-1234\",\"source\":\"/mycontext\","
                + "\"type\":\"com.example.someevent\"" + attributes + "}";
    }

    private static void refused(int status, String reason, ThrowableAssert.ThrowingCallable read) {
        assertThatThrownBy(read).isInstanceOfSatisfying(InvalidEvent.class, e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.getMessage()).contains(reason).doesNotContain("Exception").doesNotContain("java.");
        });
    }

    @Test
    void binaryModeWithEveryAttribute() {
        CloudEvent e = CloudEventBinding.read(binary("ce-time", "2018-04-05T17:31:00Z", "ce-subject", "123",
                "ce-dataschema", "https://example.com/schema", "ce-comexampleextension1", "value"), bytes("{\"a\":1}"));
        assertThat(e.getId()).isEqualTo("A234-1234-1234");
        assertThat(e.getSource()).isEqualTo(URI.create("https://github.com/cloudevents/spec/pull"));
        assertThat(e.getTime()).isEqualTo(OffsetDateTime.parse("2018-04-05T17:31:00Z"));
        assertThat(e.getSubject()).isEqualTo("123");
        assertThat(e.getDataContentType()).isEqualTo("application/json");
        assertThat(e.getExtension("comexampleextension1")).isEqualTo("value");
        assertThat(e.getData().toBytes()).isEqualTo(bytes("{\"a\":1}"));
    }

    @Test
    void structuredModeWithJsonDataStringDataAndBase64Data() {
        CloudEvent json = CloudEventBinding.read(structured(), bytes(event(
                ",\"datacontenttype\":\"application/json\",\"comexampleothervalue\":5,\"flag\":true,"
                        + "\"data\":{\"a\":1}")));
        assertThat(json.getData().toBytes()).isEqualTo(bytes("{\"a\":1}"));
        assertThat(json.getExtension("comexampleothervalue")).isEqualTo(5);
        assertThat(json.getExtension("flag")).isEqualTo(true);
        CloudEvent implied = CloudEventBinding.read(structured(), bytes(event(",\"data\":[1,2]")));
        assertThat(implied.getDataContentType()).as("JSON format: data without datacontenttype is JSON")
                .isEqualTo("application/json");
        CloudEvent text = CloudEventBinding.read(structured(), bytes(event(
                ",\"datacontenttype\":\"text/xml\",\"data\":\"<much wow=\\\"xml\\\"/>\"")));
        assertThat(new String(text.getData().toBytes(), StandardCharsets.UTF_8)).isEqualTo("<much wow=\"xml\"/>");
        CloudEvent base64 = CloudEventBinding.read(structured(), bytes(event(",\"data_base64\":\"AQID\"")));
        assertThat(base64.getData().toBytes()).containsExactly(1, 2, 3);
        CloudEvent nulls = CloudEventBinding.read(structured(), bytes(event(",\"subject\":null,\"data\":null")));
        assertThat(nulls.getSubject()).as("JSON format: null means absent").isNull();
        assertThat(nulls.getData()).isNull();
    }

    @Test
    void requiredAttributesMustBePresentAndNonEmpty() {
        for (String attribute : new String[] {"id", "source", "type"}) {
            Headers missing = new Headers();
            binary().firstValues().forEach((k, v) -> {
                if (!k.equals("ce-" + attribute)) {
                    missing.add(k, v);
                }
            });
            refused(400, attribute + ": required", () -> CloudEventBinding.read(missing, bytes("{}")));
            Headers empty = new Headers();
            binary().firstValues().forEach((k, v) -> empty.add(k, k.equals("ce-" + attribute) ? "" : v));
            refused(400, attribute + ": required and must be a non-empty string",
                    () -> CloudEventBinding.read(empty, bytes("{}")));
            refused(400, attribute + ": required and must be a non-empty string", () -> CloudEventBinding.read(
                    structured(), bytes(event("").replace("\"" + attribute + "\":\"", "\"" + attribute + "\":\"\",\"x"
                            + "\":\""))));
        }
    }

    @Test
    void specVersionIsRequiredAnd03IsRefusedWithAReason() {
        Headers none = new Headers().add("ce-id", "1").add("ce-source", "/s").add("ce-type", "t");
        refused(400, "no ce-specversion header", () -> CloudEventBinding.read(none, bytes("{}")));
        refused(400, "specversion 0.3 is not accepted; send 1.0", () -> CloudEventBinding.read(new Headers()
                .add("ce-specversion", "0.3").add("ce-id", "1").add("ce-source", "/s").add("ce-type", "t"),
                bytes("")));
        refused(400, "specversion \"2.0\" is unknown", () -> CloudEventBinding.read(structured(),
                bytes(event("").replace("\"1.0\"", "\"2.0\""))));
        refused(400, "specversion: must be a string", () -> CloudEventBinding.read(structured(),
                bytes(event("").replace("\"1.0\"", "1.0"))));
    }

    @Test
    void optionalAttributesFollowTheirTypes() {
        refused(400, "time: not an RFC 3339 timestamp",
                () -> CloudEventBinding.read(binary("ce-time", "yesterday"), bytes("{}")));
        refused(400, "subject: when present, must be a non-empty string",
                () -> CloudEventBinding.read(binary("ce-subject", ""), bytes("{}")));
        refused(400, "dataschema: must be an absolute URI",
                () -> CloudEventBinding.read(binary("ce-dataschema", "relative/path"), bytes("{}")));
        refused(400, "source: not a URI-reference",
                () -> CloudEventBinding.read(structured(), bytes(event("").replace("/mycontext", "a b"))));
        refused(400, "subject: must be a string",
                () -> CloudEventBinding.read(structured(), bytes(event(",\"subject\":5"))));
    }

    @Test
    void extensionNamesAreLowerCaseLettersAndDigits() {
        refused(400, "names are lower-case ASCII letters and digits",
                () -> CloudEventBinding.read(binary("ce-my-ext", "v"), bytes("{}")));
        refused(400, "names are lower-case ASCII letters and digits",
                () -> CloudEventBinding.read(structured(), bytes(event(",\"MyExt\":\"v\""))));
        refused(400, "names are lower-case ASCII letters and digits",
                () -> CloudEventBinding.read(structured(), bytes(event(",\"my_ext\":\"v\""))));
        // HTTP header names are case-insensitive: ce-MyExt is the extension myext.
        assertThat(CloudEventBinding.read(binary("ce-MyExt", "v"), bytes("{}")).getExtension("myext")).isEqualTo("v");
    }

    @Test
    void extensionValuesAreCloudEventsTypesOnly() {
        refused(400, "a JSON object is not a CloudEvents type",
                () -> CloudEventBinding.read(structured(), bytes(event(",\"ext\":{\"a\":1}"))));
        refused(400, "a JSON array is not a CloudEvents type",
                () -> CloudEventBinding.read(structured(), bytes(event(",\"ext\":[1]"))));
        refused(400, "a number must be an integer within 32 bits",
                () -> CloudEventBinding.read(structured(), bytes(event(",\"ext\":1.5"))));
        refused(400, "a number must be an integer within 32 bits",
                () -> CloudEventBinding.read(structured(), bytes(event(",\"ext\":4294967296"))));
    }

    @Test
    void aDuplicatedAttributeIsRefusedNotSilentlyResolved() {
        refused(400, "header ce-id appears 2 times", () -> CloudEventBinding.read(binary("ce-id", "other"),
                bytes("{}")));
        refused(400, "header ce-type appears 2 times", () -> CloudEventBinding.read(binary("CE-Type", "other"),
                bytes("{}")));
        refused(400, "Content-Type appears 2 times",
                () -> CloudEventBinding.read(binary("content-type", "text/plain"), bytes("{}")));
        refused(400, "not valid JSON", () -> CloudEventBinding.read(structured(),
                bytes(event(",\"id\":\"again\""))));
        refused(400, "ce-datacontenttype: in binary mode datacontenttype is the Content-Type header",
                () -> CloudEventBinding.read(binary("ce-datacontenttype", "application/json"), bytes("{}")));
    }

    @Test
    void structuredModeBodyRules() {
        refused(400, "body: not valid JSON at line 1", () -> CloudEventBinding.read(structured(), bytes("{\"id\":")));
        refused(400, "body: a structured-mode event is a JSON object",
                () -> CloudEventBinding.read(structured(), bytes("[1]")));
        refused(400, "data and data_base64: an event carries at most one of them",
                () -> CloudEventBinding.read(structured(), bytes(event(",\"data\":1,\"data_base64\":\"AQ==\""))));
        refused(400, "data_base64: not valid base64",
                () -> CloudEventBinding.read(structured(), bytes(event(",\"data_base64\":\"%%%\""))));
        refused(415, "charset latin1", () -> CloudEventBinding.read(new Headers().add("content-type",
                "application/cloudevents+json; charset=latin1"), bytes(event(""))));
    }

    @Test
    void otherModesAndFormatsAre415() {
        refused(415, "batched mode", () -> CloudEventBinding.read(new Headers().add("content-type",
                "application/cloudevents-batch+json"), bytes("[" + event("") + "]")));
        refused(415, "application/cloudevents+avro is not accepted", () -> CloudEventBinding.read(new Headers()
                .add("content-type", "application/cloudevents+avro"), bytes("x")));
    }

    @Test
    void headerValuesArePercentDecodedAndQuotedStringsUnquoted() {
        CloudEvent e = CloudEventBinding.read(binary("ce-subject", "Euro%20%E2%82%AC%20%F0%9F%98%80",
                "ce-quoted", "\"a \\\"b\\\"\""), bytes("{}"));
        assertThat(e.getSubject()).isEqualTo("Euro € 😀");
        assertThat(e.getExtension("quoted")).isEqualTo("a \"b\"");
        refused(400, "'%' must start a percent-encoded byte",
                () -> CloudEventBinding.read(binary("ce-subject", "100%"), bytes("{}")));
        refused(400, "percent-decoded bytes are not UTF-8",
                () -> CloudEventBinding.read(binary("ce-subject", "%FF%FE"), bytes("{}")));
    }

    @Test
    void writingEncodesWhatAHeaderCannotCarryAndReadsBackTheSame() {
        CloudEvent original = io.cloudevents.core.builder.CloudEventBuilder.v1().withId("1 2").withSource(
                URI.create("/s")).withType("t").withSubject("owner/ré pö%\"😀").withExtension("ext", "x")
                .withDataContentType("application/json").withData(bytes("{\"a\":1}")).build();
        CloudEventBinding.Message m = CloudEventBinding.toBinary(original);
        m.headers().values().forEach(v -> assertThat(v.chars()).allMatch(c -> c > 0x20 && c < 0x7F));
        assertThat(m.headers().get("ce-subject")).isEqualTo("owner/r%C3%A9%20p%C3%B6%25%22%F0%9F%98%80");
        Headers back = new Headers();
        m.headers().forEach(back::add);
        CloudEvent read = CloudEventBinding.read(back, m.body());
        assertThat(read).isEqualTo(original);
        assertThat(CloudEventBinding.fromStructuredJson(CloudEventBinding.toStructuredJson(original)))
                .isEqualTo(original);
    }

    @Test
    void neitherModeIs400() {
        refused(400, "not a CloudEvent: no ce-specversion header", () -> CloudEventBinding.read(
                Headers.of(Map.of("content-type", "application/json")), bytes("{}")));
        refused(400, "Content-Type is absent", () -> CloudEventBinding.read(new Headers(), bytes("{}")));
    }
}
