#!/usr/bin/env bash
# score: the scorer under JMH, the app's cold start (N starts with and without the startup
# optimizations), its first seconds under load, serving under load (hey, vegeta) beside the app's
# no-op endpoint, and RSS over 1M requests with the manifest's JVM settings. Every figure beside a
# baseline from the same run.
# The cold start is also measured with the secrets from a real OpenBao (bao server -dev, JWT auth):
# the login and the KV v2 read are then part of every start, as in a cluster.
# Usage: benchmarks/run-score.sh [STARTS] [RSS_REQUESTS]; SCORE_BENCH_ONLY=cold-start stops after it.
set -euo pipefail
cd "$(dirname "$0")/.."
starts=${1:-20}
rss_requests=${2:-1000000}
./mvnw -B -q -DskipTests -Dcheckstyle.skip install -pl benchmarks -am
export PATH="$HOME/go/bin:$PATH"
command -v hey >/dev/null || GOBIN="$HOME/go/bin" go install github.com/rakyll/hey@v0.1.5
command -v vegeta >/dev/null || GOBIN="$HOME/go/bin" go install github.com/tsenart/vegeta/v12@v12.13.0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bench_cp="benchmarks/target/classes:$(cd benchmarks && ../mvnw -B -q -o dependency:build-classpath -Dmdep.outputFile=/dev/stdout)"
# The app as its container runs it: score's jar and its runtime dependencies, its main class. A jar,
# not target/classes: Java 17 writes no class-data archive for a class path holding a non-empty
# directory ("Cannot have non-empty directory in paths"), and an image built with jib must use
# containerizingMode=packaged for the same reason.
. benchmarks/lib/starts.sh
app_cp="$(module_classpath functions/score)"
java -cp "$bench_cp" dev.prsentinel.benchmarks.ScoreBenchFixtures model "$work/model"
java -cp "$bench_cp" dev.prsentinel.benchmarks.ScoreBenchFixtures body "$work/body.json"
tick=$(getconf CLK_TCK)
manifest_opts="-Xmx96m -Xss512k -XX:+UseSerialGC -XX:MaxMetaspaceSize=64m"

echo "== machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(date -u +%FT%TZ)"
echo "== JMH: the scorer alone"
java -cp "$bench_cp" org.openjdk.jmh.Main ScorerBenchmark 2>/dev/null | grep -E "^Benchmark|^ScorerBenchmark"

