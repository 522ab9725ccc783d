package dev.prsentinel.local.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.Json;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.ingest.webhooks.GitHubWebhooks;
import dev.prsentinel.core.events.SyncRequested;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The manifests in knative/ hang together: what the cluster would reject or leave unrouted fails here. */
class KnativeManifestsTest {

    private static final Path KNATIVE = Path.of("../knative");
    private final KnativeManifests manifests = KnativeManifests.fromDirectory(KNATIVE);

    @Test
    void theJarCarriesTheSameManifests() {
        KnativeManifests packaged = KnativeManifests.fromClasspath();
        assertThat(packaged.brokers()).isEqualTo(manifests.brokers());
        assertThat(packaged.triggers("prsentinel")).isEqualTo(manifests.triggers("prsentinel"));
    }

    @Test
    void everyTriggerSubscribesAnExistingServiceOnAnExistingBrokerWithDeadLetters() {
        Set<String> services = names("Service");
        // Or a JobSink: the promoter's Job per event (knative/bluegreen).
        Set<String> subscribers = new java.util.HashSet<>(services);
        subscribers.addAll(names("JobSink"));
        assertThat(manifests.brokers()).containsKey("prsentinel");
        List<Trigger> triggers = manifests.triggers("prsentinel");
        assertThat(triggers).hasSize(names("Trigger").size());
        for (Trigger t : triggers) {
            assertThat(subscribers).as(t.name()).contains(t.subscriber());
            assertThat(t.delivery().retry()).as(t.name()).isPositive();
            assertThat(t.delivery().deadLetterSink()).as(t.name()).isNotBlank();
            assertThat(services).as(t.name()).contains(t.delivery().deadLetterSink().split("/")[0]);
        }
    }

    @Test
    void ingestAcceptsEveryTypeItsTriggersRoute() {
        Set<String> routed = manifests.triggers("prsentinel").stream().filter(t -> t.subscriber().equals("ingest"))
                .map(t -> t.filter().get("type")).collect(Collectors.toSet());
        assertThat(routed).containsExactlyInAnyOrderElementsOf(dev.prsentinel.ingest.IngestHandlers.acceptedTypes());
    }

    @Test
    void featurizeAcceptsEveryTypeItsTriggersRoute() {
        Set<String> routed = manifests.triggers("prsentinel").stream().filter(t -> t.subscriber().equals("featurize"))
                .map(t -> t.filter().get("type")).collect(Collectors.toSet());
        assertThat(routed).containsExactlyInAnyOrderElementsOf(dev.prsentinel.featurize.FeaturizeHandlers.TYPES);
    }

    @Test
    void trainTriggerAcceptsEveryTypeItsTriggersRoute() {
        Set<String> routed = manifests.triggers("prsentinel").stream()
                .filter(t -> t.subscriber().equals("train-trigger"))
                .map(t -> t.filter().get("type")).collect(Collectors.toSet());
        assertThat(routed).containsExactlyInAnyOrderElementsOf(dev.prsentinel.train.TrainTriggerHandlers.TYPES);
    }

