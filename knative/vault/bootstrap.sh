#!/usr/bin/env bash
# Configures Vault (or OpenBao) for one environment of PR Sentinel: the KV v2 mount, Kubernetes
# auth, one least-privilege policy and one role per workload. Idempotent: every step creates or
# overwrites, so rerunning it after a change (or just to be sure) is safe. It writes no secret
# values: those are put at the paths below by whoever owns them (see README.md).
#
# Needs: VAULT_ADDR and an admin VAULT_TOKEN in the environment; KUBERNETES_HOST (the API server
# Vault asks to review service-account tokens) and KUBERNETES_CA_FILE (its CA). Optional:
# PRSENTINEL_ENV (staging), PRSENTINEL_NAMESPACE (prsentinel-$PRSENTINEL_ENV), VAULT_BIN (vault,
# or bao when only that is installed), TOKEN_TTL (1h), TOKEN_MAX_TTL (24h), AUTH_MOUNT (kubernetes),
# KV_MOUNT (secret).
#   ./bootstrap.sh --print-policies   prints the policies it would write, and stops.
set -euo pipefail

env_name="${PRSENTINEL_ENV:-staging}"
case "$env_name" in
  staging|production) ;;
  *) echo "PRSENTINEL_ENV must be staging or production, not $env_name" >&2; exit 2 ;;
esac
namespace="${PRSENTINEL_NAMESPACE:-prsentinel-$env_name}"
auth_mount="${AUTH_MOUNT:-kubernetes}"
kv="${KV_MOUNT:-secret}"
ttl="${TOKEN_TTL:-1h}"
max_ttl="${TOKEN_MAX_TTL:-24h}"

# workload (role and secret name) = the service account it runs as. Each reads its own secret only:
#   ingest           mongodb_uri, github_token
#   ingest-webhooks  github_webhook_secret
#   featurize        mongodb_uri
#   spark-driver     mongodb_uri, s3_access_key, s3_secret_key (executors get what they need from it)
#   train-trigger    mongodb_uri
#   train-job        mongodb_uri, mlflow_tracking_uri (+ credentials), s3_access_key, s3_secret_key
#   score            mongodb_uri, mlflow_tracking_uri (+ credentials)
#   bluegreen        mongodb_uri (the quality gate's sample), mlflow_tracking_uri (+ credentials)
workloads="ingest ingest-webhooks featurize spark-driver train-trigger train-job score bluegreen"

policy() {
  cat <<HCL
# prsentinel-$env_name-$1: read its own secret (and its version metadata, for the cheap change check).
path "$kv/data/prsentinel/$env_name/$1" {
  capabilities = ["read"]
}
path "$kv/metadata/prsentinel/$env_name/$1" {
  capabilities = ["read"]
}
HCL
}

if [ "${1:-}" = "--print-policies" ]; then
  for w in $workloads; do policy "$w"; done
  exit 0
fi

: "${VAULT_ADDR:?VAULT_ADDR is not set}"
: "${VAULT_TOKEN:?VAULT_TOKEN (an admin token) is not set}"
: "${KUBERNETES_HOST:?KUBERNETES_HOST is not set: the API server Vault reviews tokens with}"
: "${KUBERNETES_CA_FILE:?KUBERNETES_CA_FILE is not set: that API server CA certificate}"
bin="${VAULT_BIN:-}"
if [ -z "$bin" ]; then
  if command -v vault >/dev/null 2>&1; then bin=vault; else bin=bao; fi
fi

# Listed first, then matched: grep -q on a pipe would stop early and fail the pipe under pipefail.
mounts="$("$bin" secrets list -format=json)"
if ! grep -q "\"$kv/\"" <<<"$mounts"; then
  "$bin" secrets enable -path="$kv" kv-v2
fi
methods="$("$bin" auth list -format=json)"
if ! grep -q "\"$auth_mount/\"" <<<"$methods"; then
  "$bin" auth enable -path="$auth_mount" kubernetes
fi
# Vault runs outside the pods it authenticates, so it is given the API server and its CA rather
# than reading them from its own service account.
"$bin" write "auth/$auth_mount/config" kubernetes_host="$KUBERNETES_HOST" \
  kubernetes_ca_cert=@"$KUBERNETES_CA_FILE" disable_local_ca_jwt=true >/dev/null

for w in $workloads; do
  policy "$w" | "$bin" policy write "prsentinel-$env_name-$w" - >/dev/null
  "$bin" write "auth/$auth_mount/role/prsentinel-$env_name-$w" \
    bound_service_account_names="$w" bound_service_account_namespaces="$namespace" \
    audience=vault token_policies="prsentinel-$env_name-$w" token_ttl="$ttl" token_max_ttl="$max_ttl" >/dev/null
  echo "role prsentinel-$env_name-$w: service account $namespace/$w reads $kv/prsentinel/$env_name/$w"
done
