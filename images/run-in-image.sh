#!/bin/bash
# Runs a command inside an unpacked image (images/unpack.sh) as a container runtime starts one: a
# private mount namespace, the root bound read-only with a fresh /proc and /dev, /tmp a tmpfs
# (the manifests' emptyDir), the host's /etc/hosts and resolv.conf (a kubelet's are the pod's),
# chroot as the image's user. The command gets exactly the caller's environment, so give it the
# image's (env -i ...); host tools are called by absolute path. Used by class-data.sh and
# benchmarks/run-image-start.sh; the tests do the same in Java (core/.../testing/OciImage).
#   images/run-in-image.sh ROOT [--bind HOST:INSIDE | --bind-rw HOST:INSIDE]... -- COMMAND...
# Needs root. IMAGE_USER overrides the user (default 65532:65532, the images' own).
set -euo pipefail
root=$1
shift
mounts=""
while [ "$1" != "--" ]; do
  host=${2%%:*}
  inside=$root/${2#*:}
  mounts="$mounts /bin/mkdir -p '$inside'; /bin/mount --bind '$host' '$inside';"
  [ "$1" = "--bind" ] && mounts="$mounts /bin/mount -o remount,bind,ro '$inside';"
  shift 2
done
shift
user=${IMAGE_USER:-65532:65532}
unset IMAGE_USER
/bin/mkdir -p "$root/proc" "$root/dev" "$root/tmp" "$root/etc"
for f in hosts resolv.conf; do [ -e "$root/etc/$f" ] || : > "$root/etc/$f"; done
exec /usr/bin/unshare --mount --propagation private /bin/sh -c '
  set -e; r=$0; u=$1; shift
  /bin/mount --rbind "$r" "$r"
  /bin/mount -t proc proc "$r/proc"; /bin/mount --rbind /dev "$r/dev"
  /bin/mount -t tmpfs -o size=4g,mode=1777 tmpfs "$r/tmp"
  '"$mounts"'
  for f in hosts resolv.conf; do [ -f "/etc/$f" ] && /bin/mount --bind "/etc/$f" "$r/etc/$f"; done
  /bin/mount -o remount,bind,ro "$r"
  exec /usr/sbin/chroot --userspec="$u" "$r" "$@"' "$root" "$user" "$@"
