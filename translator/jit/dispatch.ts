// The dispatcher in wasm: a loop that looks the guest PC up in a direct-mapped table in linear
// memory and calls the region that holds it through a shared funcref table, so generated
// code goes from region to region without returning to JavaScript. A miss (code not
// compiled yet) or any exit other than NEXT returns to the JavaScript engine loop.
//
// Table entry (16 bytes, little-endian): pc, key ((it << 1) | T | VALID), funcref slot, block.
// In system mode the key also holds the state word DISPATCH_CTX (bits 9-29: the lift
// environment and a generation of the mappings, see runtime/cpu/cpu.ts); an entry with
// ANY_VFP (bit 30) set holds a block lifted the same under every VFP state of its PL, and
// matches whatever the environment's cp10 and FPEXC.EN bits (9, 10) are. The loop returns
// NEXT as soon as the state word EXIT_REQ is set, and an Exit.SYNC (the mode, masks or VFP
// enable may have changed) continues in the loop unless an interrupt can now be taken: the lift
// environment bits of the key are recomputed from PSR, CP10 and FPEXC, so the next lookup finds
// blocks lifted for the new environment.
//
// The budget is a countdown: every region subtracts the instructions it ran from the state
// word BUDGET as it returns (emitBudgetUse), and the loop recomputes BUDGET from the 64-bit
// instruction limit (i64 arithmetic) only when it has run out. The runtime's exit requests
// zero BUDGET along with setting EXIT_REQ, so the loop reads EXIT_REQ only then too.

import { W } from '../state.js';
import { FuncBody, I32, I64, isShared, ModuleBuilder, O } from '../wasm/builder.js';
import { Exit } from '../ir.js';
import type { RegionFn } from './module.js';

export const DISPATCH_ENTRIES = 1 << 16;
export const DISPATCH_BYTES = DISPATCH_ENTRIES * 16;
const VALID = 0x80000000;
/** System mode: the entry matches under every cp10 access and FPEXC.EN (bits 9, 10 of the key). */
export const ANY_VFP = 0x40000000;
/** run() found no compiled block for the current PC (not a guest exit reason). */
export const MISS = 255;

export function dispatchKey(thumb: boolean, it: number): number {
  return (VALID | ((it & 0xff) << 1) | (thumb ? 1 : 0)) >>> 0;
}

export function dispatchSlot(pc: number): number {
  return ((pc >>> 1) ^ (pc >>> 13)) & (DISPATCH_ENTRIES - 1);
}

/**
 * Sets local `entL` to the byte offset of `pc`'s entry (local `pcL`) in the table at `tableBase`
 * (dispatchSlot) and pushes non-zero unless that entry is for `pc` in the current mode: its key
 * is VALID | (T ? ITSTATE << 1 : 0) | T (`tL` a local holding T, `pushIT` pushing ITSTATE), ORed
 * in system mode with the state word DISPATCH_CTX at `ctxAddr` (-1: none), whose cp10 and
 * FPEXC.EN bits (9, 10) an entry with ANY_VFP leaves out; `keyL`, a local for the entry's key.
 * The dispatcher's test, and a region's indirect-branch lookup's (lookup.ts): the context bits
 * keep entries of an older mapping generation from matching.
 */
export function emitEntryMismatch(f: FuncBody, tableBase: number, pcL: number, entL: number, tL: number, pushIT: () => void, ctxAddr: number, keyL: number): void {
  f.get(pcL).i32(1).op(O.i32_shr_u).get(pcL).i32(13).op(O.i32_shr_u).op(O.i32_xor);
  f.i32(DISPATCH_ENTRIES - 1).op(O.i32_and).i32(4).op(O.i32_shl).set(entL);
  f.get(entL).mem(O.i32_load, 2, tableBase).get(pcL).op(O.i32_ne);
  f.get(entL).mem(O.i32_load, 2, tableBase + 4);
  if (ctxAddr >= 0) f.tee(keyL);
  pushIT();
  f.i32(0xff).op(O.i32_and).i32(1).op(O.i32_shl);
  f.i32(0).get(tL).op(O.select); // IT counts only in Thumb
  f.get(tL).op(O.i32_or).i32(VALID).op(O.i32_or);
  if (ctxAddr >= 0) {
    f.i32(0).mem(O.i32_load, 2, ctxAddr).op(O.i32_or).op(O.i32_xor);
    // & ~(ANY_VFP | 3 << 9) when the entry's ANY_VFP bit is set: (key << 1) >> 31 is all ones then
    f.get(keyL).i32(1).op(O.i32_shl).i32(31).op(O.i32_shr_s).i32(ANY_VFP | (3 << 9)).op(O.i32_and).i32(-1).op(O.i32_xor);
    f.op(O.i32_and);
  } else {
    f.op(O.i32_ne);
  }
  f.op(O.i32_or);
}

