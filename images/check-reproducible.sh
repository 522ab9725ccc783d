#!/usr/bin/env bash
# The same commit gives the same image digests: rebuilds every image (images/modules) from a clean
# module (jars included) and compares each digest with the one the build before it wrote.
# Run after a build that made the images (scripts/test runs it after ./mvnw verify).
set -euo pipefail
cd "$(dirname "$0")/.."
modules=$(awk '!/^#/ && NF {print $2}' images/modules | tr '\n' ' ')
declare -A before
for m in $modules; do
  [ -f "$m/target/jib-image.digest" ] || { echo "no image built in $m (run the build first)" >&2; exit 1; }
  before[$m]=$(cat "$m/target/jib-image.digest")
done
./mvnw -B -q clean verify -DskipTests -Dcheckstyle.skip -Djacoco.skip -am -pl "$(echo $modules | tr ' ' ',')"
status=0
for m in $modules; do
  after=$(cat "$m/target/jib-image.digest")
  if [ "$after" = "${before[$m]}" ]; then
    echo "reproducible: $m $after"
  else
    echo "NOT reproducible: $m ${before[$m]} then $after" >&2
    status=1
  fi
done
exit $status
