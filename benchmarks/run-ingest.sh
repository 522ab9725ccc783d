#!/usr/bin/env bash
# Builds what the benchmark needs and runs it; arguments go to IngestBenchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -DskipTests -Dcheckstyle.skip install -pl benchmarks -am
./mvnw -B -q -pl benchmarks exec:java -Dexec.args="$*"
