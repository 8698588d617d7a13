#!/usr/bin/env bash
# Builds the bare-metal system tests (spec/guests/baremetal/NAME.c, plus NAME.S when present,
# linked with spec/guests/baremetal/common/) with Debian's arm-none-eabi-gcc for the `virt`
# board: <cache>/armvisor/baremetal/NAME.elf (linked at 0x40010000, entry _start; what the tests
# load with -kernel) and NAME.bin (the same bytes as a raw image, for loaders that want one).
# ARMv7-A with the virtualization extensions (Cortex-A15), ARM state, soft float, no unaligned
# accesses from the compiler. A test is rebuilt when any of its sources, the common files or this
# script is newer than its ELF.
# Usage: build-baremetal.sh [NAME...]   (only the named tests)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/spec/guests/baremetal"
out="${XDG_CACHE_HOME:-$HOME/.cache}/armvisor/baremetal"
cc=${BAREMETAL_CC:-arm-none-eabi-gcc}
objcopy=${cc%gcc}objcopy
mkdir -p "$out"

command -v "$cc" >/dev/null 2>&1 || { echo "build-baremetal: $cc not found (run scripts/setup-tools.sh)" >&2; exit 1; }

cflags=(-march=armv7ve -marm -mfloat-abi=soft -mno-unaligned-access -O2 -g -Wall -Wextra -Werror
  -ffreestanding -fno-builtin -fno-common -fno-pic -nostdlib -nostartfiles -I "$src/common")
common=("$src"/common/*.c "$src"/common/*.S)

shopt -s nullglob
names=()
if [ $# -gt 0 ]; then
  for name in "$@"; do
    [ -f "$src/$name.c" ] || { echo "build-baremetal: no test named $name in spec/guests/baremetal" >&2; exit 1; }
    names+=("$name")
  done
else
  for f in "$src"/*.c; do names+=("$(basename "${f%.c}")"); done
fi

built=0
for name in "${names[@]}"; do
  files=("$src/$name.c")
  [ -f "$src/$name.S" ] && files+=("$src/$name.S")
  elf="$out/$name.elf"
  fresh=1
  if [ -f "$elf" ]; then
    for f in "${files[@]}" "${common[@]}" "$src/common/lib.h" "$src/common/link.ld" "$0"; do
      [ "$elf" -nt "$f" ] || { fresh=0; break; }
    done
  else
    fresh=0
  fi
  [ "$fresh" = 1 ] && continue
  if ! "$cc" "${cflags[@]}" -T "$src/common/link.ld" -o "$elf.tmp" "${files[@]}" "${common[@]}"; then
    echo "build-baremetal: failed to build $name" >&2
    rm -f "$elf.tmp"
    exit 1
  fi
  "$objcopy" -O binary "$elf.tmp" "$out/$name.bin"
  mv "$elf.tmp" "$elf"
  built=$((built + 1))
done
[ "$built" = 0 ] || echo "build-baremetal: built $built tests in $out"
