#!/usr/bin/env bash
# Builds the differential-test harness (static armhf) into the user's cache:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/armvisor/diff/harness
# Rebuilds only when a source is newer than the binary. Called by scripts/build-guests.sh
# and by spec/diff.test.ts.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${XDG_CACHE_HOME:-$HOME/.cache}/armvisor/diff"
cc="${ARM_CC:-arm-linux-gnueabihf-gcc}"
bin="$out/harness"
mkdir -p "$out"
if [ -x "$bin" ]; then
  stale=0
  for f in "$here"/harness.c "$here"/enter.S "$here"/layout.h "$here"/build.sh; do
    [ "$f" -nt "$bin" ] && stale=1
  done
  [ "$stale" = 0 ] && exit 0
fi
command -v "$cc" >/dev/null 2>&1 || { echo "diff/build.sh: $cc not found (run scripts/setup-tools.sh)" >&2; exit 1; }
"$cc" -static -O2 -marm -march=armv7-a -mfpu=vfpv3-d16 -mfloat-abi=hard -Wall -Wextra \
  -o "$bin.tmp" "$here/harness.c" "$here/enter.S"
mv "$bin.tmp" "$bin"
echo "diff/build.sh: built $bin"
