package dev.prsentinel.core.secrets;

import dev.prsentinel.core.config.Redact;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a function builds from its secrets (its store client and everything over it), rebuilt when
 * a secret it was built from changes, without a restart and without losing in-flight work.
 *
 * <ul>
 *   <li>It is first built beside the server, retried with backoff while the secrets cannot be
 *       read: until then {@link #ready()} is false and {@link #problem()} says why, so the pod stays
 *       not-ready with the reason instead of crash-looping.</li>
 *   <li>On a change of one of its {@code keys} a new generation is built and takes the next calls;
 *       the old one is closed when the last call using it has returned. A build that fails keeps
 *       the old one serving and logs the reason.</li>
 *   <li>A call refused for its credentials ({@link CredentialsRefused#in}) has the secrets re-read
 *       at once and is retried once, on the new generation when there is one.</li>
 * </ul>
 *
 * @param <T> what is built; closed when superseded
 */
public final class Rotating<T extends AutoCloseable> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Rotating.class);

    /** Builds from the secrets; reads them with {@link Secrets#require}. */
    public interface Factory<T> {
        T build(Secrets secrets) throws Exception;
    }

    private final String what;
    private final Secrets secrets;
    private final List<String> keys;
    private final Factory<T> factory;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final Thread starter;
    private volatile Generation<T> current;
    private volatile String problem;
    private volatile boolean closed;

    private static final class Generation<T extends AutoCloseable> {
        final T value;
        final Map<String, Optional<String>> built;
        final AtomicInteger users = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicBoolean shut = new java.util.concurrent.atomic.AtomicBoolean();
        volatile boolean retired;

        Generation(T value, Map<String, Optional<String>> built) {
            this.value = value;
            this.built = built;
        }
    }

    /**
     * @param what    what it is, for messages ("ingest's store")
     * @param keys    the secrets it is built from; a change of any other key rebuilds nothing
     */
    public Rotating(String what, Secrets secrets, List<String> keys, Factory<T> factory, Duration firstBackoff,
            Duration maxBackoff) {
        this.what = what;
        this.secrets = secrets;
        this.keys = List.copyOf(keys);
        this.factory = factory;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
        this.problem = "starting: reading " + secrets.describe();
        secrets.onChange(this::rebuildIfChanged);
        this.starter = new Thread(this::startWithBackoff, what + "-start");
        starter.setDaemon(true);
    }

    /** Built with backoff from 0.5 s to 30 s. */
    public static <T extends AutoCloseable> Rotating<T> start(String what, Secrets secrets, List<String> keys,
            Factory<T> factory) {
        Rotating<T> r = new Rotating<>(what, secrets, keys, factory, Duration.ofMillis(500), Duration.ofSeconds(30));
        r.starter.start();
        return r;
    }

    /**
     * From the environment, built now (a missing variable fails the start, as it always did); from
     * Vault, built beside the server with backoff (the pod stays not-ready with the reason).
     */
    public static <T extends AutoCloseable> Rotating<T> of(String what, Secrets secrets, List<String> keys,
            Factory<T> factory) {
        return secrets instanceof EnvironmentSecrets ? now(what, secrets, keys, factory)
                : start(what, secrets, keys, factory);
    }

    /** Built now, on this thread: for jobs, which have nothing to serve before they have their secrets. */
    public static <T extends AutoCloseable> Rotating<T> now(String what, Secrets secrets, List<String> keys,
            Factory<T> factory) {
        Rotating<T> r = new Rotating<>(what, secrets, keys, factory, Duration.ZERO, Duration.ZERO);
        Generation<T> g = r.build();
        r.current = g;
        r.problem = null;
        return r;
    }

    public boolean ready() {
        return current != null;
    }

    /** Why it is not built yet; null once it is. */
    public String problem() {
        return current != null ? null : problem;
    }

    /**
     * Runs an action on the current generation.
     *
     * @param unavailable the answer while nothing is built, or when the retry after refused
     *                    credentials was refused too, given the reason
     */
    public <R> R use(Function<T, R> action, Function<String, R> unavailable) {
        Generation<T> g = acquire();
        if (g == null) {
            return unavailable.apply(problem);
        }
        try {
            return action.apply(g.value);
        } catch (RuntimeException e) {
            if (!CredentialsRefused.in(e) || closed) {
                throw e;
            }
            LOG.warn("{}: credentials refused ({}); re-reading {} and retrying once", what, Redact.cause(e),
                    secrets.describe());
            release(g);
            g = null;
            try {
                secrets.refreshNow();
            } catch (RuntimeException unreadable) {
                LOG.error("{}: credentials refused, and {} cannot be re-read: {}", what, secrets.describe(),
                        Redact.text(unreadable.getMessage()));
                return unavailable.apply(what + ": credentials refused, and they cannot be re-read");
            }
            Generation<T> retry = acquire();
            if (retry == null) {
                return unavailable.apply(problem);
            }
            try {
                return action.apply(retry.value);
            } catch (RuntimeException again) {
                if (!CredentialsRefused.in(again)) {
                    throw again;
                }
                LOG.error("{}: credentials refused again after a re-read of {}", what, secrets.describe());
                return unavailable.apply(what + ": credentials refused");
            } finally {
                release(retry);
            }
        } finally {
            if (g != null) {
                release(g);
            }
        }
    }

    private Generation<T> acquire() {
        while (true) {
            Generation<T> g = current;
            if (g == null) {
                return null;
            }
            g.users.incrementAndGet();
            if (!g.retired) {
                return g;
            }
            // Superseded between the read and the count: take the new one.
            release(g);
        }
    }

    private void release(Generation<T> g) {
        if (g.users.decrementAndGet() == 0 && g.retired) {
            closeQuietly(g);
        }
    }

    private void startWithBackoff() {
        long pause = firstBackoff.toMillis();
        while (!closed && current == null) {
            try {
                Generation<T> g = build();
                synchronized (this) {
                    if (closed) {
                        closeQuietly(g);
                        return;
                    }
                    current = g;
                }
                LOG.info("{} ready ({})", what, secrets.describe());
                return;
            } catch (RuntimeException e) {
                String reason = Redact.text(e.getMessage());
                if (!reason.equals(problem)) {
                    LOG.error("{} not ready: {}; retrying with backoff", what, reason);
                }
                problem = reason;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                return;
            }
            pause = Math.min(maxBackoff.toMillis(), pause * 2);
        }
    }

    private Generation<T> build() {
        Map<String, Optional<String>> seen = snapshot();
        try {
            return new Generation<>(Objects.requireNonNull(factory.build(secrets), what), seen);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(what + " could not be built: " + Redact.cause(e));
        }
    }

    private Map<String, Optional<String>> snapshot() {
        Map<String, Optional<String>> seen = new LinkedHashMap<>();
        for (String key : keys) {
            seen.put(key, secrets.find(key));
        }
        return seen;
    }

    private synchronized void rebuildIfChanged() {
        Generation<T> old = current;
        if (old == null || closed) {
            return;
        }
        Map<String, Optional<String>> now = snapshot();
        if (now.equals(old.built)) {
            return;
        }
        List<String> changed = keys.stream().filter(k -> !now.get(k).equals(old.built.get(k))).toList();
        Generation<T> next;
        try {
            next = build();
        } catch (RuntimeException e) {
            LOG.error("{}: {} changed, but no new client could be built ({}); the old one keeps serving", what,
                    changed, Redact.text(e.getMessage()));
            return;
        }
        current = next;
        old.retired = true;
        if (old.users.get() == 0) {
            closeQuietly(old);
        }
        LOG.info("{} rebuilt: {} changed; calls in flight finish on the old one", what, changed);
    }

    private void closeQuietly(Generation<T> g) {
        if (!g.shut.compareAndSet(false, true)) {
            return;
        }
        try {
            g.value.close();
        } catch (Exception e) {
            LOG.warn("{}: closing a superseded client failed: {}", what, Redact.cause(e));
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        starter.interrupt();
        Generation<T> g = current;
        current = null;
        if (g != null) {
            g.retired = true;
            if (g.users.get() == 0) {
                closeQuietly(g);
            }
        }
    }
}
