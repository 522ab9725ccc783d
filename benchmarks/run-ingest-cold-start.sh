#!/usr/bin/env bash
# ingest's cold start, as its container starts it: process start to the first 2xx, STARTS times each.
#   receiver: INGEST_ROUTES=webhooks, a signed pull_request delivery to POST /webhooks/github (verified,
#             mapped and handed to a broker stand-in that answers 202): what GitHub waits for (10 s).
#   function: INGEST_ROUTES=events, a binary CloudEvent of that delivery to POST / (stored).
#   baseline: the Spring Boot ingest of BASELINE_COMMIT (before it moved to core's server), the same
#             CloudEvent to POST / (stored), measured in the same run.
# The store is mongo-java-server in memory (MongoStandIn). JVM options are the manifest's.
# Usage: benchmarks/run-ingest-cold-start.sh [STARTS] [BASELINE_COMMIT]
set -euo pipefail
cd "$(dirname "$0")/.."
starts=${1:-10}
baseline=${2:-a2fb31a}
./mvnw -B -q -DskipTests -Dcheckstyle.skip install -pl benchmarks -am
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
bench_cp="benchmarks/target/classes:$(cd benchmarks && ../mvnw -B -q -o dependency:build-classpath -Dmdep.outputFile=/dev/stdout)"
. benchmarks/lib/starts.sh
app_cp="$(module_classpath functions/ingest)"
old_cp="$(baseline_classpath functions/ingest "$baseline")"

java -cp "$bench_cp" dev.prsentinel.benchmarks.MongoStandIn "$work/mongo.port" >"$work/mongo.log" 2>&1 &
until [ -s "$work/mongo.port" ]; do sleep 0.05; done
mongo="mongodb://127.0.0.1:$(cat "$work/mongo.port")"
# The broker stand-in: answers 202 to everything, as a broker's ingress does.
python3 -c '
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0))); self.send_response(202); self.end_headers()
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H); open(sys.argv[1], "w").write(str(s.server_port)); s.serve_forever()
' "$work/sink.port" &
until [ -s "$work/sink.port" ]; do sleep 0.05; done
sink="http://127.0.0.1:$(cat "$work/sink.port")/"

fixture="${PRSENTINEL_SHARED_DIR:-../shared}/fixtures/webhooks/pull_request.opened.12.json"
[ -f "$fixture" ] || { echo "needs $fixture (../shared)" >&2; exit 2; }
secret="cold-start-benchmark"
signature="sha256=$(openssl dgst -sha256 -hmac "$secret" -r "$fixture" | cut -d' ' -f1)"
opts="-XX:MaxRAMPercentage=75 -XX:+UseSerialGC -XX:TieredStopAtLevel=1"

# start_once VARIANT: prints "ms cpu_seconds" from process start to the first 2xx.
start_once() {
  local variant="$1" port pid t0 code
  port=$(free_port)
  t0=$(date +%s%N)
  case "$variant" in
    receiver) PORT=$port INGEST_ROUTES=webhooks GITHUB_WEBHOOK_SECRET=$secret K_SINK=$sink \
                java $opts -cp "$app_cp" dev.prsentinel.ingest.IngestApplication >"$work/app.log" 2>&1 & ;;
    function) PORT=$port INGEST_ROUTES=events MONGODB_URI=$mongo MONGODB_DATABASE="cs$RANDOM" \
                java $opts -cp "$app_cp" dev.prsentinel.ingest.IngestApplication >"$work/app.log" 2>&1 & ;;
    baseline) PORT=$port MONGODB_URI=$mongo MONGODB_DATABASE="cs$RANDOM" \
                java $opts -cp "$old_cp" dev.prsentinel.ingest.IngestApplication >"$work/app.log" 2>&1 & ;;
  esac
  pid=$!
  while :; do
    if [ "$variant" = receiver ]; then
      code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -H 'X-GitHub-Event: pull_request' \
        -H "X-GitHub-Delivery: $(cat /proc/sys/kernel/random/uuid)" -H "X-Hub-Signature-256: $signature" \
        --data-binary @"$fixture" "http://127.0.0.1:$port/webhooks/github" || true)
    else
      local type=com.github.pull_request
      [ "$variant" = baseline ] && type=dev.knative.source.github.pull_request
      code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -H 'ce-specversion: 1.0' \
        -H "ce-id: $(cat /proc/sys/kernel/random/uuid)" -H 'ce-source: https://github.com/octo/repo' -H "ce-type: $type" \
        --data-binary @"$fixture" "http://127.0.0.1:$port/" || true)
    fi
    case "$code" in 2??) break ;; esac
    kill -0 "$pid" 2>/dev/null || { echo "$variant exited before answering:" >&2; tail -5 "$work/app.log" >&2; exit 1; }
    sleep 0.005
  done
  end_start "$pid" "$t0"
}

echo "== machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(date -u +%FT%TZ)"
echo "== cold start: process start to the first 2xx, $starts starts each, rounds alternating"
for _ in $(seq "$starts"); do
  for v in receiver function baseline; do start_once "$v" >> "$work/$v.txt"; done
done
python3 - "$work" <<'PY'
import sys, statistics
work = sys.argv[1]
def load(v):
    rows = [tuple(map(float, l.split())) for l in open(f"{work}/{v}.txt") if l.strip()]
    ms = sorted(r[0] for r in rows); cpu = sorted(r[1] for r in rows)
    return statistics.median(ms), ms[min(len(ms) - 1, int(0.95 * len(ms) + 0.999) - 1)], statistics.median(cpu), len(ms)
b = load("baseline")
for v, label in (("receiver", "receiver, signed delivery to /webhooks/github"), ("function", "function, CloudEvent to /"),
                 ("baseline", "baseline: Spring Boot ingest, CloudEvent to /")):
    m, p95, cpu, n = load(v)
    print(f"{label:48s} median {m:5.0f} ms, p95 {p95:5.0f} ms, CPU {cpu:.2f} s (n={n}); {m / b[0]:.2f}x the baseline")
PY
