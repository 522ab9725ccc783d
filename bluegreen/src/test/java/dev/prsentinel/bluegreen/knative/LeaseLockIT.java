package dev.prsentinel.bluegreen.knative;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prsentinel.bluegreen.RolloutLock;
import dev.prsentinel.core.testing.KubeApiServer;
import dev.prsentinel.core.testing.Need;
import dev.prsentinel.core.testing.Needs;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rollout Lease on a real API server: one holder, waiting, release, and takeover after a holder dies. */
@Needs(Need.KUBE_APISERVER)
class LeaseLockIT {

    @TempDir
    static Path dir;
    private static KubeApiServer api;
    private static KubernetesClient client;

    @BeforeAll
    static void start() throws Exception {
        api = KubeApiServer.start(dir.resolve("cluster"));
        assertThat(api.kubectl(null, "create", "namespace", "ns").exit()).isZero();
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(api.kubeconfig())))
                .build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (api != null) {
            api.close();
        }
    }

    private LeaseLock lock(String name) {
        return new LeaseLock(client, "ns", name, Duration.ofSeconds(3), Clock.systemUTC());
    }

    @Test
    void aSecondHolderWaitsUntilTheFirstReleases() throws Exception {
        RolloutLock.Held first = lock("a").acquire("one", Duration.ofSeconds(5));
        CompletableFuture<RolloutLock.Held> second = CompletableFuture.supplyAsync(() -> {
            try {
                return lock("a").acquire("two", Duration.ofSeconds(20));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // Longer than the lease's duration: renewals keep it, the second keeps waiting.
        Thread.sleep(4500);
        assertThat(second).isNotDone();
        assertThat(first.held()).isTrue();
        first.close();
        RolloutLock.Held taken = second.get(10, TimeUnit.SECONDS);
        assertThat(taken.held()).isTrue();
        assertThat(client.leases().inNamespace("ns").withName("a").get().getSpec().getHolderIdentity())
                .isEqualTo("two");
        taken.close();
    }

    @Test
    void aDeadHoldersLeaseIsTakenOnceItExpiresAndNotBefore() throws Exception {
        LeaseLock.Holding dead = (LeaseLock.Holding) lock("b").acquire("dead", Duration.ofSeconds(5));
        dead.die();
        assertThatThrownBy(() -> lock("b").acquire("early", Duration.ofMillis(1500)))
                .isInstanceOf(TimeoutException.class).hasMessageContaining("held by dead");
        // Within its duration (3 s) after the last renewal, well inside this wait.
        RolloutLock.Held next = lock("b").acquire("next", Duration.ofSeconds(20));
        assertThat(next.held()).isTrue();
        assertThat(client.leases().inNamespace("ns").withName("b").get().getSpec().getLeaseTransitions()).isEqualTo(1);
        next.close();
    }
}
