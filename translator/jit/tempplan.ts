// The code generator's temp plan: where each IR temp of a block lives in wasm (a pooled local,
// a constant, an alias of a state word's local, or an expression inlined at its one reader),
// and the liveness that lets temps share locals (Liftoff zero-initializes every local on each
// call, and each one costs at every control-flow join).

import { HELPERS } from '../helpers.js';
import { Op, type IRBlock } from '../ir.js';
import { STATE_BYTES, W } from '../state.js';
import { ScratchI32, ScratchU8, opTable, type TempArena } from '../opt/scratch.js';
import { BIN } from './binops.js';

const NWORDS = STATE_BYTES / 4;

/** How a temp's value reaches its readers. */
export const enum Kind {
  /** In a wasm local from the pool, from its definition to its last read. */
  LOCAL = 0,
  /** A constant, emitted at each read. */
  CONST = 1,
  /** A GET whose word's local is unchanged until the last read: that local is read instead. */
  ALIAS = 2,
  /** A pure op read once: its expression is emitted at the read (wasm's operand stack). */
  INLINE = 3,
}

export const PURE_OP = opTable([...Object.keys(BIN).map(Number), Op.CONST, Op.GET, Op.MULHU, Op.MULHS, Op.UDIV, Op.SDIV, Op.CLZ, Op.SELECT, Op.SEXT8, Op.SEXT16, Op.BSWAP]);
/** Ops that read each operand exactly once from straight-line code, so an operand may be an inlined expression. */
const READS_ONCE = opTable([...Object.keys(BIN).map(Number).filter((o) => o !== Op.ROR), Op.MULHU, Op.MULHS, Op.CLZ, Op.SELECT, Op.SEXT8, Op.SEXT16, Op.SET, Op.IF, Op.CALL]);

/** Where each temp of the block being generated lives. Its arrays are scratch (reused by the next block). */
export interface TempPlan {
  kind: Uint8Array;
  /** Op index defining each temp. */
  defAt: Int32Array;
  /** Op index at which a LOCAL temp is read for the last time (-1: never). */
  lastUse: Int32Array;
  /**
   * The temps whose locals return to the pool at each op index, as lists: the first at
   * freeHead[op] (-1: none), each next at freeNext[temp], in increasing temp order.
   */
  freeHead: Int32Array;
  freeNext: Int32Array;
}

// Working arrays of planTemps, reused from block to block (opt/scratch.ts).
const kindS = new ScratchU8();
const defAtS = new ScratchI32();
const lastUseS = new ScratchI32();
const freeHeadS = new ScratchI32();
const freeNextS = new ScratchI32();
/** Walking a block backwards, the first op after the current one that SETs each word (-1: none); all -1 between blocks. */
const nextSet = new Int32Array(NWORDS).fill(-1);
/** The words whose nextSet entry the current block set, to reset at its end. */
const setWords = new Int32Array(NWORDS);

/** Raises the last use of each temp op `q` reads to `at`. */
function noteLastUse(C: Int32Array, q: number, block: IRBlock, at: number, lastUse: Int32Array): void {
  const op = C[q];
  if (op === Op.CALL) {
    const args = block.callArgs[C[q + 4]];
    for (let k = 0; k < args.length; k++) if (at > lastUse[args[k]]) lastUse[args[k]] = at;
    return;
  }
  const a = C[q + 2];
  const b = C[q + 3];
  if (a >= 0 && at > lastUse[a]) lastUse[a] = at;
  if (b >= 0 && op !== Op.INSN && at > lastUse[b]) lastUse[b] = at;
  if (op === Op.SELECT && at > lastUse[C[q + 4]]) lastUse[C[q + 4]] = at;
}

/**
 * Decides, last op first, where each temp of `block` (its `n` ops at arena op `b0`) lives. An
 * inlined op is evaluated where its reader is emitted (its "effective" position), so its own
 * operands stay live until then; temps in the IR are defined once and pure ops cannot fault,
 * so moving a pure op later changes nothing. A GET becomes an alias of its word's local when
 * no SET of the word, and no helper call that may change it, comes between the GET and its
 * last effective read. Each temp's readers are those the dead-set pass counted into `temps`
 * from base `tb` as it wrote the block's ops (opt/deadset.ts).
 */
export function planTemps(C: Int32Array, b0: number, n: number, block: IRBlock, temps: TempArena, tb: number): TempPlan {
  const nt = block.ntemps;
  // Every temp a kept op reads is defined by a kept op: kind is set at each definition.
  const kind = kindS.room(nt);
  const defAt = defAtS.take(nt, -1);
  // How many ops read each temp and the arena slot of the last: counted by the dead-set pass.
  const uses = temps.uses;
  const lastReader = temps.lastReader;
  const lastUse = lastUseS.take(nt, -1);
  // The temps whose last read is at each op; each list is made at its temps' definitions,
  // where (walking backwards) their last reads are all known.
  const freeHead = freeHeadS.take(n, -1);
  const freeNext = freeNextS.room(nt);
  // Walking backwards: the first op after i that SETs each word (nextSet), and the first
  // helper call after i that may change any (n: none), so that "changed between a GET and its
  // last read" is one comparison.
  let nextCall = n;
  let nset = 0;
  for (let i = n - 1; i >= 0; i--) {
    const q = (b0 + i) * 6;
    const op = C[q];
    let eff = i; // where the op is evaluated: at its reader, when inlined
    const d = C[q + 1];
    if (d >= 0) {
      defAt[d] = i;
      let kd: Kind = Kind.LOCAL;
      if (PURE_OP[op]) {
        if (op === Op.CONST) kd = Kind.CONST;
        else if (op === Op.GET) {
          const w = C[q + 5];
          const ns = nextSet[w];
          // A word kept in the state block is loaded again at each read of an alias: read more
          // than once (VMRS APSR_nzcv's four flags), it is loaded once into a local instead.
          if (uses[tb + d] > 0 && Math.min(ns < 0 ? n : ns, nextCall) >= lastUse[d] && !(inState(w) && uses[tb + d] > 1)) kd = Kind.ALIAS;
        } else if (uses[tb + d] === 1 && READS_ONCE[C[lastReader[tb + d] * 6]]) {
          kd = Kind.INLINE;
          eff = lastUse[d];
        }
      }
      kind[d] = kd;
      const lu = lastUse[d];
      if (kd === Kind.LOCAL && lu >= 0) {
        freeNext[d] = freeHead[lu];
        freeHead[lu] = d;
      }
    }
    if (op === Op.SET) {
      const w = C[q + 5];
      if (nextSet[w] < 0) setWords[nset++] = w;
      nextSet[w] = i;
    } else if (op === Op.CALL && HELPERS[C[q + 5]].touchesState) nextCall = i;
    noteLastUse(C, q, block, eff, lastUse);
  }
  for (let j = 0; j < nset; j++) nextSet[setWords[j]] = -1;
  return { kind, defAt, lastUse, freeHead, freeNext };
}

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
export function inState(w: number): boolean {
  return w >= W.VFP || w === W.FPSCR;
}
