#!/usr/bin/env bash
# Builds the runtime every function image is layered on: a jlinked Java 17 runtime, the C
# libraries it and DJL's PyTorch load (glibc, libstdc++, libgcc, zlib, from this machine's Debian
# packages), the JDK's CA certificates, and a non-root user (65532). Jib adds it as one layer on
# `scratch`; there is no base image to pull (no registry is reachable here), no shell, no package
# manager in it.
#
# Built once into the tools cache ($PRSENTINEL_TOOLS, ~/.cache/prsentinel-tools) under a key made
# of this script and the versions of the packages it copies, and reused: jlink on JDK 17 is not
# deterministic (its generated SystemModules$all class orders a set by a per-run random salt: 2
# distinct lib/modules in 4 identical runs, images/README.md), so a rebuild would change every
# digest. Prints the runtime's directory; with --link PATH, also puts it at PATH (hard links when on
# the same file system, else a copy: Jib does not follow a symbolic link to a directory).
set -euo pipefail
link=""
if [ "${1:-}" = "--link" ]; then link="$2"; fi

JDK=/usr/lib/jvm/java-17-openjdk-amd64
MODULES=java.se,jdk.unsupported,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.zipfs,jdk.management,jdk.naming.dns,jdk.net,jdk.security.auth,jdk.security.jgss,jdk.incubator.vector,jdk.jfr,jdk.localedata
PACKAGES="openjdk-17-jdk-headless openjdk-17-jre-headless libc6 libstdc++6 libgcc-s1 zlib1g"

tools="${PRSENTINEL_TOOLS:-$HOME/.cache/prsentinel-tools}"
versions=$(dpkg-query -W -f '${Package}=${Version}\n' $PACKAGES | sort)
key=$( (cat "$0"; echo "$versions") | sha256sum | cut -c1-16)
out="$tools/runtime/$key"
finish() {
  if [ -n "$link" ]; then
    rm -rf "$link"; mkdir -p "$(dirname "$link")"
    cp -al "$out" "$link" 2>/dev/null || { rm -rf "$link"; cp -a "$out" "$link"; }
    rm -f "$link/.complete"
  fi
  echo "$out"
  exit 0
}
if [ -f "$out/.complete" ]; then finish; fi

echo "build-runtime: building the image runtime $key (once; cached in $tools/runtime)" >&2
tmp=$(mktemp -d "$tools/runtime.XXXXXX" 2>/dev/null || { mkdir -p "$tools"; mktemp -d "$tools/runtime.XXXXXX"; })
trap 'rm -rf "$tmp"' EXIT
root="$tmp/root"
mkdir -p "$root/opt" "$root/etc" "$root/tmp" "$root/lib/x86_64-linux-gnu" "$root/lib64"

# jlink writes the JDK's own security files (cacerts included) as files into lib/security.
"$JDK/bin/jlink" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files \
  --output "$root/opt/java" | { grep -v "incubator modules" || true; } >&2

# Jib copies files, not links: the legal notices jlink links between modules become copies.
find "$root/opt/java" -type l | while read -r link; do
  target=$(readlink -f "$link"); rm "$link"; cp "$target" "$link"
done

# The shared libraries of these packages, as files (ld.so's name included, at both its paths).
for pkg in libc6 libstdc++6 libgcc-s1 zlib1g; do
  dpkg -L "$pkg" | grep -E '^/(usr/)?lib/x86_64-linux-gnu/[^/]+\.so[.0-9]*$' | while read -r lib; do
    cp -L "$lib" "$root/lib/x86_64-linux-gnu/$(basename "$lib")"
  done
done
cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/ld-linux-x86-64.so.2"

printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$root/etc/group"
printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"
echo "$versions" > "$root/etc/prsentinel-runtime"
mkdir -p "$root/home/nonroot"

# Every file gets the same modification time, so the layer's bytes depend on content only.
find "$root" -exec touch -h -d @1 {} +
mkdir -p "$tools/runtime"
mv "$root" "$out.tmp.$$"
rm -rf "$out"
mv "$out.tmp.$$" "$out"
touch "$out/.complete"
finish
