#!/usr/bin/env bash
# Installs the Debian tools the tests need when they are missing, one line per action:
# qemu-user (the reference CPU), qemu-system-arm (the reference board `virt`), gdb-multiarch
# (drives QEMU's and our gdb stubs), xz-utils (decompresses the kernel's zImage payload), the
# armhf cross compiler and libc (our test guests), cpio and dtc (cross-check our initramfs
# and device tree writers), the bare-metal compiler gcc-arm-none-eabi (the
# bare-metal system tests, spec/guests/baremetal), and Debian's busybox-static for armhf
# (real-program tests), unpacked into the user's cache.
# Idempotent and silent when everything is present. Nothing downloaded lands in the repo.
# Usage: setup-tools.sh [--compiler-only | --kernel-only]
#   --compiler-only: just what `armvisor demo` needs to build the demo guest (the cross compiler
#                    and libc; no qemu, gdb or busybox)
#   --kernel-only:   just what `npm start` needs besides scripts/fetch-kernel.sh to prepare the
#                    default system guest (xz-utils, to decompress the kernel's payload)
set -euo pipefail

compiler_only=0
kernel_only=0
case "${1:-}" in
  --compiler-only) compiler_only=1 ;;
  --kernel-only) kernel_only=1 ;;
  "") ;;
  *) echo "setup-tools: unknown option $1 (usage: setup-tools.sh [--compiler-only | --kernel-only])" >&2; exit 1 ;;
esac

cache="${XDG_CACHE_HOME:-$HOME/.cache}/armvisor"
bbdir="$cache/busybox"
export DEBIAN_FRONTEND=noninteractive

say() { echo "setup-tools: $*"; }
run_quiet() {  # runs a command, showing its output only when it fails
  local log
  log=$(mktemp)
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "setup-tools: failed: $*" >&2
    exit 1
  fi
  rm -f "$log"
}

# apt-get update may fail on one index (a mirror mid-sync) yet leave what we need usable:
# warn in one line and let the install or download that follows decide.
apt_update() {
  say "apt-get update"
  if ! "${sudo_cmd[@]}" apt-get update >/dev/null 2>&1; then
    echo "setup-tools: warning: apt-get update reported errors; continuing with the indexes it got" >&2
  fi
}

sudo_cmd=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo -n); fi
fi

missing=()
if [ "$kernel_only" = 1 ]; then
  command -v xz >/dev/null 2>&1 || missing+=(xz-utils)
else
  [ "$compiler_only" = 1 ] || command -v qemu-arm >/dev/null 2>&1 || missing+=(qemu-user)
  [ "$compiler_only" = 1 ] || command -v qemu-system-arm >/dev/null 2>&1 || missing+=(qemu-system-arm)
  [ "$compiler_only" = 1 ] || command -v gdb-multiarch >/dev/null 2>&1 || missing+=(gdb-multiarch)
  [ "$compiler_only" = 1 ] || command -v xz >/dev/null 2>&1 || missing+=(xz-utils)
  [ "$compiler_only" = 1 ] || command -v cpio >/dev/null 2>&1 || missing+=(cpio)
  [ "$compiler_only" = 1 ] || command -v dtc >/dev/null 2>&1 || missing+=(device-tree-compiler)
  command -v arm-linux-gnueabihf-gcc >/dev/null 2>&1 || missing+=(gcc-arm-linux-gnueabihf)
  [ -f /usr/arm-linux-gnueabihf/lib/libc.a ] || missing+=(libc6-dev-armhf-cross)
  [ "$compiler_only" = 1 ] || command -v arm-none-eabi-gcc >/dev/null 2>&1 || missing+=(gcc-arm-none-eabi)
fi
need_busybox=0
[ "$compiler_only" = 1 ] || [ "$kernel_only" = 1 ] || [ -x "$bbdir/bin/busybox" ] || need_busybox=1

if [ "$need_busybox" = 1 ] && ! dpkg --print-foreign-architectures | grep -qx armhf; then
  say "dpkg --add-architecture armhf"
  run_quiet "${sudo_cmd[@]}" dpkg --add-architecture armhf
fi
if [ ${#missing[@]} -gt 0 ] || [ "$need_busybox" = 1 ]; then
  apt_update
fi
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install -y ${missing[*]}"
  run_quiet "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi

if [ "$need_busybox" = 1 ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  say "apt-get download busybox-static:armhf, unpacked into $bbdir"
  (cd "$tmp" && run_quiet apt-get download busybox-static:armhf)
  deb=$(ls "$tmp"/busybox-static_*_armhf.deb)
  rm -rf "$bbdir.new"
  mkdir -p "$bbdir.new"
  run_quiet dpkg-deb -x "$deb" "$bbdir.new"
  [ -x "$bbdir.new/bin/busybox" ] || { echo "setup-tools: busybox not found in $(basename "$deb")" >&2; exit 1; }
  basename "$deb" >"$bbdir.new/PACKAGE"
  rm -rf "$bbdir"
  mv "$bbdir.new" "$bbdir"
fi