    @Test
    void scoreAcceptsEveryTypeItsTriggersRoute() {
        Set<String> routed = manifests.triggers("prsentinel").stream().filter(t -> t.subscriber().equals("score"))
                .map(t -> t.filter().get("type")).collect(Collectors.toSet());
        assertThat(routed).containsExactlyInAnyOrderElementsOf(dev.prsentinel.score.ScoreApplication.EVENT_TYPES);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyPingTriggerMatchesExactlyOnePingSource() {
        for (Trigger t : manifests.triggers("prsentinel")) {
            if (!EventTypes.PING.equals(t.filter().get("type"))) {
                continue;
            }
            long matching = manifests.ofKind("PingSource").stream().filter(p -> {
                Map<String, Object> overrides = (Map<String, Object>) ((Map<String, Object>) p.get("spec"))
                        .get("ceOverrides");
                Map<String, Object> ext = overrides == null ? Map.of()
                        : (Map<String, Object>) overrides.get("extensions");
                return t.filter().entrySet().stream().filter(f -> !f.getKey().equals("type"))
                        .allMatch(f -> f.getValue().equals(String.valueOf(ext.get(f.getKey()))));
            }).count();
            assertThat(matching).as(t.name()).isEqualTo(1);
        }
    }

    @Test
    void everyWebhookEventTheReceiverHandsOnIsRoutedToIngest() {
        Set<String> routed = manifests.triggers("prsentinel").stream().filter(t -> t.subscriber().equals("ingest"))
                .map(t -> t.filter().get("type")).collect(Collectors.toSet());
        GitHubWebhooks.FORWARDED.forEach(event -> assertThat(routed).contains(EventTypes.GITHUB_PREFIX + event));
        assertThat(manifests.ofKind("GitHubSource")).as("GitHubSource drops fields; ingest receives webhooks itself")
                .isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void onlyTheWebhookReceiverIsPublic() {
        Set<String> publicServices = new java.util.TreeSet<>();
        for (Map<String, Object> service : manifests.ofKind("Service")) {
            Map<String, Object> metadata = (Map<String, Object>) service.get("metadata");
            Map<String, Object> labels = (Map<String, Object>) metadata.getOrDefault("labels", Map.of());
            if (!"cluster-local".equals(labels.get("networking.knative.dev/visibility"))) {
                publicServices.add(metadata.get("name").toString());
            }
        }
        assertThat(publicServices).containsExactly("ingest-webhooks");
        Map<String, Object> receiver = manifests.ofKind("Service").stream().filter(s -> "ingest-webhooks".equals(
                ((Map<String, Object>) s.get("metadata")).get("name"))).findFirst().orElseThrow();
        assertThat(receiver.toString()).contains("INGEST_ROUTES, value=webhooks");
    }

    @Test
    @SuppressWarnings("unchecked")
    void thePingSourceSendsAValidSyncRequestThatItsTriggerMatches() throws Exception {
        Map<String, Object> ping = manifests.ofKind("PingSource").stream().filter(p -> "ingest-sync-schedule"
                .equals(((Map<String, Object>) p.get("metadata")).get("name"))).findFirst().orElseThrow();
        Map<String, Object> spec = (Map<String, Object>) ping.get("spec");
        SyncRequested request = Json.mapper().readValue(spec.get("data").toString(), SyncRequested.class);
        assertThat(request.repos()).isNotEmpty();
        Map<String, Object> extensions = (Map<String, Object>) ((Map<String, Object>) spec.get("ceOverrides"))
                .get("extensions");
        Trigger trigger = manifests.triggers("prsentinel").stream()
                .filter(t -> t.name().equals("ingest-ping")).findFirst().orElseThrow();
        trigger.filter().forEach((k, v) -> {
            if (!k.equals("type")) {
                assertThat(extensions).containsEntry(k, v);
            }
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void sourcesAndBindingsSinkIntoTheBroker() {
        for (String kind : List.of("PingSource", "SinkBinding")) {
            for (Map<String, Object> doc : manifests.ofKind(kind)) {
                Map<String, Object> ref = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) doc
                        .get("spec")).get("sink")).get("ref");
                assertThat(ref).as(kind).containsEntry("kind", "Broker").containsEntry("name", "prsentinel");
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void servicesScaleToZeroAndProbeHealth() {
        for (Map<String, Object> service : manifests.ofKind("Service")) {
            Map<String, Object> template = (Map<String, Object>) ((Map<String, Object>) service.get("spec"))
                    .get("template");
            Map<String, Object> annotations = (Map<String, Object>) ((Map<String, Object>) template.get("metadata"))
                    .get("annotations");
            assertThat(annotations).containsEntry("autoscaling.knative.dev/min-scale", "0");
            Map<String, Object> container = ((List<Map<String, Object>>) ((Map<String, Object>) template.get("spec"))
                    .get("containers")).get(0);
            assertThat(container).containsKeys("readinessProbe", "livenessProbe");
            // Secrets come from Vault at run time; VaultInManifestsTest holds each variable to the list
            // of those known not to be secret.
            List<Map<String, Object>> env = (List<Map<String, Object>>) container.getOrDefault("env", List.of());
            env.forEach(e -> assertThat(e).doesNotContainKey("valueFrom"));
        }
    }

    private Set<String> names(String kind) {
        return manifests.ofKind(kind).stream()
                .map(d -> ((Map<?, ?>) d.get("metadata")).get("name").toString()).collect(Collectors.toSet());
    }
}
