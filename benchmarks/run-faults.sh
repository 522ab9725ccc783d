#!/usr/bin/env bash
# Faults under steady traffic, each figure beside the same run's traffic before the fault:
#   A. 50 slow clients (slowloris: one byte every 5 s, half in the headers, half in a body) against
#      score while vegeta sends POST /score at a fixed rate, liveness probed every 0.5 s;
#   B. the store frozen (SIGSTOP of the MongoDB-protocol stand-in) for 10 s under a steady stream
#      of CloudEvents to ingest; then every event answered 2xx is checked in ingest's ledger;
#   C. OpenBao frozen for 10 s while score, whose secrets come from it, serves POST /score.
# Per phase: requests, share 2xx, codes, p50/p99; the time from the fault's end to the first 2xx.
# The server runs on core 1, vegeta and the fault makers on core 0 (taskset).
# Usage: benchmarks/run-faults.sh [RATE_PER_S]
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-200}
./mvnw -B -q -DskipTests -Dcheckstyle.skip install -pl benchmarks -am
export PATH="$HOME/go/bin:$PATH"
command -v vegeta >/dev/null || GOBIN="$HOME/go/bin" go install github.com/tsenart/vegeta/v12@v12.13.0
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
  rm -rf "$work"' EXIT
. benchmarks/lib/starts.sh
bench_cp="benchmarks/target/classes:$(cd benchmarks && ../mvnw -B -q -o dependency:build-classpath -Dmdep.outputFile=/dev/stdout)"
score_cp="$(module_classpath functions/score)"
ingest_cp="$(module_classpath functions/ingest)"
java -cp "$bench_cp" dev.prsentinel.benchmarks.ScoreBenchFixtures model "$work/model"
java -cp "$bench_cp" dev.prsentinel.benchmarks.ScoreBenchFixtures body "$work/body.json"
opts="-Xmx96m -Xss512k -XX:+UseSerialGC -XX:MaxMetaspaceSize=64m"
phases() { vegeta encode --to csv "$1" > "$1.csv"; python3 benchmarks/lib/phases.py "$1.csv" "$2" \
  before:0:10 fault:10:20 after:20:30; }
# probe URL OUT: 60 probes, one every 0.5 s (the run's 30 s), each status (000: no answer) a line of OUT.
probe() {
  for _ in $(seq 60); do
    curl -s -m 2 -o /dev/null -w '%{http_code}\n' "$1" || echo 000
    sleep 0.5
  done > "$2"
}
first_ns() { vegeta encode --to csv "$1" | awk -F, 'NR == 1 || $1 < m {m = $1} END {print m}'; }

echo "== machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(date -u +%FT%TZ); $rate req/s"

echo "== A. score, 50 slow clients from 10 s to 20 s"
port=$(free_port)
# shellcheck disable=SC2086
PORT=$port MODEL_DIR="$work/model" taskset -c 1 java $opts -cp "$score_cp" dev.prsentinel.score.ScoreApplication \
  >"$work/score-a.log" 2>&1 & pids+=($!)
until curl -sf "http://127.0.0.1:$port/health/readiness" >/dev/null; do sleep 0.1; done
printf 'POST http://127.0.0.1:%s/score\nContent-Type: application/json\n@%s\n' "$port" "$work/body.json" |
  taskset -c 0 vegeta attack -rate="$rate/s" -duration=30s -timeout=10s > "$work/a.bin" & attack=$!
probe "http://127.0.0.1:$port/health/liveness" "$work/a-liveness.txt" & probe=$!
sleep 10
taskset -c 0 python3 - "$port" 50 10 <<'PY' > "$work/a-slow.txt"
import socket, sys, time
port, n, duration = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
def connect(i):
    s = socket.create_connection(("127.0.0.1", port))
    s.setblocking(False)
    # Half stall in the headers, half in a body that never completes.
    head = b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    s.send(head if i % 2 == 0 else head + b"Content-Length: 100000\r\n\r\n")
    return s
socks = [connect(i) for i in range(n)]
closed = 0
end = time.time() + duration
while time.time() < end:
    time.sleep(5 if end - time.time() > 5 else max(0, end - time.time()))
    for i, s in enumerate(socks):
        try:
            s.send(b"X" if i % 2 == 0 else b"{")
        except OSError:
            closed += 1
            s.close()
            socks[i] = connect(i)
print(closed)
PY
wait "$attack" "$probe"
phases "$work/a.bin" "$(first_ns "$work/a.bin")"
echo "liveness during the run: $(grep -c '^200$' "$work/a-liveness.txt")/60 probes answered 200;" \
  "slow connections found closed by the server at a write: $(cat "$work/a-slow.txt") (a lower bound)"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

