package dev.prsentinel.core.secrets;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a function hands the jobs it starts (the Spark feature job, the training) so they can read
 * their own secrets. From Vault: the VAULT_* settings with the job's own role and path
 * ({@code <prefix>VAULT_ROLE}, {@code <prefix>VAULT_SECRET_PATH}; the function's when unset), so the
 * job logs in as itself and reads only what its policy allows, and no credential is ever written
 * into a pod spec or a process environment. From the environment (one machine): the variables
 * the job needs, as they are.
 */
public final class JobSecrets {

    private static final List<String> PASSED_AS_IS = List.of("VAULT_ADDR", "VAULT_AUTH_METHOD", "VAULT_AUTH_MOUNT",
            "VAULT_JWT_FILE", "VAULT_CACERT", "VAULT_REFRESH", "VAULT_TIMEOUT");
    /** Every variable {@link #forJob} may hand on from Vault's side: the job's role and path among them. */
    public static final Set<String> VAULT_VARIABLES = Stream.concat(PASSED_AS_IS.stream(),
            Stream.of("VAULT_ROLE", "VAULT_SECRET_PATH")).collect(Collectors.toUnmodifiableSet());

    private JobSecrets() {
    }

    /**
     * @param prefix  e.g. TRAIN_JOB_: TRAIN_JOB_VAULT_ROLE names the job's role
     * @param locally the variables passed on when there is no Vault (e.g. MONGODB_URI)
     */
    public static Map<String, String> forJob(Map<String, String> env, String prefix, String... locally) {
        Map<String, String> out = new HashMap<>();
        String addr = env.get("VAULT_ADDR");
        if (addr != null && !addr.isBlank()) {
            for (String name : PASSED_AS_IS) {
                if (env.get(name) != null) {
                    out.put(name, env.get(name));
                }
            }
            out.put("VAULT_ROLE", env.getOrDefault(prefix + "VAULT_ROLE", env.get("VAULT_ROLE")));
            out.put("VAULT_SECRET_PATH", env.getOrDefault(prefix + "VAULT_SECRET_PATH", env.get("VAULT_SECRET_PATH")));
            return out;
        }
        for (String name : locally) {
            if (env.get(name) != null) {
                out.put(name, env.get(name));
            }
        }
        return out;
    }
}
