package dev.prsentinel.local.broker;

import io.cloudevents.CloudEvent;
import java.util.Map;

/**
 * A Knative Trigger as the local broker uses it.
 *
 * @param name       metadata.name
 * @param broker     spec.broker
 * @param filter     spec.filter.attributes: every one must equal the event's attribute or extension
 * @param subscriber the subscribed Knative Service's name
 * @param path       spec.subscriber.uri, a path on that Service ("/" when absent)
 * @param delivery   spec.delivery, else the Broker's
 */
public record Trigger(String name, String broker, Map<String, String> filter, String subscriber, String path,
        Delivery delivery) {

    public Trigger {
        filter = Map.copyOf(filter);
    }

    /** Knative's exact-match attribute filter. */
    public boolean matches(CloudEvent event) {
        for (Map.Entry<String, String> f : filter.entrySet()) {
            if (!f.getValue().equals(attribute(event, f.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static String attribute(CloudEvent event, String name) {
        Object value = switch (name) {
            case "type" -> event.getType();
            case "source" -> event.getSource();
            case "subject" -> event.getSubject();
            case "id" -> event.getId();
            case "specversion" -> event.getSpecVersion().toString();
            case "dataschema" -> event.getDataSchema();
            case "datacontenttype" -> event.getDataContentType();
            default -> event.getExtension(name);
        };
        return value == null ? null : value.toString();
    }
}
