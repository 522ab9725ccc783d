#!/usr/bin/env bash
# Unpacks an image Jib built (an OCI layout tar) layer by layer, in order, into ROOT, as a
# runtime lays out a container's root. Used by class-data.sh and benchmarks/run-image-start.sh;
# the tests do the same in Java (core/.../testing/OciImage).
#   images/unpack.sh IMAGE_TAR ROOT
set -euo pipefail
tar_file=$1
root=$2
layout=$(mktemp -d)
trap 'rm -rf "$layout"' EXIT
mkdir -p "$root"
tar -xf "$tar_file" -C "$layout"
for layer in $(python3 - "$layout" <<'PY'
import json, sys
oci = sys.argv[1]
index = json.load(open(oci + "/index.json"))
manifest = json.load(open(oci + "/blobs/sha256/" + index["manifests"][0]["digest"][7:]))
print(" ".join(l["digest"][7:] for l in manifest["layers"]))
PY
); do
  # Jib writes pax headers GNU tar does not know (LIBARCHIVE.creationtime); they carry nothing needed.
  tar -xzf "$layout/blobs/sha256/$layer" -C "$root" 2> >(grep -v "LIBARCHIVE.creationtime" >&2 || true)
done
