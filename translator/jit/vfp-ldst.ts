// Tier 1's D-register transfers: the two word accesses that VLDR, VSTR, VLDM, VSTM, VPUSH and
// VPOP of a double register lift to (sem/vfp_ldst.ts) done as one 64-bit access when both words
// lie in one page, with the two word accesses of the IR as the slow path.
//
// The lifter emits, for a double register d at address a (words w = wD(d), w + 1):
//   load:  a4 = ADD a, #4; lo = LOAD a; hi = LOAD a4; SET w lo; SET w+1 hi
//   store: v1 = GET w; STORE a v1; v2 = GET w+1; STORE a4 v2
// Both words are word aligned (Mem.ALIGN), so the pair stays in one page unless a is the last
// word of a page. The fast path asks the MemStrategy about the first word (its answer is per
// page) and moves 8 bytes between guest memory and the register file in the state block
// (little-endian, the low word at the lower address, as the state block holds D registers).
// The slow path is the IR's own order: the first word, then the second, a fault throwing out
// of either; a load writes the register only after both words were read.

import { Op, type IRBlock } from '../ir.js';
import { W } from '../state.js';
import { O, OF, type FuncBody } from '../wasm/builder.js';
import type { MemStrategy } from './memstrategy.js';

/** The flags of a VFP word transfer: 4 bytes, alignment-checked (Mem.USER may be added). */
const WORD_ALIGNED = 4 | 16;
const USER = 64;

/** What the code generator lends the D-pair emitter. */
export interface DPairCtx {
  f: FuncBody;
  mem: MemStrategy;
  /** The block being generated (the strategy's TLB choice in system mode). */
  block: IRBlock;
  /** Memarg offset (from address 0) of state word `w`. */
  wordAddr(w: number): number;
  /** The f64 local the region keeps the D register holding state word `w` in, or -1 (in the state block). */
  dLocalOf(w: number): number;
  /** Two i32 scratch locals. */
  t0: number;
  t1: number;
  /** The slow-path load of the address on the stack; leaves the value (a fault throws out of the access). */
  slowLoadCall(flags: number): void;
  /** The slow-path store of the address and value on the stack (a fault throws out of the access). */
  slowStoreCall(flags: number): void;
  /** After a code path's slow-path loads: what a device read may have changed (genaccess.ts). */
  afterSlowLoads(): void;
  /**
   * The fast-path test of the `bytes` at guest address `addr` (a local): true when a failure
   * leaves the region (slow-path exits, jit/slowexit.ts) and the access follows unguarded,
   * false when the condition is left on the stack for an `if`.
   */
  spanCheck(addr: number, flags: number, write: boolean, bytes: number): boolean;
}

/**
 * ANDs into the fast-path test on the stack that the `bytes` from the word-aligned guest
 * address in local `addr` lie in its page: (addr & 0xfff) <= 4096 - bytes. (A pass of the
 * strategy's test holds for the whole page: MemStrategy.)
 */
export function emitInPage(f: FuncBody, addr: number, bytes: number): void {
  f.get(addr).i32(0xfff).op(O.i32_and).i32(4096 - bytes).op(O.i32_le_u).op(O.i32_and);
}

/** Is `x` defined as ADD y, #4 (y: the temp `base`)? Ops are packed (arena words of op i at (b0 + i) * 6). */
function plus4(C: Int32Array, b0: number, defAt: Int32Array, x: number, base: number): boolean {
  const d = defAt[x];
  if (d < 0) return false;
  const q = (b0 + d) * 6;
  if (C[q] !== Op.ADD || C[q + 2] !== base) return false;
  const c = defAt[C[q + 3]];
  return c >= 0 && C[(b0 + c) * 6] === Op.CONST && C[(b0 + c) * 6 + 5] === 4;
}

/** Is state word `w` the low word of a double register? */
function dWord(w: number): boolean {
  return w >= W.VFP && w < W.VFP + 64 && ((w - W.VFP) & 1) === 0;
}

/**
 * If op i (a LOAD) of the block's `n` ops at arena op `b0` begins a D-register load, returns
 * the register's low state word (the pattern spans ops i..i+3), else -1.
 */