# Starts the app with the given JVM options (and the variables in vault_env, if any), polls POST
# /score until 200; prints "ms cpu_seconds".
vault_env=()
start_once() {
  local opts="$1" port pid t0
  port=$(free_port)
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  env "${vault_env[@]}" PORT=$port MODEL_DIR="$work/model" MONGODB_URI="mongodb://127.0.0.1:9" java $opts \
    -cp "$app_cp" dev.prsentinel.score.ScoreApplication >"$work/app.log" 2>&1 &
  pid=$!
  await_score "$pid" "$work/app.log" "http://127.0.0.1:$port/score" "$work/body.json"
  end_start "$pid" "$t0"
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
[ -s "$work/app.jsa" ] || { echo "no class-data archive was written:" >&2; tail -3 "$work/train.log" >&2; exit 1; }
# -Xshare:on: a start that cannot map the archive fails here instead of being measured as one that
# did (a missing archive under the default -Xshare:auto also drops the JDK's own archive: slower
# than no option at all, which is what this script measured until the class path held a jar).
cds_opts="-Xshare:on -XX:SharedArchiveFile=$work/app.jsa"
for _ in $(seq "$starts"); do start_once ""; done > "$work/plain.txt"
for _ in $(seq "$starts"); do start_once "$cds_opts $manifest_opts"; done > "$work/opt.txt"
echo "baseline (java -cp, default flags):        $(stats < "$work/plain.txt")"
echo "optimized (AppCDS + SerialGC + small heap): $(stats < "$work/opt.txt")"

echo "== cold start with the secrets from OpenBao: login (JWT auth) and KV v2 read before ready, $starts starts"
# A real OpenBao dev server on this machine: the login and the read cost what they cost here, over
# loopback (a cluster adds its network round trips, and Kubernetes auth OpenBao's TokenReview call).
. benchmarks/lib/openbao.sh
openbao_for_score "$work" 1h 24h
trap 'kill "$bao_pid" 2>/dev/null; rm -rf "$work"' EXIT
vault_env=("${score_vault_env[@]}")
# The image's archive is written by a training run with its real configuration: here, with Vault.
port=$(free_port)
# shellcheck disable=SC2086
env "${vault_env[@]}" PORT=$port MODEL_DIR="$work/model" java -XX:ArchiveClassesAtExit="$work/app-vault.jsa" \
  $manifest_opts -cp "$app_cp" dev.prsentinel.score.ScoreApplication >"$work/train-vault.log" 2>&1 & trainer=$!
until [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' \
    --data-binary @"$work/body.json" "http://127.0.0.1:$port/score")" = 200 ]; do sleep 0.05; done
kill "$trainer"; wait "$trainer" 2>/dev/null || true
grep -q "logged in to Vault" "$work/train-vault.log" || { echo "score did not log in to OpenBao:" >&2;
  tail -5 "$work/train-vault.log" >&2; exit 1; }
vault_cds_opts="-Xshare:on -XX:SharedArchiveFile=$work/app-vault.jsa"
# Alternating with the optimized start without Vault, so both see the same machine.
for _ in $(seq "$starts"); do
  vault_env=("${score_vault_env[@]}")
  start_once "$vault_cds_opts $manifest_opts" >> "$work/vault.txt"
  grep -q "logged in to Vault" "$work/app.log" || { echo "a start did not log in:" >&2; tail -3 "$work/app.log" >&2;
    exit 1; }
  vault_env=()
  start_once "$cds_opts $manifest_opts" >> "$work/novault.txt"
done
echo "optimized, no Vault:                        $(stats < "$work/novault.txt")"
echo "optimized, secrets from OpenBao:            $(stats < "$work/vault.txt")"
python3 -c '
import statistics, sys
a = statistics.median(float(l.split()[0]) for l in open(sys.argv[1]) if l.strip())
b = statistics.median(float(l.split()[0]) for l in open(sys.argv[2]) if l.strip())
print("OpenBao / no Vault, median start: %.2fx (+%d ms)" % (b / a, b - a))' "$work/novault.txt" "$work/vault.txt"
kill "$bao_pid" 2>/dev/null || true
[ "${SCORE_BENCH_ONLY:-}" = cold-start ] && exit 0

echo "== back from zero: req/s in each of the first 12 seconds of full load (16 connections) after readiness"
# What a pod scaled from zero serves while the JIT compiles the request path.
port=$(free_port)
# shellcheck disable=SC2086
PORT=$port MODEL_DIR="$work/model" MONGODB_URI="mongodb://127.0.0.1:9" java $cds_opts $manifest_opts -cp "$app_cp" \
  dev.prsentinel.score.ScoreApplication >"$work/ramp.log" 2>&1 & ramp=$!
until curl -sf "http://127.0.0.1:$port/health/readiness" >/dev/null; do sleep 0.01; done
echo "$(for _ in $(seq 12); do hey -z 1s -c 16 -m POST -T application/json -D "$work/body.json" \
  "http://127.0.0.1:$port/score" | awk '/Requests\/sec/ {printf "%d ", $2}'; done)"
kill "$ramp"; wait "$ramp" 2>/dev/null || true

echo "== serving: single-PR POST /score beside POST /floor and POST /noop, hey"
# /noop: the same body read, a constant answered, nothing computed (the issue's baseline).
# /floor: /score with its JSON reading and writing memoized, the model and the explanation run per
# request, /score's answer sent: the least any /score must do (BenchmarkRoutes).
port=$(free_port)
# shellcheck disable=SC2086
PORT=$port SCORE_NOOP_ENDPOINT=true MODEL_DIR="$work/model" MONGODB_URI="mongodb://127.0.0.1:9" java $cds_opts \
  $manifest_opts -cp "$app_cp" dev.prsentinel.score.ScoreApplication >"$work/serve.log" 2>&1 & app=$!
until curl -sf "http://127.0.0.1:$port/health/readiness" >/dev/null; do sleep 0.05; done
# The score path needs ~10 s under load before C2 has settled (-XX:+PrintCompilation): 15 s first.
hey -z 15s -c 16 -m POST -T application/json -D "$work/body.json" "http://127.0.0.1:$port/score" >/dev/null
hey -z 5s -c 16 -m POST -T application/json -D "$work/body.json" "http://127.0.0.1:$port/floor" >/dev/null
hey -z 5s -c 16 -m POST -T application/json -D "$work/body.json" "http://127.0.0.1:$port/noop" >/dev/null
# One long run each swung by +-20% between runs (hey and the server share the 2 cores): the paths
# alternate in 8 rounds of 5 s and every figure is a median; each round also records the server's
# CPU time per request (utime+stime of the JVM over the round).
round() { # path -> "req/s server_cpu_us_per_request"
  local c0 c1 out
  c0=$(awk '{print $14+$15}' "/proc/$app/stat")
  out=$(hey -z 5s -c 16 -m POST -T application/json -D "$work/body.json" "http://127.0.0.1:$port/$1")
  c1=$(awk '{print $14+$15}' "/proc/$app/stat")
  echo "$out" | awk -v c="$(( c1 - c0 ))" -v t="$tick" '/Requests\/sec/ {r=$2} /\[200\]/ {n=$2}
    END {printf "%d %.1f\n", r, c / t / n * 1e6}'
}
for _ in 1 2 3 4 5 6 7 8; do echo "$(round score) $(round floor) $(round noop)"; done > "$work/rounds.txt"
read -r score_max floor_max noop_max ratio floor_ratio cpu_score cpu_floor cpu_noop cpu_ratio cpu_floor_ratio \
  < <(python3 -c '
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
med = lambda k: statistics.median(r[k] for r in rows)
ratio = lambda a, b: "%.2f" % statistics.median(r[a] / r[b] for r in rows)
print(int(med(0)), int(med(2)), int(med(4)), ratio(4, 0), ratio(4, 2), med(1), med(3), med(5), ratio(1, 5),
      ratio(3, 5))' "$work/rounds.txt")
echo "max rate (16 connections, median of 8 alternating 5 s rounds): score $score_max req/s, floor $floor_max req/s,"
echo "  no-op $noop_max req/s; no-op/score rate ${ratio}x, no-op/floor ${floor_ratio}x (medians of the rounds' ratios)"
echo "server CPU per request (median): score $cpu_score us, floor $cpu_floor us, no-op $cpu_noop us:"
echo "  score ${cpu_ratio}x, floor ${cpu_floor_ratio}x the no-op"
echo "rounds (score req/s, us; floor req/s, us; no-op req/s, us): $(tr '\n' ';' < "$work/rounds.txt")"
half=$(( score_max / 2 ))
per_worker=$(( half / 8 ))
lat() { awk '/^ +50%/ || /^ +99%/ {printf "p%s %.2f ms  ", substr($1, 1, 2), $3 * 1000}'; }
echo "at half the score max ($half req/s, 8 workers): score $(hey -z 15s -c 8 -q "$per_worker" -m POST \
  -T application/json -D "$work/body.json" "http://127.0.0.1:$port/score" | lat)"
echo "  same rate, no-op: $(hey -z 15s -c 8 -q "$per_worker" -m POST -T application/json -D "$work/body.json" \
  "http://127.0.0.1:$port/noop" | lat)"
# hey prints latencies in 0.1 ms steps, too coarse for a ratio: vegeta (us) at a fixed 4,000 req/s,
# what it can drive here beside the server (it costs more CPU per request than hey), 8 connections.
attack() {
  printf 'POST http://127.0.0.1:%s/%s\nContent-Type: application/json\n@%s\n' "$port" "$1" "$work/body.json" |
    vegeta attack -rate=4000/s -duration=5s -keepalive -workers=8 -max-workers=8 -connections=8 |
    vegeta report -type=json | python3 -c '
import json, sys
r = json.load(sys.stdin)
print("%.0f %.0f %.0f %.4f" % (r["latencies"]["50th"] / 1e3, r["latencies"]["99th"] / 1e3, r["latencies"]["mean"] / 1e3,
                               r["success"]))'
}
for _ in 1 2 3 4; do echo "$(attack score) $(attack floor) $(attack noop)"; done > "$work/latency.txt"
python3 -c '
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
med = lambda k: statistics.median(r[k] for r in rows)
line = lambda name, k: "%s p50 %.0f us, p99 %.0f us, mean %.0f us" % (name, med(k), med(k + 1), med(k + 2))
print("fixed 4,000 req/s, median of 4 alternating 5 s rounds: %s; %s; %s" % (line("score", 0), line("floor", 4),
      line("no-op", 8)))
print("  ratios to the no-op: score p50 %.2f, mean %.2f; floor p50 %.2f, mean %.2f; lowest success %.4f"
      % (med(0) / med(8), med(2) / med(10), med(4) / med(8), med(6) / med(10), min(min(r[3], r[7], r[11]) for r in rows)))
' "$work/latency.txt"

echo "== RSS with the manifest's JVM settings ($manifest_opts), $rss_requests requests"
rss() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$app/status"; }
echo "after warm-up: $(rss) MiB"
chunk=$(( rss_requests / 4 ))
for i in 1 2 3 4; do
  hey -n "$chunk" -c 16 -m POST -T application/json -D "$work/body.json" "http://127.0.0.1:$port/score" >/dev/null
  echo "after $(( i * chunk )) requests: $(rss) MiB"
done
kill "$app"; wait "$app" 2>/dev/null || true
