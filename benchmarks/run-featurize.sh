#!/usr/bin/env bash
# The feature job benchmark (FeatureJobBenchmark, in featurize's test sources: it needs Spark's
# classpath, which the other benchmarks do not share). Argument: the pullreqs file.
set -euo pipefail
cd "$(dirname "$0")/.."
csv=$(realpath "${1:-../shared/datasets/pullreqs/pullreqs.csv.gz}")
./mvnw -B -q -DskipTests -Dcheckstyle.skip install -pl functions/featurize -am
cd functions/featurize
cp="target/test-classes:target/classes:$(cat target/job-classpath.txt):$(../../mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout)"
opts=$(sed -n 's:.*<spark.jvm.options>\(.*\)</spark.jvm.options>.*:\1:p' ../../pom.xml)
# shellcheck disable=SC2086
exec java -Xmx6g $opts -cp "$cp" dev.prsentinel.featurize.bench.FeatureJobBenchmark "$csv"
