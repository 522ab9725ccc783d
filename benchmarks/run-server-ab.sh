#!/usr/bin/env bash
# core's FunctionServer, A/B: the score function of BASELINE_COMMIT against this clone's, in one run.
#   cold start: process start to the first 200 on POST /score, alternating A and B, STARTS each
#               (the manifest's JVM options, no class-data archive: the server's own cost shows);
#   serving:    POST /score and POST /noop with hey (16 connections, 5 s rounds), alternating A and
#               B for ROUNDS rounds; on 2 cores the server runs on core 1 and hey on core 0.
# Medians of the rounds, and B over A.
# Usage: benchmarks/run-server-ab.sh BASELINE_COMMIT [STARTS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
baseline=${1:?"usage: run-server-ab.sh BASELINE_COMMIT [STARTS] [ROUNDS]"}
starts=${2:-15}
rounds=${3:-8}
./mvnw -B -q -DskipTests -Dcheckstyle.skip install -pl benchmarks -am
export PATH="$HOME/go/bin:$PATH"
command -v hey >/dev/null || GOBIN="$HOME/go/bin" go install github.com/rakyll/hey@v0.1.5
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
. benchmarks/lib/starts.sh
bench_cp="benchmarks/target/classes:$(cd benchmarks && ../mvnw -B -q -o dependency:build-classpath -Dmdep.outputFile=/dev/stdout)"
b_cp="$(module_classpath functions/score)"
# A: the baseline's score function, built once in a worktree and cached by commit.
a_cp="$(baseline_classpath functions/score "$baseline")"
java -cp "$bench_cp" dev.prsentinel.benchmarks.ScoreBenchFixtures model "$work/model"
java -cp "$bench_cp" dev.prsentinel.benchmarks.ScoreBenchFixtures body "$work/body.json"
opts="-Xmx96m -Xss512k -XX:+UseSerialGC -XX:MaxMetaspaceSize=64m"
pin_server="" pin_client=""
if [ "$(nproc)" -ge 2 ]; then pin_server="taskset -c 1"; pin_client="taskset -c 0"; fi

start_once() { # CLASSPATH -> "ms cpu"
  local cp="$1" port pid t0
  port=$(free_port)
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  PORT=$port MODEL_DIR="$work/model" MONGODB_URI="mongodb://127.0.0.1:9" java $opts -cp "$cp" dev.prsentinel.score.ScoreApplication >"$work/app.log" 2>&1 &
  pid=$!
  await_score "$pid" "$work/app.log" "http://127.0.0.1:$port/score" "$work/body.json"
  end_start "$pid" "$t0"
}

serve() { # CLASSPATH NAME: rounds of /score and /noop, rates appended to $work/NAME-{score,noop}.txt
  local cp="$1" name="$2" port pid
  port=$(free_port)
  # shellcheck disable=SC2086
  PORT=$port SCORE_NOOP_ENDPOINT=true MODEL_DIR="$work/model" MONGODB_URI="mongodb://127.0.0.1:9" $pin_server java $opts -cp "$cp" \
    dev.prsentinel.score.ScoreApplication >"$work/serve.log" 2>&1 & pid=$!
  until curl -sf "http://127.0.0.1:$port/health/readiness" >/dev/null; do sleep 0.05; done
  # The request path needs ~10 s under load before C2 settles.
  $pin_client hey -z 12s -c 16 -m POST -T application/json -D "$work/body.json" "http://127.0.0.1:$port/score" >/dev/null
  for path in score noop; do
    $pin_client hey -z 5s -c 16 -m POST -T application/json -D "$work/body.json" "http://127.0.0.1:$port/$path" \
      | awk '/Requests\/sec/ {print $2}' >> "$work/$name-$path.txt"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

echo "== machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(date -u +%FT%TZ)"
echo "== A: $baseline; B: $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with uncommitted changes)')"
for _ in $(seq "$starts"); do
  start_once "$a_cp" >> "$work/a-start.txt"
  start_once "$b_cp" >> "$work/b-start.txt"
done
for _ in $(seq "$rounds"); do serve "$a_cp" a; serve "$b_cp" b; done
python3 - "$work" <<'PY'
import sys, statistics
w = sys.argv[1]
def col(f, i=0):
    return [float(l.split()[i]) for l in open(f"{w}/{f}") if l.strip()]
for label, a, b in (("cold start, ms (median)", col("a-start.txt"), col("b-start.txt")),
                    ("cold start, CPU s (median)", col("a-start.txt", 1), col("b-start.txt", 1)),
                    ("POST /score, req/s (median)", col("a-score.txt"), col("b-score.txt")),
                    ("POST /noop, req/s (median)", col("a-noop.txt"), col("b-noop.txt"))):
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"{label:30s} A {ma:9.2f}   B {mb:9.2f}   B/A {mb / ma:.2f}   (n={len(a)}, {len(b)})")
sa = statistics.median(x / y for x, y in zip(col("a-noop.txt"), col("a-score.txt")))
sb = statistics.median(x / y for x, y in zip(col("b-noop.txt"), col("b-score.txt")))
print(f"{'no-op rate / score rate':30s} A {sa:9.2f}   B {sb:9.2f}")
PY
