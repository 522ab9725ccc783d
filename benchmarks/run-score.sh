#!/usr/bin/env bash
# score: the scorer under JMH, the app's cold start (N starts with and without the startup
# optimizations), serving under load (hey) beside the app's no-op endpoint, and RSS over 1M
# requests with the manifest's JVM settings. Every figure beside a baseline from the same run.
# Usage: benchmarks/run-score.sh [STARTS] [RSS_REQUESTS]
set -euo pipefail
cd "$(dirname "$0")/.."
starts=${1:-20}
rss_requests=${2:-1000000}
./mvnw -B -q -DskipTests -Dcheckstyle.skip install -pl benchmarks -am
command -v hey >/dev/null || { GOBIN="$HOME/go/bin" go install github.com/rakyll/hey@v0.1.5 && export PATH="$HOME/go/bin:$PATH"; }
export PATH="$HOME/go/bin:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bench_cp="benchmarks/target/classes:$(cd benchmarks && ../mvnw -B -q -o dependency:build-classpath -Dmdep.outputFile=/dev/stdout)"
# The app exactly as its container runs it: score's own runtime classpath, its main class.
app_cp="$(pwd)/functions/score/target/classes:$(cd functions/score && ../../mvnw -B -q -o dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile=/dev/stdout)"
java -cp "$bench_cp" dev.prsentinel.benchmarks.ScoreBenchFixtures model "$work/model"
java -cp "$bench_cp" dev.prsentinel.benchmarks.ScoreBenchFixtures body "$work/body.json"
tick=$(getconf CLK_TCK)
manifest_opts="-Xmx96m -Xss512k -XX:+UseSerialGC -XX:MaxMetaspaceSize=64m"

echo "== machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(date -u +%FT%TZ)"
echo "== JMH: the scorer alone"
java -cp "$bench_cp" org.openjdk.jmh.Main ScorerBenchmark 2>/dev/null | grep -E "^Benchmark|^ScorerBenchmark"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts the app with the given JVM options, polls POST /score until 200; prints "ms cpu_seconds".
start_once() {
  local opts="$1" port pid t0 t1
  port=$(free_port)
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  PORT=$port MODEL_DIR="$work/model" MONGODB_URI="mongodb://127.0.0.1:9" java $opts -cp "$app_cp" \
    dev.prsentinel.score.ScoreApplication >"$work/app.log" 2>&1 &
  pid=$!
  until [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' \
      --data-binary @"$work/body.json" "http://127.0.0.1:$port/score")" = 200 ]; do
    sleep 0.002
  done
  t1=$(date +%s%N)
  local cpu
  cpu=$(awk -v t="$tick" '{printf "%.3f", ($14+$15)/t}' "/proc/$pid/stat")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$(( (t1 - t0) / 1000000 )) $cpu"
}

stats() { # reads "ms cpu" lines; prints median and p95 of ms, median CPU-seconds
  python3 -c '
import sys, statistics
rows = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
ms = sorted(r[0] for r in rows); cpu = sorted(r[1] for r in rows)
p95 = ms[min(len(ms) - 1, int(0.95 * len(ms) + 0.999) - 1)]
print("median %d ms, p95 %d ms, median CPU %.2f s (n=%d)" % (statistics.median(ms), p95, statistics.median(cpu), len(ms)))'
}

echo "== cold start: process start to the first 200 on POST /score, $starts starts each"
# The optimized start: an application class-data archive written by a training run (the same
# classpath), serial GC, a small heap. The archive is written when that JVM exits. (C1 only was
# tried: no faster to start, and twice the cost per request once warm.)
port=$(free_port)
# shellcheck disable=SC2086
PORT=$port MODEL_DIR="$work/model" MONGODB_URI="mongodb://127.0.0.1:9" java \
  -XX:ArchiveClassesAtExit="$work/app.jsa" $manifest_opts -cp "$app_cp" dev.prsentinel.score.ScoreApplication \
  >"$work/train.log" 2>&1 & trainer=$!
until [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' \
    --data-binary @"$work/body.json" "http://127.0.0.1:$port/score")" = 200 ]; do sleep 0.05; done
for _ in 1 2 3; do curl -s -o /dev/null -H 'content-type: application/json' --data-binary @"$work/body.json" \
  "http://127.0.0.1:$port/score"; done
kill "$trainer"; wait "$trainer" 2>/dev/null || true
for _ in $(seq "$starts"); do start_once ""; done > "$work/plain.txt"
for _ in $(seq "$starts"); do start_once "-XX:SharedArchiveFile=$work/app.jsa $manifest_opts"; done > "$work/opt.txt"
echo "baseline (java -cp, default flags):        $(stats < "$work/plain.txt")"
echo "optimized (AppCDS + SerialGC + small heap): $(stats < "$work/opt.txt")"

echo "== serving: single-PR POST /score beside POST /noop (the same body read and answered, nothing computed), hey"
port=$(free_port)
# shellcheck disable=SC2086
PORT=$port SCORE_NOOP_ENDPOINT=true MODEL_DIR="$work/model" MONGODB_URI="mongodb://127.0.0.1:9" java -XX:SharedArchiveFile="$work/app.jsa" \
  $manifest_opts -cp "$app_cp" dev.prsentinel.score.ScoreApplication >"$work/serve.log" 2>&1 & app=$!
until curl -sf "http://127.0.0.1:$port/health/readiness" >/dev/null; do sleep 0.05; done
hey -z 5s -c 16 -m POST -T application/json -D "$work/body.json" "http://127.0.0.1:$port/score" >/dev/null
max_rate() { awk '/Requests\/sec/ {printf "%d", $2}'; }
score_max=$(hey -z 15s -c 16 -m POST -T application/json -D "$work/body.json" "http://127.0.0.1:$port/score" | max_rate)
noop_max=$(hey -z 15s -c 16 -m POST -T application/json -D "$work/body.json" "http://127.0.0.1:$port/noop" | max_rate)
echo "max rate (16 connections): score $score_max req/s, no-op $noop_max req/s"
half=$(( score_max / 2 ))
per_worker=$(( half / 8 ))
lat() { awk '/^ +50%/ || /^ +99%/ {printf "p%s %.2f ms  ", substr($1, 1, 2), $3 * 1000}'; }
echo "at half the score max ($half req/s, 8 workers): score $(hey -z 15s -c 8 -q "$per_worker" -m POST \
  -T application/json -D "$work/body.json" "http://127.0.0.1:$port/score" | lat)"
echo "  same rate, no-op: $(hey -z 15s -c 8 -q "$per_worker" -m POST -T application/json -D "$work/body.json" \
  "http://127.0.0.1:$port/noop" | lat)"

echo "== RSS with the manifest's JVM settings ($manifest_opts), $rss_requests requests"
rss() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$app/status"; }
echo "after warm-up: $(rss) MiB"
chunk=$(( rss_requests / 4 ))
for i in 1 2 3 4; do
  hey -n "$chunk" -c 16 -m POST -T application/json -D "$work/body.json" "http://127.0.0.1:$port/score" >/dev/null
  echo "after $(( i * chunk )) requests: $(rss) MiB"
done
kill "$app"; wait "$app" 2>/dev/null || true
