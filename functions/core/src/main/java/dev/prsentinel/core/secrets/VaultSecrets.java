package dev.prsentinel.core.secrets;

import dev.prsentinel.core.config.Redact;
import io.github.jopenlibs.vault.SslConfig;
import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.response.AuthResponse;
import io.github.jopenlibs.vault.response.LogicalResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secrets from one KV v2 secret in Vault or OpenBao, read with vault-java-driver, which logs in
 * and reads but schedules nothing: the token's lifecycle and the re-reads are this class's.
 *
 * <ul>
 *   <li>Login with Kubernetes auth (or JWT auth, the same role model) using the projected
 *       service-account token, on first use: a pod that scaled to zero starts with a fresh login.</li>
 *   <li>The token is renewed at two thirds of its TTL. When Vault grants less than the login's TTL
 *       (the max TTL is near), or the token is not renewable, or renewal is refused, the next step
 *       is a new login instead. {@link #close()} revokes it.</li>
 *   <li>Every {@link VaultSettings#refresh()} the secret's current version is read from its
 *       metadata (a few bytes); only a new version is read in full. {@link #refreshNow()} reads at
 *       once, for a consumer whose credentials were refused.</li>
 *   <li>Vault unreachable after a first read: the values read last keep being served and the
 *       problem is logged once; a consumer then fails on its own terms when they stop working.</li>
 * </ul>
 *
 * <p>Nothing it logs or throws holds a value or a token: messages name the address, the role, the
 * path and the key.
 */
public final class VaultSecrets implements Secrets {

    private static final Logger LOG = LoggerFactory.getLogger(VaultSecrets.class);
    /** A consumer refused again within this of the last forced read gets no new read. */
    private static final Duration FORCED_READ_SPACING = Duration.ofMillis(500);
    private static final Duration RETRY_UNREACHABLE = Duration.ofSeconds(5);

    private final VaultSettings settings;
    private final SslConfig ssl;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer;

    private Vault vault;
    /** The same token without KV v2's path rewriting, for the secret's metadata. */
    private Vault metadataVault;
    private String token;
    private long loginTtl;
    private boolean renewable;
    private boolean capped;
    private long logins;
    private long renewals;
    private ScheduledFuture<?> maintenance;
    private ScheduledFuture<?> polling;
    private volatile Map<String, String> values;
    private volatile long version = -1;
    private volatile boolean unreachableLogged;
    private long lastForcedRead;
    private boolean closed;

    public VaultSecrets(VaultSettings settings) {
        this.settings = settings;
        try {
            this.ssl = settings.caCert() == null ? null
                    : new SslConfig().pemFile(settings.caCert().toFile()).build();
        } catch (VaultException e) {
            throw new IllegalStateException("VAULT_CACERT " + settings.caCert() + " is not a readable PEM file");
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vault-secrets");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String require(String key) {
        Map<String, String> v = current();
        String value = v.get(key);
        if (value == null || value.isBlank()) {
            throw new MissingSecret(key, "key " + key + " is missing from " + settings.secretPath() + " in "
                    + describeAddress() + (v.isEmpty() ? " (no such secret, or all its keys deleted)" : ""));
        }
        return value;
    }

    @Override
    public Optional<String> find(String key) {
        String value = current().get(key);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    @Override
    public boolean refreshNow() {
        boolean changed;
        synchronized (this) {
            long now = System.nanoTime();
            if (values != null && now - lastForcedRead < FORCED_READ_SPACING.toNanos()) {
                return false;
            }
            lastForcedRead = now;
            changed = readWithLogin();
        }
        if (changed) {
            LOG.info("re-read {} after refused credentials: now version {}", settings.secretPath(), version);
            notifyListeners();
        }
        return changed;
    }

    @Override
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    @Override
    public String describe() {
        return settings.secretPath() + " in " + describeAddress() + " (role " + settings.role() + ")";
    }

    /** The version of the secret last read, -1 before the first read. */
    public long version() {
        return version;
    }

    /** Logins and renewals so far, for tests and metrics. */
    public synchronized long logins() {
        return logins;
    }

    public synchronized long renewals() {
        return renewals;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            timer.shutdownNow();
            if (token != null) {
                try {
                    vault.auth().revokeSelf();
                    LOG.info("Vault token revoked");
                } catch (VaultException e) {
                    LOG.warn("could not revoke the Vault token ({}); it expires with its TTL", reason(e));
                }
                token = null;
            }
        }
    }

    private Map<String, String> current() {
        Map<String, String> v = values;
        if (v != null) {
            return v;
        }
        synchronized (this) {
            if (values == null) {
                if (closed) {
                    throw new SecretsUnavailable("the secrets of " + describe() + " are closed");
                }
                readWithLogin();
                schedulePolling();
            }
            return values;
        }
    }

    /**
     * One read with the token held now and no login on refusal: the lifecycle test's probe, which
     * must see a token that expired fail instead of being replaced on the spot.
     */
    synchronized void readWithHeldToken() {
        try {
            read();
        } catch (VaultException e) {
            throw unavailable("read", e);
        }
    }

    /** Reads the secret, logging in first when there is no token or Vault refuses the one held. */
    private synchronized boolean readWithLogin() {
        try {
            if (token == null) {
                login();
            }
            try {
                return read();
            } catch (VaultException e) {
                if (e.getHttpStatusCode() != 403) {
                    throw e;
                }
                // Revoked or expired under us: a new login, and the read once more.
                login();
                return read();
            }
        } catch (VaultException e) {
            throw unavailable("read", e);
        }
    }

    private void login() {
        String jwt;
        try {
            jwt = Files.readString(settings.jwtFile(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new SecretsUnavailable("cannot read the service-account token at " + settings.jwtFile()
                    + " to log in to " + describeAddress() + ": is the projected token volume mounted?");
        }
        // Both methods take the same login body (role, jwt) at auth/<mount>/login; the driver's last
        // argument is that auth path, not the bare mount name.
        AuthResponse r;
        try {
            r = Vault.create(config(null)).auth().loginByJwt(settings.authMount(), settings.role(), jwt,
                    "auth/" + settings.authMount());
        } catch (VaultException e) {
            throw unavailable("login", e);
        }
        token = r.getAuthClientToken();
        vault = Vault.create(config(token));
        // A config of its own: the driver keeps the engine version in it.
        metadataVault = Vault.create(config(token), 1);
        loginTtl = r.getAuthLeaseDuration();
        renewable = r.isAuthRenewable();
        capped = false;
        logins++;
        LOG.info("logged in to {} as role {} ({} auth), token TTL {} s{}", describeAddress(), settings.role(),
                settings.method(), loginTtl, renewable ? ", renewable" : "");
        scheduleMaintenance(loginTtl);
    }

    private boolean read() throws VaultException {
        LogicalResponse r = vault.logical().read(settings.secretPath());
        int status = r.getRestResponse().getStatus();
        Map<String, String> data;
        long v;
        if (status == 404) {
            data = Map.of();
            v = 0;
        } else if (status / 100 == 2) {
            data = Map.copyOf(r.getData());
            Long read = r.getDataMetadata() == null ? null : r.getDataMetadata().getVersion();
            v = read == null ? 0 : read;
        } else {
            throw new VaultException("reading the secret answered " + status, status);
        }
        boolean changed = values != null && !data.equals(values);
        if (values == null || version != v) {
            LOG.info("read {} version {} ({} keys)", settings.secretPath(), v, data.size());
        }
        values = data;
        version = v;
        unreachableLogged = false;
        return changed;
    }

    /** The version KV v2 keeps in the secret's metadata; reading it costs no data transfer. */
    private long currentVersion() throws VaultException {
        String metadata = settings.kvMount() + "/metadata/" + settings.kvPath();
        LogicalResponse r = metadataVault.logical().read(metadata);
        int status = r.getRestResponse().getStatus();
        if (status == 404) {
            return 0;
        }
        if (status / 100 != 2) {
            throw new VaultException("reading the secret's metadata answered " + status, status);
        }
        String current = r.getData().get("current_version");
        return current == null ? 0 : Long.parseLong(current);
    }

    private void scheduleMaintenance(long ttlSeconds) {
        if (maintenance != null) {
            maintenance.cancel(false);
        }
        if (ttlSeconds <= 0 || closed) {
            return;
        }
        long delay = Math.max(200, ttlSeconds * 1000 * 2 / 3);
        maintenance = timer.schedule(this::maintain, delay, TimeUnit.MILLISECONDS);
    }

    private void schedulePolling() {
        if (polling == null && !closed) {
            long every = settings.refresh().toMillis();
            polling = timer.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void maintain() {
        if (closed) {
            return;
        }
        try {
            if (renewable && !capped) {
                AuthResponse r = vault.auth().renewSelf(loginTtl);
                long ttl = r.getAuthLeaseDuration();
                renewable = r.isAuthRenewable();
                // Vault grants less than asked only when the max TTL is near: log in next time.
                capped = ttl < loginTtl;
                renewals++;
                LOG.debug("Vault token renewed for {} s{}", ttl, capped ? " (max TTL near: next, a new login)" : "");
                scheduleMaintenance(ttl);
            } else {
                login();
            }
        } catch (VaultException e) {
            int status = e.getHttpStatusCode();
            if (status == 400 || status == 403) {
                // Refused to renew (revoked, or past its max TTL): a new login.
                try {
                    login();
                    return;
                } catch (SecretsUnavailable again) {
                    LOG.warn("cannot log in again: {}; retrying in {}", again.getMessage(), RETRY_UNREACHABLE);
                }
            } else {
                LOG.warn("cannot renew the Vault token at {}: {}; retrying in {}", describeAddress(), reason(e),
                        RETRY_UNREACHABLE);
            }
            maintenance = timer.schedule(this::maintain, RETRY_UNREACHABLE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (SecretsUnavailable e) {
            LOG.warn("cannot log in again: {}; retrying in {}", e.getMessage(), RETRY_UNREACHABLE);
            maintenance = timer.schedule(this::maintain, RETRY_UNREACHABLE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void poll() {
        boolean changed = false;
        synchronized (this) {
            if (closed) {
                return;
            }
            try {
                if (token == null) {
                    login();
                }
                long current;
                try {
                    current = currentVersion();
                } catch (VaultException e) {
                    if (e.getHttpStatusCode() != 403) {
                        throw e;
                    }
                    login();
                    current = currentVersion();
                }
                if (current != version) {
                    changed = read();
                }
            } catch (VaultException | SecretsUnavailable e) {
                if (!unreachableLogged) {
                    LOG.warn("cannot check {} for a new version: {}; keeping version {} until it is refused",
                            describe(), reason(e), version);
                    unreachableLogged = true;
                }
            }
        }
        if (changed) {
            LOG.info("{} changed: version {}", settings.secretPath(), version);
            notifyListeners();
        }
    }

    private void notifyListeners() {
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.error("a consumer of {} could not take the new version: {}", settings.secretPath(),
                        Redact.cause(e));
            }
        }
    }

    private VaultConfig config(String withToken) {
        try {
            VaultConfig config = new VaultConfig().address(settings.address()).engineVersion(2)
                    .openTimeout((int) Math.max(1, settings.timeout().toSeconds()))
                    .readTimeout((int) Math.max(1, settings.timeout().toSeconds()));
            if (ssl != null) {
                config.sslConfig(ssl);
            }
            if (withToken != null) {
                config.token(withToken);
            }
            return config.build();
        } catch (VaultException e) {
            throw new IllegalStateException("VAULT_ADDR " + describeAddress() + " is not usable: " + reason(e));
        }
    }

    private SecretsUnavailable unavailable(String what, VaultException e) {
        int status = e.getHttpStatusCode();
        String why;
        if (status == 0) {
            why = describeAddress() + " is unreachable: " + reason(e);
        } else if (status == 400 || status == 403) {
            why = describeAddress() + " refused role " + settings.role() + " (" + settings.method() + " auth at auth/"
                    + settings.authMount() + ") " + (what.equals("login") ? "the login: is the role bound to this "
                    + "service account and namespace?" : "the " + what + " of " + settings.secretPath()
                    + ": does its policy allow it?") + " (" + reason(e) + ")";
        } else {
            why = describeAddress() + " answered " + status + " to the " + what + " of " + settings.secretPath();
        }
        return new SecretsUnavailable(why);
    }

    private String describeAddress() {
        return "Vault at " + Redact.text(settings.address());
    }

    /**
     * What Vault said, without the response body's values: the driver puts Vault's JSON errors in
     * its message, which name roles and paths, never a submitted JWT.
     */
    private static String reason(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        message = message.replace('\n', ' ').strip();
        return Redact.text(message.length() > 300 ? message.substring(0, 300) + "..." : message);
    }
}
