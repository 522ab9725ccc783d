#!/usr/bin/env bash
# score's cold start as a pod gets it: the image Jib built (functions/score/target/jib-image.tar),
# unpacked and started as a container starts it (its own root by chroot, its user, read-only
# root, /tmp writable), with the JVM options of knative/score/service.yaml; time from the process
# start to the first 200 on /score. Beside it, in the same run and alternating: the same image and
# options without the class-data archive (the baseline). Needs root; build first
# (./mvnw -B -q verify -pl functions/score -am -DskipTests).
#   benchmarks/run-image-start.sh [STARTS]
set -euo pipefail
cd "$(dirname "$0")/.."
starts=${1:-11}
[ "$(id -u)" = 0 ] || { echo "needs root (chroot and mounts)" >&2; exit 1; }
tar_file=functions/score/target/jib-image.tar
training=functions/score/target/class-data-training
[ -f "$tar_file" ] && [ -d "$training/model" ] || { echo "build score's image first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"
images/unpack.sh "$tar_file" "$root"
options=$(python3 -c '
import re
text = open("knative/score/service.yaml").read()
m = re.search(r"- name: JAVA_TOOL_OPTIONS\n\s+value: >-\n((?:\s+-\S.*\n)+)", text)
print(" ".join(m.group(1).split()))')
without=$(echo "$options" | sed 's| -XX:SharedArchiveFile=[^ ]*||')

echo "== machine: $(nproc) cores, $(uname -r), $(date -u +%FT%TZ), image $(cat functions/score/target/jib-image.digest)"
echo "== options (knative/score/service.yaml): $options"
python3 - "$root" "$training/model" "$starts" "$options" "$without" <<'PY'
import os, socket, statistics, subprocess, sys, time, urllib.request
root, model, starts, with_archive, without = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
body = open(os.path.join(os.path.dirname(model), "bodies", "one.json"), "rb").read()
def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
def once(options):
    port = free_port()
    command = ["images/run-in-image.sh", root, "--bind", model + ":/models", "--",
               "java", "-cp", "@/app/jib-classpath-file", "dev.prsentinel.score.ScoreApplication"]
    env = {"PATH": "/opt/java/bin", "PORT": str(port), "MODEL_DIR": "/models",
           "MODEL_CACHE_DIR": "/tmp/models", "JAVA_TOOL_OPTIONS": options}
    start = time.monotonic()
    p = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    req = urllib.request.Request(f"http://127.0.0.1:{port}/score", data=body,
                                 headers={"content-type": "application/json"})
    while True:
        try:
            if urllib.request.urlopen(req, timeout=2).status == 200:
                elapsed = (time.monotonic() - start) * 1000
                break
        except Exception:
            if time.monotonic() - start > 30:
                p.kill(); sys.exit("no score within 30 s")
            time.sleep(0.003)
    p.terminate(); p.wait()
    return elapsed
a, b = [], []
for i in range(starts):
    a.append(once(with_archive)); b.append(once(without))
fmt = lambda xs: f"median {statistics.median(xs):.0f} ms (min {min(xs):.0f}, max {max(xs):.0f}, n={len(xs)})"
print(f"with the class-data archive:    {fmt(a)}")
print(f"without it (baseline):          {fmt(b)}")
print(f"ratio (with / without):         {statistics.median(a) / statistics.median(b):.2f}")
PY
