#!/usr/bin/env bash
# Installs the tools the GitOps checks run: a real kube-apiserver with etcd (the manifests are
# applied to it with server-side dry-run), actionlint for the workflows, crane for the images and
# vegeta for the blue/green load gate (perf/: k6 cannot be installed here, see perf/README.md).
# Everything is built once into a cache outside the clone ($PRSENTINEL_TOOLS, default
# ~/.cache/prsentinel-tools) and reused by every later run; a second call costs nothing.
#
# kube-apiserver is not published as a Go binary: it builds from the k8s.io/kubernetes module once
# its ./staging replace directives point at the published k8s.io/* modules of the same minor
# version (about 17 minutes on 2 cores, once). Prints the tool directory on success.
set -euo pipefail

K8S_VERSION=v1.34.4
STAGING_VERSION=v0.34.4
ACTIONLINT_VERSION=v1.7.12
CRANE_VERSION=v0.22.1
VEGETA_VERSION=v12.13.0

tools="${PRSENTINEL_TOOLS:-$HOME/.cache/prsentinel-tools}"
bin="$tools/bin"
mkdir -p "$bin"
log() { echo "install-kube-tools: $*" >&2; }

if ! command -v etcd >/dev/null 2>&1; then
  log "installing etcd-server (Debian)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq etcd-server >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq etcd-server >/dev/null; fi
fi

if [ ! -x "$bin/kube-apiserver-$K8S_VERSION" ]; then
  log "building kube-apiserver $K8S_VERSION from k8s.io/kubernetes (once; cached in $tools)"
  dir=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  work=$(mktemp -d "$tools/k8s-src.XXXXXX")
  trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
  cp -r "$dir/." "$work/"
  chmod -R u+w "$work"
  rm -f "$work/go.work" "$work/go.work.sum"
  # Drop the replace block that points every staging module at ./staging, and require the
  # published module of the same minor version instead of the v0.0.0 placeholder.
  python3 - "$work/go.mod" "$STAGING_VERSION" <<'PY'
import re, sys
path, version = sys.argv[1], sys.argv[2]
text = open(path).read()
text = re.sub(r"\nreplace \((?:.|\n)*?\n\)\n", "\n", text)
text = re.sub(r"(\n\s*k8s\.io/[\w.-]+(?:/[\w.-]+)*) v0\.0\.0(?=[ \t]*(?:\n|//))", r"\1 " + version, text)
open(path, "w").write(text)
PY
  (cd "$work" && GOFLAGS=-mod=mod nice -n 10 go build -o "$bin/kube-apiserver-$K8S_VERSION.tmp" \
      -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION" ./cmd/kube-apiserver)
  mv "$bin/kube-apiserver-$K8S_VERSION.tmp" "$bin/kube-apiserver-$K8S_VERSION"
fi
ln -sf "kube-apiserver-$K8S_VERSION" "$bin/kube-apiserver"

# A Go tool at a pinned version, as bin/NAME-VERSION with bin/NAME pointing at it.
go_tool() { # name, module path of its main package, version
  if [ ! -x "$bin/$1-$3" ]; then
    log "installing $1 $3"
    GOBIN="$tools/go-$1-$3" go install "$2@$3"
    mv "$tools/go-$1-$3/$1" "$bin/$1-$3"
    rm -rf "$tools/go-$1-$3"
  fi
  ln -sf "$1-$3" "$bin/$1"
}
go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION"
go_tool crane github.com/google/go-containerregistry/cmd/crane "$CRANE_VERSION"
go_tool vegeta github.com/tsenart/vegeta/v12 "$VEGETA_VERSION"

echo "$bin"
