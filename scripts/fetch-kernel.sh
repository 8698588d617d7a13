#!/usr/bin/env bash
# Fetches the default system guest's pieces from Debian bookworm (armhf) into the user's cache,
# one line per action; idempotent and silent when everything is already there. Nothing lands in
# the repo. Layout of ${XDG_CACHE_HOME:-$HOME/.cache}/armvisor/kernel/ afterwards:
#   vmlinuz                      the kernel zImage (linux-image-<ver>-armmp-lpae)
#   System.map, config           its symbol map (Debian's is a placeholder, replaced by the real
#                                one that scripts/build-kernel-guest.mjs reads from the kernel's
#                                kallsyms) and build configuration
#   modules/xen-blkfront.ko*, modules/xen-netfront.ko*   the Xen PV front ends (as packaged)
#   busybox                      busybox-static, for the initramfs
#   VERSION                      the kernel release, e.g. 6.1.0-50-armmp-lpae
#   PACKAGES                     the .deb files these came from
# Usage: fetch-kernel.sh [--print-dir]   (--print-dir: only print the directory and exit)
set -euo pipefail

cache="${XDG_CACHE_HOME:-$HOME/.cache}/armvisor"
kdir="$cache/kernel"
case "${1:-}" in
  --print-dir) echo "$kdir"; exit 0 ;;
  "") ;;
  *) echo "fetch-kernel: unknown option $1 (usage: fetch-kernel.sh [--print-dir])" >&2; exit 1 ;;
esac
export DEBIAN_FRONTEND=noninteractive

say() { echo "fetch-kernel: $*"; }
fail() { echo "fetch-kernel: $*" >&2; exit 1; }
run_quiet() {  # runs a command, showing its output only when it fails
  local log
  log=$(mktemp)
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    fail "failed: $*"
  fi
  rm -f "$log"
}

complete() {
  [ -f "$kdir/vmlinuz" ] && [ -f "$kdir/System.map" ] && [ -f "$kdir/config" ] &&
    [ -x "$kdir/busybox" ] && [ -f "$kdir/VERSION" ] &&
    ls "$kdir"/modules/xen-blkfront.ko* >/dev/null 2>&1 &&
    ls "$kdir"/modules/xen-netfront.ko* >/dev/null 2>&1
}
if complete; then exit 0; fi

sudo_cmd=()
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo -n); fi
for tool in apt-get apt-cache dpkg dpkg-deb; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool not found (this script needs Debian's apt and dpkg)"
done

if ! dpkg --print-foreign-architectures | grep -qx armhf; then
  say "dpkg --add-architecture armhf"
  run_quiet "${sudo_cmd[@]}" dpkg --add-architecture armhf
fi

# The metapackage linux-image-armmp-lpae depends on the current linux-image-<ver>-armmp-lpae.
kernel_pkg() {
  apt-cache depends linux-image-armmp-lpae:armhf 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*-armmp-lpae\).*/\1/p' | head -n1
}
pkg=$(kernel_pkg || true)
if [ -z "$pkg" ] || ! apt-cache show busybox-static:armhf >/dev/null 2>&1; then
  say "apt-get update"
  if ! "${sudo_cmd[@]}" apt-get update >/dev/null 2>&1; then
    echo "fetch-kernel: warning: apt-get update reported errors; continuing with the indexes it got" >&2
  fi
  pkg=$(kernel_pkg || true)
fi
[ -n "$pkg" ] || fail "no linux-image-*-armmp-lpae package found for armhf (is deb.debian.org bookworm in the apt sources?)"
release=${pkg#linux-image-}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
say "apt-get download $pkg:armhf busybox-static:armhf"
(cd "$tmp" && run_quiet apt-get download "$pkg:armhf" busybox-static:armhf)
kdeb=$(ls "$tmp"/"$pkg"_*_armhf.deb 2>/dev/null | head -n1)
bdeb=$(ls "$tmp"/busybox-static_*_armhf.deb 2>/dev/null | head -n1)
[ -n "$kdeb" ] || fail "apt-get download gave no $pkg .deb"
[ -n "$bdeb" ] || fail "apt-get download gave no busybox-static .deb"

say "dpkg-deb -x $(basename "$kdeb") and $(basename "$bdeb")"
run_quiet dpkg-deb -x "$kdeb" "$tmp/k"
run_quiet dpkg-deb -x "$bdeb" "$tmp/b"

new="$kdir.new"
rm -rf "$new"
mkdir -p "$new/modules"
pick() {  # pick SRC DEST: copies one file that must exist
  [ -f "$1" ] || fail "$(basename "$1") not found in the unpacked package"
  cp "$1" "$2"
}
pick "$tmp/k/boot/vmlinuz-$release" "$new/vmlinuz"
pick "$tmp/k/boot/System.map-$release" "$new/System.map"
pick "$tmp/k/boot/config-$release" "$new/config"
pick "$tmp/b/bin/busybox" "$new/busybox"
chmod 755 "$new/busybox"
for mod in xen-blkfront xen-netfront; do
  found=$(find "$tmp/k/lib/modules/$release" -name "$mod.ko*" | head -n1)
  [ -n "$found" ] || fail "$mod module not found in $(basename "$kdeb")"
  cp "$found" "$new/modules/"
done
echo "$release" >"$new/VERSION"
printf '%s\n' "$(basename "$kdeb")" "$(basename "$bdeb")" >"$new/PACKAGES"
rm -rf "$kdir"
mv "$new" "$kdir"
say "kernel $release ready in $kdir"
