#!/usr/bin/env bash
# What the demo's model catches on the demo's own synthetic set, and the ceiling the demo's
# measurement sets (DemoQualityBenchmark, in train-trigger's test sources: it needs DJL's classpath).
# Argument: the report to write.
set -euo pipefail
cd "$(dirname "$0")/.."
report=$(realpath -m "${1:-benchmarks/DEMO-QUALITY.md}")
./mvnw -B -q -DskipTests -Dcheckstyle.skip install -pl functions/train-trigger -am
cd functions/train-trigger
cp="target/test-classes:target/classes:$(../../mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout)"
# STACK-NOTES: offline, and one PyTorch thread each on 2 cores.
exec java -Xmx4g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
  -cp "$cp" dev.prsentinel.train.bench.DemoQualityBenchmark "$report"