/** Ends a region call's accounting: BUDGET -= `ran` (a local: the instructions this call retired). */
export function emitBudgetUse(f: FuncBody, stateBase: number, ran: number): void {
  const budget = stateBase + 4 * W.BUDGET;
  f.i32(0).i32(0).mem(O.i32_load, 2, budget).get(ran).op(O.i32_sub).mem(O.i32_store, 2, budget);
}

/**
 * Builds the dispatcher module: `run(limit_lo, limit_hi) -> reason` runs compiled code until
 * the instruction count reaches the 64-bit limit, a miss, or an exit.
 */
export function buildDispatcher(stateBase: number, tableBase: number, pages: number, tableMin: number, tableMax: number, sys = false, shared = false): Uint8Array<ArrayBuffer> {
  const m = new ModuleBuilder();
  m.importMemory('e', 'm', pages, pages, shared);
  m.importTable('e', 't', tableMin, tableMax);
  const regionType = m.type([I32, I32], [I32]);
  const f = new FuncBody(2);
  const [limLo, limHi] = [0, 1];
  const pc = f.local();
  const ent = f.local();
  const r = f.local();
  const budget = f.local();
  const left = f.local(I64);
  const key = f.local(); // the entry's key (system mode)
  const slot = f.local(); // the funcref slot called
  const st = (w: number) => stateBase + 4 * w;
  const MAX = 1 << 20;

  // BUDGET is stale on entry: 0 makes the first step compute it.
  f.i32(0).i32(0).mem(O.i32_store, 2, st(W.BUDGET));
  f.open(O.loop);
  // EXIT_REQ comes with BUDGET = 0 (and regions only count it down from there)
  f.i32(0).mem(O.i32_load, 2, st(W.BUDGET)).set(budget);
  if (sys) {
    f.get(budget).i32(0).op(O.i32_le_s).open(O.if);
    f.i32(0).mem(O.i32_load, 2, st(W.EXIT_REQ)).open(O.if).i32(Exit.NEXT).op(O.return).end();
    f.end();
  }
  // pc, and a miss unless its entry is for it (r: T for now)
  f.i32(0).mem(O.i32_load, 2, st(W.PC)).set(pc);
  f.i32(0).mem(O.i32_load, 2, st(W.T)).set(r);
  emitEntryMismatch(f, tableBase, pc, ent, r, () => f.i32(0).mem(O.i32_load, 2, st(W.ITSTATE)), sys ? st(W.DISPATCH_CTX) : -1, key);
  f.open(O.if).i32(MISS).op(O.return).end();
  // Budget run out: BUDGET = min(MAX, limit - icount), or leave.
  f.get(budget).i32(0).op(O.i32_le_s).open(O.if);
  f.get(limHi).op(O.i64_extend_i32_u).i64(32);
  f.op(0x86 /* i64.shl */).get(limLo).op(O.i64_extend_i32_u).op(0x84 /* i64.or */);
  f.i32(0).mem(O.i64_load, 3, st(W.ICOUNT_LO)).op(0x7d /* i64.sub */).tee(left);
  f.i64(0);
  f.op(0x57 /* i64.le_s */).open(O.if).i32(Exit.NEXT).op(O.return).end();
  f.i32(0);
  f.get(left).i64(MAX).op(0x53 /* i64.lt_s */);
  f.open(O.if, I32).get(left).op(O.i32_wrap_i64).op(O.else).i32(MAX).end();
  f.mem(O.i32_store, 2, st(W.BUDGET));
  f.end();
  // r = table[entry.slot](entry.block, entry.slot + 1)
  f.get(ent).mem(O.i32_load, 2, tableBase + 12);
  f.get(ent).mem(O.i32_load, 2, tableBase + 8).tee(slot).i32(1).op(O.i32_add);
  f.get(slot);
  f.callIndirect(regionType);
  f.tee(r).i32(Exit.NEXT).op(O.i32_ne).open(O.if);
  if (sys) {
    f.get(r).i32(Exit.SYNC).op(O.i32_ne).open(O.if).get(r).op(O.return).end();
    // an interrupt line up and unmasked: back to the CPU loop, which takes it
    f.i32(0).mem(O.i32_load, 2, st(W.IRQ_LINES)).i32(0).mem(O.i32_load, 2, st(W.PSR)).i32(-1).op(O.i32_xor).op(O.i32_and);
    f.i32(0xc0).op(O.i32_and).open(O.if).get(r).op(O.return).end();
    // pc := PL1 ? 1 : 0; env = PL1 << 2 | cp10(PL) << 1 | FPEXC.EN
    f.i32(0).mem(O.i32_load, 2, st(W.PSR)).i32(0x1f).op(O.i32_and).i32(0x10).op(O.i32_ne).set(pc);
    f.i32(0);
    f.i32(0).mem(O.i32_load, 2, st(W.DISPATCH_CTX)).i32(~(7 << 9)).op(O.i32_and);
    f.get(pc).i32(2).op(O.i32_shl);
    f.i32(0).mem(O.i32_load, 2, st(W.CP10)).get(pc).op(O.i32_shr_u).i32(1).op(O.i32_and).i32(1).op(O.i32_shl).op(O.i32_or);
    f.i32(0).mem(O.i32_load, 2, st(W.FPEXC)).i32(30).op(O.i32_shr_u).i32(1).op(O.i32_and).op(O.i32_or);
    f.i32(9).op(O.i32_shl).op(O.i32_or);
    f.mem(O.i32_store, 2, st(W.DISPATCH_CTX));
  } else {
    // which region returned (a slow-path exit's site is the region's module's: jit/slowexit.ts)
    f.i32(0).get(slot).mem(O.i32_store, 2, st(W.EXIT_SLOT));
    f.get(r).op(O.return);
  }
  f.end();
  f.br(0);
  f.end();
  f.op(O.unreachable);
  m.export('run', m.addFunction([I32, I32], [I32], f));
  return m.finish();
}

