#!/usr/bin/env bash
# Model quality and training throughput (TrainingBenchmark, in train-trigger's test sources: it needs
# DJL's classpath). Arguments: the pullreqs file, the report to write.
set -euo pipefail
cd "$(dirname "$0")/.."
csv=$(realpath "${1:-../shared/datasets/pullreqs/pullreqs.csv.gz}")
report=$(realpath -m "${2:-benchmarks/MODEL-QUALITY.md}")
./mvnw -B -q -DskipTests -Dcheckstyle.skip install -pl functions/train-trigger -am
cd functions/train-trigger
cp="target/test-classes:target/classes:$(../../mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout)"
# STACK-NOTES: offline, and one PyTorch thread each on 2 cores.
exec java -Xmx8g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
  -cp "$cp" dev.prsentinel.train.bench.TrainingBenchmark "$csv" "$report"