echo "== B. ingest, the store frozen from 10 s to 20 s"
taskset -c 1 java -cp "$bench_cp" dev.prsentinel.benchmarks.MongoStandIn "$work/mongo.port" >/dev/null 2>&1 & store=$!
pids+=($store)
until [ -s "$work/mongo.port" ]; do sleep 0.1; done
mongo="mongodb://127.0.0.1:$(cat "$work/mongo.port")"
port=$(free_port)
PORT=$port INGEST_ROUTES=events MONGODB_URI="$mongo" taskset -c 1 java -XX:+UseSerialGC -cp "$ingest_cp" \
  dev.prsentinel.ingest.IngestApplication >"$work/ingest.log" 2>&1 & pids+=($!)
until curl -sf "http://127.0.0.1:$port/health/readiness" >/dev/null; do sleep 0.1; done
fixture="${PRSENTINEL_SHARED_DIR:-../shared}/fixtures/webhooks/pull_request.opened.12.json"
python3 - "$port" "$fixture" $(( rate * 30 + rate )) > "$work/targets.jsonl" <<'PY'
import base64, json, sys
port, fixture, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
body = base64.b64encode(open(fixture, "rb").read()).decode()
for i in range(n):
    print(json.dumps({"method": "POST", "url": "http://127.0.0.1:%s/" % port, "body": body, "header": {
        "ce-specversion": ["1.0"], "ce-id": ["fault-%d" % i], "ce-source": ["/bench/faults"],
        "ce-type": ["com.github.pull_request"], "Content-Type": ["application/json"]}}))
PY
# Knative's timeoutSeconds for ingest is 10 s: a broker waits no longer.
taskset -c 0 vegeta attack -format=json -lazy -targets="$work/targets.jsonl" -rate="$rate/s" -duration=30s \
  -timeout=10s > "$work/b.bin" & attack=$!
sleep 10; kill -STOP "$store"; sleep 10; kill -CONT "$store"
wait "$attack"
phases "$work/b.bin" "$(first_ns "$work/b.bin")"
sleep 2
java -cp "$bench_cp" dev.prsentinel.benchmarks.FaultCheck "$mongo" ingest | sort > "$work/done.txt"
vegeta encode --to csv "$work/b.bin" | awk -F, '$2 >= 200 && $2 < 300 {print "fault-" $9}' | sort > "$work/acked.txt"
echo "kept: $(comm -12 "$work/acked.txt" "$work/done.txt" | wc -l) of $(wc -l < "$work/acked.txt") events answered" \
  "2xx are in the ledger; lost: $(comm -23 "$work/acked.txt" "$work/done.txt" | wc -l)"
kill "${pids[-1]}" "$store"; wait "${pids[-1]}" "$store" 2>/dev/null || true

echo "== C. score with its secrets from OpenBao, OpenBao frozen from 10 s to 20 s"
. benchmarks/lib/openbao.sh
# A short token TTL, so renewals fall inside the outage as well.
openbao_for_score "$work" 6s 60s 0
pids+=($bao_pid)
port=$(free_port)
# shellcheck disable=SC2086
env "${score_vault_env[@]}" PORT=$port MODEL_DIR="$work/model" VAULT_REFRESH=PT2S VAULT_TIMEOUT=PT2S \
  taskset -c 1 java $opts -cp "$score_cp" dev.prsentinel.score.ScoreApplication \
  >"$work/score-c.log" 2>&1 & pids+=($!)
until curl -sf "http://127.0.0.1:$port/health/readiness" >/dev/null; do sleep 0.1; done
printf 'POST http://127.0.0.1:%s/score\nContent-Type: application/json\n@%s\n' "$port" "$work/body.json" |
  taskset -c 0 vegeta attack -rate="$rate/s" -duration=30s -timeout=10s > "$work/c.bin" & attack=$!
probe "http://127.0.0.1:$port/health/readiness" "$work/c-ready.txt" & probe=$!
sleep 10; kill -STOP "$bao_pid"; sleep 10; kill -CONT "$bao_pid"
wait "$attack" "$probe"
phases "$work/c.bin" "$(first_ns "$work/c.bin")"
echo "readiness: $(grep -c '^200$' "$work/c-ready.txt")/60 probes answered 200;" \
  "score's log during the outage: $(grep -c 'cannot renew\|cannot check\|cannot log in' "$work/score-c.log") warnings," \
  "logins $(grep -c 'logged in to Vault' "$work/score-c.log")"
for s in "$root" "$(cat "$work/sa.jwt")"; do
  if grep -qF "$s" "$work/score-c.log"; then echo "LEAK: a token is in score's log" >&2; exit 1; fi
done
echo "no token in score's log"
