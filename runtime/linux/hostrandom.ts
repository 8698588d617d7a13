// Random bytes from the host for the guest (AT_RANDOM, getrandom): read from /dev/urandom
// through fs, which is loaded anyway; node:crypto costs start-up time to load and is only the
// fallback where /dev/urandom cannot be read.

import * as fs from 'node:fs';
import { createRequire } from 'node:module';

let urandom = -1;

/** Fills `buf` with random bytes from the host; returns it. */
export function hostRandom(buf: Uint8Array): Uint8Array {
  try {
    if (urandom < 0) urandom = fs.openSync('/dev/urandom', 'r');
    let done = 0;
    while (done < buf.length) {
      const n = fs.readSync(urandom, buf, done, buf.length - done, null);
      if (n <= 0) throw new Error('short read');
      done += n;
    }
    return buf;
  } catch {
    const { randomFillSync } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
    return randomFillSync(buf);
  }
}
