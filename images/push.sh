#!/usr/bin/env bash
# Pushes each image (images/modules) as the build made it (<module>/target/jib-image.tar, an OCI
# layout) to REGISTRY/<name>, tagged with the commit, and fails unless the registry holds it
# under the very digest the build recorded: what the overlays pin is what was tested.
#   images/push.sh REGISTRY [TAG]     e.g. images/push.sh ghcr.io/prsentinel "$GITHUB_SHA"
# Credentials: crane's (crane auth login, or a docker config.json).
set -euo pipefail
cd "$(dirname "$0")/.."
registry=${1:?usage: $0 REGISTRY [TAG]}
tag=${2:-$(git rev-parse HEAD)}
crane=${CRANE:-crane}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk '!/^#/ && NF' images/modules | while read -r f module; do
  built=$(cat "$module/target/jib-image.digest")
  mkdir -p "$work/$f"
  tar -xf "$module/target/jib-image.tar" -C "$work/$f"
  "$crane" push "$work/$f" "$registry/$f:$tag" >/dev/null
  pushed=$("$crane" digest "$registry/$f:$tag")
  if [ "$pushed" != "$built" ]; then
    echo "$f: the registry holds $pushed, the build made $built" >&2
    exit 1
  fi
  echo "pushed $registry/$f:$tag@$pushed"
done