export function matchDLoad(C: Int32Array, b0: number, n: number, i: number, defAt: Int32Array, lastUse: Int32Array): number {
  if (i + 3 >= n) return -1;
  const lo = (b0 + i) * 6;
  const hi = lo + 6;
  const s1 = lo + 12;
  const s2 = lo + 18;
  const flags = C[lo + 5];
  if ((flags & ~USER) !== WORD_ALIGNED || C[hi] !== Op.LOAD || C[hi + 5] !== flags) return -1;
  const loD = C[lo + 1];
  const hiD = C[hi + 1];
  if (C[s1] !== Op.SET || C[s2] !== Op.SET || C[s1 + 2] !== loD || C[s2 + 2] !== hiD || C[s2 + 5] !== C[s1 + 5] + 1 || !dWord(C[s1 + 5])) return -1;
  if (loD < 0 || hiD < 0 || lastUse[loD] !== i + 2 || lastUse[hiD] !== i + 3) return -1;
  return plus4(C, b0, defAt, C[hi + 2], C[lo + 2]) ? C[s1 + 5] : -1;
}

/**
 * If op i (a STORE) begins a D-register store whose first value is read from the state word
 * by the op just before it, returns the register's low state word (the pattern spans ops
 * i..i+2), else -1.
 */
export function matchDStore(C: Int32Array, b0: number, n: number, i: number, defAt: Int32Array): number {
  if (i < 1 || i + 2 >= n) return -1;
  const lo = (b0 + i) * 6;
  const g1 = lo - 6;
  const g2 = lo + 6;
  const hi = lo + 12;
  const flags = C[lo + 5];
  if ((flags & ~USER) !== WORD_ALIGNED || C[hi] !== Op.STORE || C[hi + 5] !== flags) return -1;
  if (C[g1] !== Op.GET || C[g1 + 1] !== C[lo + 3] || !dWord(C[g1 + 5]) || defAt[C[lo + 3]] !== i - 1) return -1;
  if (C[g2] !== Op.GET || C[g2 + 1] !== C[hi + 3] || C[g2 + 5] !== C[g1 + 5] + 1) return -1;
  return plus4(C, b0, defAt, C[hi + 2], C[lo + 2]) ? C[g1 + 5] : -1;
}

/** D register (low word `w`) = the 8 bytes at guest address `addr` (a local). */
export function emitDLoad(c: DPairCtx, addr: number, flags: number, w: number): void {
  const f = c.f;
  const l = c.dLocalOf(w);
  const exits = c.spanCheck(addr, flags, false, 8);
  if (!exits) f.open(O.if);
  f.i32(0);
  c.mem.emitHost(f, addr, c.block, flags);
  // into the register's local too, when it has one (loads and local moves keep a NaN's bits)
  if (l >= 0) f.mem(OF.f64_load, 0, 0).tee(l).mem(OF.f64_store, 3, c.wordAddr(w));
  else f.mem(O.i64_load, 0, 0).mem(O.i64_store, 3, c.wordAddr(w));
  if (exits) return;
  f.op(O.else);
  f.get(addr);
  c.slowLoadCall(flags);
  f.set(c.t0);
  f.get(addr).i32(4).op(O.i32_add);
  c.slowLoadCall(flags);
  f.set(c.t1);
  c.afterSlowLoads();
  f.i32(0).get(c.t0).mem(O.i32_store, 2, c.wordAddr(w));
  f.i32(0).get(c.t1).mem(O.i32_store, 2, c.wordAddr(w + 1));
  if (l >= 0) f.i32(0).mem(OF.f64_load, 3, c.wordAddr(w)).set(l);
  f.end();
}

/** The 8 bytes at guest address `addr` (a local) = D register (low word `w`). */
export function emitDStore(c: DPairCtx, addr: number, flags: number, w: number): void {
  const f = c.f;
  const l = c.dLocalOf(w);
  const exits = c.spanCheck(addr, flags, true, 8);
  if (!exits) f.open(O.if);
  c.mem.emitHost(f, addr, c.block, flags);
  if (l >= 0) f.get(l).mem(OF.f64_store, 0, 0);
  else f.i32(0).mem(O.i64_load, 3, c.wordAddr(w)).mem(O.i64_store, 0, 0);
  if (exits) return;
  f.op(O.else);
  // (the state block holds a register kept in a local too: written through)
  f.get(addr).i32(0).mem(O.i32_load, 2, c.wordAddr(w));
  c.slowStoreCall(flags);
  f.get(addr).i32(4).op(O.i32_add).i32(0).mem(O.i32_load, 2, c.wordAddr(w + 1));
  c.slowStoreCall(flags);
  f.end();
}
