package dev.prsentinel.core.secrets;

import dev.prsentinel.core.tracking.MlflowClient;
import java.util.Optional;

/** Clients' credentials read from the secrets per call, so a rotated value is the next call's. */
public final class SecretCredentials {

    private SecretCredentials() {
    }

    /** MLflow's: a token, or a user and password; none when the secrets hold neither. */
    public static MlflowClient.Credentials mlflow(Secrets secrets) {
        return new MlflowClient.Credentials() {
            @Override
            public Optional<String> authorization() {
                return MlflowClient.Credentials.header(secrets.find(Secrets.MLFLOW_TRACKING_USERNAME).orElse(null),
                        secrets.find(Secrets.MLFLOW_TRACKING_PASSWORD).orElse(null),
                        secrets.find(Secrets.MLFLOW_TRACKING_TOKEN).orElse(null));
            }

            @Override
            public boolean refresh() {
                try {
                    return secrets.refreshNow();
                } catch (RuntimeException e) {
                    return false;
                }
            }
        };
    }
}
