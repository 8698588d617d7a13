// A CPU state block filled with pseudo-random words, for tests that check which words a helper
// reads or writes.

import { STATE_BYTES } from '../../translator/state.js';

/** Words in a CPU state block. */
export const STATE_WORDS = STATE_BYTES / 4;

/** A state block of pseudo-random words (xorshift32 from `seed`). */
export function randomWords(seed: number): Int32Array {
  const w = new Int32Array(STATE_WORDS);
  let x = seed | 1;
  for (let i = 0; i < STATE_WORDS; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    w[i] = x;
  }
  return w;
}
