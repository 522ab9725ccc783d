#!/usr/bin/env bash
# score's class-data archive (CDS), made inside score's own image, as the JVM there will map it:
# unpack the image the build just made (target/jib-image.tar), start score in it (OciImage's way:
# chroot as its user, read-only root, /tmp writable) with -XX:DumpLoadedClassList while a client's
# first requests run, then dump the archive with the image's own JVM over the image's own
# classpath (-Xshare:dump). Writes target/class-data/score.jsa; the build's next Jib execution
# adds it to the image at /app/class-data/score.jsa (knative/score/service.yaml points the JVM at it).
#
# JDK 17's dump is not deterministic (3 dumps of one class list gave 3 different files), so the
# archive is made once per image it belongs to and cached under that image's digest in
# $PRSENTINEL_TOOLS/class-data; a rebuild of the same commit makes the same image (jars and
# runtime are reproducible) and takes the same archive. Needs root (chroot, mounts); without it the
# image gets no archive and the build says so.
#   images/class-data.sh MODULE_DIR TRAINING_DIR   (TRAINING_DIR: model/ and bodies/, ClassDataTraining)
set -euo pipefail
module=$1
training=$2
tools="${PRSENTINEL_TOOLS:-$HOME/.cache/prsentinel-tools}"
out="$module/target/class-data"
rm -rf "$out"; mkdir -p "$out"
digest=$(cut -d: -f2 < "$module/target/jib-image.digest")
cached="$tools/class-data/$digest/score.jsa"
if [ -f "$cached" ]; then cp "$cached" "$out/score.jsa"; echo "class-data: cached archive for image $digest"; exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
  echo "class-data: WARNING: no class-data archive (making it needs root to run the image); score starts slower" >&2
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"
"$(dirname "$0")/unpack.sh" "$module/target/jib-image.tar" "$root"
mkdir -p "$work/out"
chmod 777 "$work/out"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# Runs "$@" inside the image as its user, with the model at /models and $work/out at /out.
in_image() {
  env -i PATH=/opt/java/bin MODEL_DIR=/models MODEL_CACHE_DIR=/tmp/models PORT="$port" \
    "$(dirname "$0")/run-in-image.sh" "$root" --bind "$training/model:/models" --bind-rw "$work/out:/out" -- "$@"
}
# The JVM options the Service runs with (knative/score/service.yaml), minus the archive itself.
opts="-Xmx96m -Xss512k -XX:+UseSerialGC -XX:MaxMetaspaceSize=64m"
in_image java $opts -Xshare:auto -XX:DumpLoadedClassList=/out/classes.lst -cp @/app/jib-classpath-file \
  dev.prsentinel.score.ScoreApplication > "$work/training.log" 2>&1 &
app=$!
python3 - "$port" "$training/bodies" <<'PY'
import sys, time, urllib.request, urllib.error, pathlib
port, bodies = sys.argv[1], pathlib.Path(sys.argv[2])
base = f"http://127.0.0.1:{port}"
deadline = time.time() + 60
while True:
    try:
        if urllib.request.urlopen(base + "/health/readiness", timeout=2).status == 200:
            break
    except Exception:
        if time.time() > deadline:
            sys.exit("score did not become ready in its image")
        time.sleep(0.1)
for name in ["one.json", "webhook.json", "batch.json", "bad.json", "one.json"]:
    req = urllib.request.Request(base + "/score", data=(bodies / name).read_bytes(),
                                 headers={"content-type": "application/json"})
    try:
        urllib.request.urlopen(req, timeout=5).read()
    except urllib.error.HTTPError as e:
        e.read()
for path in ["/health/liveness", "/metrics", "/openapi.yaml"]:
    urllib.request.urlopen(base + path, timeout=5).read()
PY
kill "$app"; wait "$app" 2>/dev/null || true
in_image java $opts -Xshare:dump -XX:SharedClassListFile=/out/classes.lst -XX:SharedArchiveFile=/out/score.jsa \
  -cp @/app/jib-classpath-file > "$work/dump.log" 2>&1 || { cat "$work/dump.log" >&2; exit 1; }
mkdir -p "$(dirname "$cached")"
cp "$work/out/score.jsa" "$cached.tmp" && mv "$cached.tmp" "$cached"
cp "$cached" "$out/score.jsa"
echo "class-data: archived $(wc -l < "$work/out/classes.lst") classes for image $digest"