/** The dispatcher's JavaScript side: the funcref table and the entries in linear memory. */
export class Dispatcher {
  readonly table: WebAssembly.Table;
  readonly run: (limLo: number, limHi: number) => number;
  private readonly u32: Uint32Array;
  private free: number[] = [];
  private next = 0;
  static readonly TABLE_SIZE = 1 << 16;
  static readonly TABLE_MIN = 256;

  constructor(memory: WebAssembly.Memory, pages: number, stateBase: number, readonly tableBase: number, sys = false) {
    // The table starts small and grows as regions arrive (allocating it whole costs start-up).
    this.table = new WebAssembly.Table({ element: 'anyfunc', initial: Dispatcher.TABLE_MIN, maximum: Dispatcher.TABLE_SIZE });
    const bytes = buildDispatcher(stateBase, tableBase, pages, Dispatcher.TABLE_MIN, Dispatcher.TABLE_SIZE, sys, isShared(memory));
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { e: { m: memory, t: this.table } });
    this.run = inst.exports.run as (a: number, b: number) => number;
    this.u32 = new Uint32Array(memory.buffer, tableBase, DISPATCH_ENTRIES * 4);
  }

  /** A funcref slot for a region function, or -1 when the table is full. */
  addRegion(fn: RegionFn): number {
    const slot = this.free.pop() ?? (this.next < Dispatcher.TABLE_SIZE ? this.next++ : -1);
    if (slot < 0) return slot;
    if (slot >= this.table.length) this.table.grow(Math.min(this.table.length, Dispatcher.TABLE_SIZE - this.table.length));
    this.table.set(slot, fn);
    return slot;
  }

  /** The region function in `slot` (state word EXIT_SLOT: the one that returned a slow-path exit), or null. */
  regionIn(slot: number): RegionFn | null {
    return slot >= 0 && slot < this.table.length ? (this.table.get(slot) as RegionFn | null) : null;
  }

  /**
   * Gives a region's slot back (its function may then be collected). The caller guarantees
   * that no table entry that can still match refers to it.
   */
  release(slot: number): void {
    this.table.set(slot, null);
    this.free.push(slot);
  }

  /** Makes block `block` of the region in `slot` the entry for (pc, thumb, it). */
  install(pc: number, thumb: boolean, it: number, slot: number, block: number): void {
    this.installKey(pc, dispatchKey(thumb, it), slot, block);
  }

  /** install() with the whole key (system mode: dispatchKey | DISPATCH_CTX). */
  installKey(pc: number, key: number, slot: number, block: number): void {
    const e = dispatchSlot(pc) * 4;
    this.u32[e] = pc;
    this.u32[e + 1] = key;
    this.u32[e + 2] = slot;
    this.u32[e + 3] = block;
  }

  /** Forgets the entry for (pc, key) if it is the one installed. */
  removeKey(pc: number, key: number): void {
    const e = dispatchSlot(pc) * 4;
    if (this.u32[e] === pc && this.u32[e + 1] === key) this.u32[e + 1] = 0;
  }

  /** Forgets the entry for (pc, thumb, it) if it is the one installed. */
  remove(pc: number, thumb: boolean, it: number): void {
    this.removeKey(pc, dispatchKey(thumb, it));
  }

  clear(): void {
    this.u32.fill(0);
  }
}
