package dev.prsentinel.local.broker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Broker and Trigger definitions of knative/, read the way kustomize assembles them: from
 * kustomization.yaml, following its resources into files and sub-folders. The same files go to the
 * cluster; nothing here is a second copy of the routing.
 */
public final class KnativeManifests {

    private final List<Map<String, Object>> documents;

    private KnativeManifests(List<Map<String, Object>> documents) {
        this.documents = documents;
    }

    /** Reads from a folder on disk (the project's knative/). */
    public static KnativeManifests fromDirectory(Path dir) {
        if (!Files.isRegularFile(dir.resolve("kustomization.yaml"))) {
            throw new IllegalArgumentException(dir.toAbsolutePath() + " has no kustomization.yaml");
        }
        return load("", path -> {
            try {
                return Files.newInputStream(dir.resolve(path));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + dir.resolve(path), e);
            }
        });
    }

    /** Reads the copy of knative/ that the build puts into this module's jar. */
    public static KnativeManifests fromClasspath() {
        return load("", path -> {
            InputStream in = KnativeManifests.class.getClassLoader().getResourceAsStream("knative/" + path);
            if (in == null) {
                throw new IllegalStateException("knative/" + path
                        + " is not on the classpath; rebuild the local module");
            }
            return in;
        });
    }

    private static KnativeManifests load(String dir, Function<String, InputStream> open) {
        List<Map<String, Object>> docs = new ArrayList<>();
        collect(dir, open, docs);
        return new KnativeManifests(docs);
    }

    @SuppressWarnings("unchecked")
    private static void collect(String dir, Function<String, InputStream> open, List<Map<String, Object>> docs) {
        Map<String, Object> kustomization = (Map<String, Object>) readAll(dir + "kustomization.yaml", open).get(0);
        for (Object r : (List<Object>) kustomization.getOrDefault("resources", List.of())) {
            String resource = r.toString();
            if (resource.startsWith("../")) {
                // Outside knative/ (perf/'s ConfigMaps): no Broker or Trigger there, and not in the jar.
                continue;
            }
            if (resource.endsWith(".yaml") || resource.endsWith(".yml")) {
                for (Object doc : readAll(dir + resource, open)) {
                    if (doc != null) {
                        docs.add((Map<String, Object>) doc);
                    }
                }
            } else {
                collect(dir + resource + "/", open, docs);
            }
        }
    }

    private static List<Object> readAll(String path, Function<String, InputStream> open) {
        try (InputStream in = open.apply(path)) {
            List<Object> docs = new ArrayList<>();
            new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(in).forEach(docs::add);
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /** Every document of a kind, e.g. "Service". */
    public List<Map<String, Object>> ofKind(String kind) {
        return documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    /** Broker names with their default delivery. */
    public Map<String, Delivery> brokers() {
        Map<String, Delivery> brokers = new LinkedHashMap<>();
        for (Map<String, Object> b : ofKind("Broker")) {
            brokers.put(name(b), delivery(map(map(b, "spec"), "delivery"), Delivery.NONE));
        }
        return brokers;
    }

    /** The Triggers of one broker. */
    @SuppressWarnings("unchecked")
    public List<Trigger> triggers(String broker) {
        Delivery defaults = brokers().getOrDefault(broker, Delivery.NONE);
        List<Trigger> triggers = new ArrayList<>();
        for (Map<String, Object> t : ofKind("Trigger")) {
            Map<String, Object> spec = map(t, "spec");
            if (!broker.equals(spec.get("broker"))) {
                continue;
            }
            Map<String, String> filter = new LinkedHashMap<>();
            ((Map<String, Object>) map(map(spec, "filter"), "attributes"))
                    .forEach((k, v) -> filter.put(k, v.toString()));
            Map<String, Object> subscriber = map(spec, "subscriber");
            Object uri = subscriber.get("uri");
            String service = Objects.toString(map(subscriber, "ref").get("name"), null);
            triggers.add(new Trigger(name(t), broker, filter, service, uri == null ? "/" : uri.toString(),
                    delivery(map(spec, "delivery"), defaults)));
        }
        return triggers;
    }

    private static Delivery delivery(Map<String, Object> spec, Delivery defaults) {
        if (spec.isEmpty()) {
            return defaults;
        }
        Map<String, Object> dls = map(spec, "deadLetterSink");
        String sink = dls.isEmpty() ? null
                : Objects.toString(map(dls, "ref").get("name"), "") + Objects.toString(dls.get("uri"), "");
        return new Delivery(
                spec.containsKey("retry") ? ((Number) spec.get("retry")).intValue() : defaults.retry(),
                !"linear".equals(spec.getOrDefault("backoffPolicy", "exponential")),
                spec.containsKey("backoffDelay") ? Duration.parse(spec.get("backoffDelay").toString())
                        : defaults.backoffDelay(),
                sink);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object v = parent.get(key);
        return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static String name(Map<String, Object> doc) {
        return Objects.toString(map(doc, "metadata").get("name"), null);
    }
}
