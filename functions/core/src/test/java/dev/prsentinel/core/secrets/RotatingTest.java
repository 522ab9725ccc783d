package dev.prsentinel.core.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Rotating's generations, against secrets held in a map (VaultSecretsIT runs them against OpenBao). */
class RotatingTest {

    /** Secrets in a map, changed by the test the way a new Vault version changes them. */
    static final class MapSecrets implements Secrets {
        final Map<String, String> values = new ConcurrentHashMap<>();
        final List<Runnable> listeners = new ArrayList<>();
        final AtomicInteger forcedReads = new AtomicInteger();
        volatile Map<String, String> pendingForForcedRead;

        void put(String key, String value) {
            values.put(key, value);
            listeners.forEach(Runnable::run);
        }

        @Override
        public String require(String key) {
            return find(key).orElseThrow(() -> new MissingSecret(key, "key " + key + " is missing"));
        }

        @Override
        public Optional<String> find(String key) {
            return Optional.ofNullable(values.get(key));
        }

        @Override
        public boolean refreshNow() {
            forcedReads.incrementAndGet();
            Map<String, String> next = pendingForForcedRead;
            if (next == null) {
                return false;
            }
            pendingForForcedRead = null;
            values.putAll(next);
            listeners.forEach(Runnable::run);
            return true;
        }

        @Override
        public void onChange(Runnable listener) {
            listeners.add(listener);
        }

        @Override
        public String describe() {
            return "a test map";
        }

        @Override
        public void close() {
        }
    }

    /** A client built from one password; refuses calls once its password is no longer the store's. */
    static final class Client implements AutoCloseable {
        final String password;
        volatile boolean closed;

        Client(String password) {
            this.password = password;
        }

        String call(String storePassword) {
            if (closed) {
                throw new IllegalStateException("closed while in use");
            }
            if (!password.equals(storePassword)) {
                throw new CredentialsRefused("the store refused " + password.charAt(0) + "...", null);
            }
            return "ok with " + password;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void notReadyWithTheReasonUntilTheKeyIsThereThenReady() throws Exception {
        MapSecrets secrets = new MapSecrets();
        try (Rotating<Client> r = Rotating.start("test store", secrets, List.of("pw"),
                s -> new Client(s.require("pw")))) {
            Thread.sleep(700);
            assertThat(r.ready()).isFalse();
            assertThat(r.problem()).isEqualTo("key pw is missing");
            assertThat(r.<String>use(c -> "served", reason -> "503: " + reason)).isEqualTo("503: key pw is missing");
            secrets.values.put("pw", "one");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!r.ready() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(r.ready()).isTrue();
            assertThat(r.problem()).isNull();
        }
    }

    @Test
    void aChangedKeyBuildsANewGenerationAndTheOldClosesWhenItsLastCallReturns() throws Exception {
        MapSecrets secrets = new MapSecrets();
        secrets.values.put("pw", "one");
        List<Client> built = new ArrayList<>();
        Rotating<Client> r = Rotating.now("test store", secrets, List.of("pw"), s -> {
            Client c = new Client(s.require("pw"));
            built.add(c);
            return c;
        });
        CountDownLatch inFlight = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread slow = new Thread(() -> r.use(c -> {
            inFlight.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return c.call("one");
        }, reason -> reason));
        slow.start();
        inFlight.await();
        secrets.put("pw", "two");
        assertThat(built).hasSize(2);
        assertThat(r.<String>use(c -> c.call("two"), reason -> reason)).isEqualTo("ok with two");
        // The old client is still in use by the slow call: not closed under it.
        assertThat(built.get(0).closed).isFalse();
        release.countDown();
        slow.join();
        assertThat(built.get(0).closed).isTrue();
        assertThat(built.get(1).closed).isFalse();
        // A change of a key it was not built from rebuilds nothing.
        secrets.put("unrelated", "x");
        assertThat(built).hasSize(2);
        r.close();
        assertThat(built.get(1).closed).isTrue();
    }

    @Test
    void refusedCredentialsAreReReadAtOnceAndTheCallRetriedOnce() {
        MapSecrets secrets = new MapSecrets();
        secrets.values.put("pw", "one");
        AtomicInteger calls = new AtomicInteger();
        try (Rotating<Client> r = Rotating.now("test store", secrets, List.of("pw"),
                s -> new Client(s.require("pw")))) {
            // The store's password moved to "two", and Vault holds it already.
            secrets.pendingForForcedRead = Map.of("pw", "two");
            assertThat(r.<String>use(c -> {
                calls.incrementAndGet();
                return c.call("two");
            }, reason -> reason)).isEqualTo("ok with two");
            assertThat(calls.get()).isEqualTo(2);
            assertThat(secrets.forcedReads.get()).isEqualTo(1);

            // Refused again with nothing new in Vault: retried once, then the refusal is the answer.
            calls.set(0);
            assertThat(r.<String>use(c -> {
                calls.incrementAndGet();
                return c.call("three");
            }, reason -> "503: " + reason)).isEqualTo("503: test store: credentials refused");
            assertThat(calls.get()).isEqualTo(2);
        }
    }

    @Test
    void aRebuildThatFailsKeepsTheOldGenerationServing() {
        MapSecrets secrets = new MapSecrets();
        secrets.values.put("pw", "one");
        try (Rotating<Client> r = Rotating.now("test store", secrets, List.of("pw"), s -> {
            String pw = s.require("pw");
            if (pw.isBlank()) {
                throw new IllegalArgumentException("pw is blank");
            }
            return new Client(pw);
        })) {
            secrets.put("pw", " ");
            assertThat(r.<String>use(c -> c.call("one"), reason -> reason)).isEqualTo("ok with one");
        }
    }
}
