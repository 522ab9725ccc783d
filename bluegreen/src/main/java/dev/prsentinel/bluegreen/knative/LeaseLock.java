package dev.prsentinel.bluegreen.knative;

import dev.prsentinel.bluegreen.RolloutLock;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordination.k8s.io Lease per Service: one rollout at a time. Taken by create, or by update of
 * an expired lease at the resourceVersion read (so two takers cannot both win); renewed every third
 * of its duration; lost when a renewal fails past the duration, after which the holder stops
 * writing ({@link RolloutLock.Held#held()}). A holder that crashed is taken over once its lease
 * expires, never before: it might only be slow.
 */
public final class LeaseLock implements RolloutLock {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseLock.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final Duration duration;
    private final Clock clock;

    public LeaseLock(KubernetesClient client, String namespace, String name, Duration duration, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.duration = duration;
        this.clock = clock;
    }

    @Override
    public Held acquire(String identity, Duration wait) throws InterruptedException, TimeoutException {
        Instant deadline = clock.instant().plus(wait);
        String waitingOn = null;
        while (true) {
            if (tryTake(identity)) {
                LOG.info("lease {}/{} taken by {}", namespace, name, identity);
                return renewing(identity);
            }
            Lease held = leases().withName(name).get();
            String holder = held == null || held.getSpec() == null ? null : held.getSpec().getHolderIdentity();
            if (holder != null && !holder.equals(waitingOn)) {
                LOG.info("lease {}/{} is held by {}: waiting", namespace, name, holder);
                waitingOn = holder;
            }
            if (clock.instant().isAfter(deadline)) {
                throw new TimeoutException("lease " + namespace + "/" + name + " held by " + holder
                        + " for longer than "
                        + wait);
            }
            Thread.sleep(Math.min(2000, Math.max(50, duration.toMillis() / 10)));
        }
    }

    private boolean tryTake(String identity) {
        ZonedDateTime now = ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        Lease current = leases().withName(name).get();
        try {
            if (current == null) {
                leases().resource(new LeaseBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                        .endMetadata().withNewSpec().withHolderIdentity(identity)
                        .withLeaseDurationSeconds((int) duration.toSeconds()).withAcquireTime(now).withRenewTime(now)
                        .withLeaseTransitions(0).endSpec().build()).create();
                return true;
            }
            var spec = current.getSpec();
            boolean free = spec.getHolderIdentity() == null || spec.getRenewTime() == null
                    || spec.getRenewTime().toInstant().plusSeconds(spec.getLeaseDurationSeconds())
                            .isBefore(clock.instant());
            if (!free) {
                return false;
            }
            spec.setHolderIdentity(identity);
            spec.setLeaseDurationSeconds((int) duration.toSeconds());
            spec.setAcquireTime(now);
            spec.setRenewTime(now);
            spec.setLeaseTransitions(spec.getLeaseTransitions() == null ? 1 : spec.getLeaseTransitions() + 1);
            // An update at the resourceVersion read: a second taker of the same expired lease gets a 409.
            leases().resource(current).update();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return false;
            }
            throw e;
        }
    }

    private Held renewing(String identity) {
        return new Holding(identity);
    }

    /** A held lease and its renewal. */
    final class Holding implements Held {

        private final String identity;
        private final AtomicBoolean held = new AtomicBoolean(true);
        private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lease-renewal");
            t.setDaemon(true);
            return t;
        });
        private volatile Instant renewed = clock.instant();

        Holding(String identity) {
            this.identity = identity;
            long every = duration.toMillis() / 3;
            renewer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
        }

        private void renew() {
            try {
                Lease lease = leases().withName(name).get();
                if (lease == null || !identity.equals(lease.getSpec().getHolderIdentity())) {
                    LOG.warn("lease {}/{} is no longer held by {}", namespace, name, identity);
                    held.set(false);
                    return;
                }
                lease.getSpec().setRenewTime(ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
                leases().resource(lease).update();
                renewed = clock.instant();
            } catch (RuntimeException e) {
                if (renewed.plus(duration).isBefore(clock.instant())) {
                    LOG.warn("lease {}/{} not renewed for {}: lost ({})", namespace, name, duration, e.getMessage());
                    held.set(false);
                }
            }
        }

        @Override
        public boolean held() {
            return held.get();
        }

        /** What a holder's death does: renewals stop, nothing is released, the lease runs out. */
        void die() {
            renewer.shutdownNow();
        }

        @Override
        public void close() {
            renewer.shutdownNow();
            if (held.getAndSet(false)) {
                try {
                    Lease lease = leases().withName(name).get();
                    if (lease != null && identity.equals(lease.getSpec().getHolderIdentity())) {
                        // Released, not deleted: the next taker sees a free lease at once.
                        lease.getSpec().setHolderIdentity(null);
                        lease.getSpec().setRenewTime(null);
                        leases().resource(lease).update();
                    }
                } catch (RuntimeException e) {
                    LOG.warn("lease {}/{} not released ({}): it expires in {}", namespace, name, e.getMessage(),
                            duration);
                }
            }
        }
    }

    private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<Lease,
            io.fabric8.kubernetes.api.model.coordination.v1.LeaseList,
            io.fabric8.kubernetes.client.dsl.Resource<Lease>> leases() {
        return client.leases().inNamespace(namespace);
    }
}
