#!/usr/bin/env bash
# Builds our test guests (spec/guests/*.c and *.S) as static armhf executables, in both
# instruction sets: <cache>/armvisor/guests/<name>-arm (-marm) and <name>-thumb (-mthumb).
# Debian's armhf compiler defaults apply (ARMv7-A, VFPv3-D16, hard float; no NEON).
# Only sources newer than their outputs are rebuilt. Then runs spec/diff/build.sh and
# scripts/build-baremetal.sh (the bare-metal system tests) if present.
# Usage: build-guests.sh [NAME...]   (only the named guests, e.g. `demo`, and no spec/diff or
# bare-metal build)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out="${XDG_CACHE_HOME:-$HOME/.cache}/armvisor/guests"
cc=${ARM_CC:-arm-linux-gnueabihf-gcc}
mkdir -p "$out"

command -v "$cc" >/dev/null 2>&1 || { echo "build-guests: $cc not found (run scripts/setup-tools.sh)" >&2; exit 1; }

built=0
shopt -s nullglob
sources=("$root"/spec/guests/*.c "$root"/spec/guests/*.S)
if [ $# -gt 0 ]; then
  sources=()
  for name in "$@"; do
    src="$root/spec/guests/$name.c"
    [ -f "$src" ] || src="$root/spec/guests/$name.S"
    [ -f "$src" ] || { echo "build-guests: no guest named $name in spec/guests" >&2; exit 1; }
    sources+=("$src")
  done
fi
for src in "${sources[@]}"; do
  name=$(basename "${src%.*}")
  for isa in arm thumb; do
    bin="$out/$name-$isa"
    if [ -f "$bin" ] && [ "$bin" -nt "$src" ] && [ "$bin" -nt "$0" ]; then continue; fi
    extra=()
    case "$src" in *.S) extra=(-nostdlib) ;; esac
    if ! "$cc" -O2 -static -Wall "-m$isa" "${extra[@]}" -o "$bin.tmp" "$src" -lm; then
      echo "build-guests: failed to build $name-$isa" >&2
      rm -f "$bin.tmp"
      exit 1
    fi
    mv "$bin.tmp" "$bin"
    built=$((built + 1))
  done
done
[ "$built" = 0 ] || echo "build-guests: built $built guest binaries in $out"

if [ $# = 0 ] && [ -f "$root/spec/diff/build.sh" ]; then
  bash "$root/spec/diff/build.sh"
fi
if [ $# = 0 ] && [ -f "$root/scripts/build-baremetal.sh" ]; then
  bash "$root/scripts/build-baremetal.sh"
fi
