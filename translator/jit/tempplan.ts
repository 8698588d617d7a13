// The code generator's temp plan: where each IR temp of a block lives in wasm (Kind: a pooled
// local, a constant, an alias of a state word's local, or an expression inlined at its one
// reader), and the liveness that lets temps share locals (Liftoff zero-initializes every local
// on each call, and each one costs at every control-flow join). The dead-set pass makes it as
// it walks each block's ops (opt/deadset.ts removeDeadSetsInto, into opt/scratch.ts's
// TempArena); this file has the rules its readers share.

import { Op } from '../ir.js';
import { PURE, vfpWord } from '../opt/deadset.js';
import { BIN } from './binops.js';

/** The ops the dead-set pass treats as pure, which the plan's kinds are decided from. */
export const PURE_OP = PURE;

/** The index of the first op from `from` on (of the block's `n` at arena op `b0`) that is not pure. */
export function skipPure(C: Int32Array, b0: number, n: number, from: number): number {
  let j = from;
  while (j < n && PURE_OP[C[(b0 + j) * 6]]) j++;
  return j;
}

/**
 * Do temps `a` and `b` compute the same pure expression of the same state words and constants
 * (two instructions' conditions)? The caller knows no word they read changed in between.
 */
export function sameCondition(C: Int32Array, b0: number, defAt: Int32Array, a: number, b: number, depth = 0): boolean {
  if (a === b) return true;
  if (a < 0 || b < 0 || depth > 4) return false;
  if (defAt[a] < 0 || defAt[b] < 0) return false;
  const x = (b0 + defAt[a]) * 6;
  const y = (b0 + defAt[b]) * 6;
  const op = C[x];
  if (op !== C[y] || !PURE_OP[op]) return false;
  if (op === Op.CONST || op === Op.GET) return C[x + 5] === C[y + 5];
  if (BIN[op] === undefined) return false;
  return sameCondition(C, b0, defAt, C[x + 2], C[y + 2], depth + 1) && sameCondition(C, b0, defAt, C[x + 3], C[y + 3], depth + 1);
}

/** Is state word `w` kept in the state block, not in a local (the VFP registers and FPSCR)? */
export const inState = vfpWord;
