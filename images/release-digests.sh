#!/usr/bin/env bash
# Writes the digests of the images this build made (images/modules: <module>/target/jib-image.digest) into an
# environment's digest file, overlays/<env>/images.yaml (default staging). The release runs it on
# branch staging after pushing; `images/release-digests.sh --promote` copies staging's digests into
# production's file, the commit a staging-to-main merge then carries (nothing is rebuilt).
set -euo pipefail
cd "$(dirname "$0")/.."

write() { # env, then "name digest" lines on stdin
  local env=$1 file="overlays/$1/images.yaml"
  {
    echo "# Each image of $env (images/modules), pinned by digest. Written by images/release-digests.sh from"
    echo "# the digests the build captured; production's is staging's, carried by the merge."
    while read -r name digest; do
      printf -- '---\napiVersion: builtin\nkind: ImageTagTransformer\nmetadata:\n  name: %s\n' "$name"
      printf 'imageTag:\n  name: ghcr.io/prsentinel/%s\n  digest: %s\n' "$name" "$digest"
    done
  } > "$file.tmp"
  mv "$file.tmp" "$file"
  echo "wrote $file"
}

# "name digest" per function, as a digest file holds them.
digests_of() {
  awk '/^  name: ghcr.io\/prsentinel\//{n=$2; sub(/.*\//, "", n)} /^  digest: /{print n, $2}' "overlays/$1/images.yaml"
}

case "${1:-staging}" in
  --promote)
    digests_of staging | write production ;;
  --check-promoted)
    # On main: production runs exactly what staging ran.
    if [ "$(digests_of staging)" = "$(digests_of production)" ]; then echo "production's digests are staging's"
    else echo "production's digests differ from staging's:" >&2; diff <(digests_of staging) <(digests_of production) >&2; exit 1; fi ;;
  staging|production)
    awk '!/^#/ && NF' images/modules | while read -r f module; do
      d="$module/target/jib-image.digest"
      [ -f "$d" ] || { echo "$d is missing: build the images first (./mvnw package)" >&2; exit 1; }
      echo "$f $(cat "$d")"
    done | write "$1" ;;
  *) echo "usage: $0 [staging|production|--promote|--check-promoted]" >&2; exit 2 ;;
esac
