// The dispatcher in wasm: a loop that looks the guest PC up in a direct-mapped table in linear
// memory and calls the region that holds it through a shared funcref table, so generated
// code goes from region to region without returning to JavaScript. A miss (code not
// compiled yet) or any exit other than NEXT returns to the JavaScript engine loop.
//
// Table entry (16 bytes, little-endian): pc, key ((it << 1) | T | VALID), funcref slot, block.

import { W } from '../state.js';
import { FuncBody, I32, I64, ModuleBuilder, O } from '../wasm/builder.js';
import { Exit } from '../ir.js';
import type { RegionFn } from './module.js';

export const DISPATCH_ENTRIES = 1 << 16;
export const DISPATCH_BYTES = DISPATCH_ENTRIES * 16;
const VALID = 0x80000000;
/** run() found no compiled block for the current PC (not a guest exit reason). */
export const MISS = 255;

export function dispatchKey(thumb: boolean, it: number): number {
  return (VALID | ((it & 0xff) << 1) | (thumb ? 1 : 0)) >>> 0;
}

export function dispatchSlot(pc: number): number {
  return ((pc >>> 1) ^ (pc >>> 13)) & (DISPATCH_ENTRIES - 1);
}

/**
 * Builds the dispatcher module: `run(limit_lo, limit_hi) -> reason` runs compiled code until
 * the instruction count reaches the 64-bit limit, a miss, or an exit.
 */
export function buildDispatcher(stateBase: number, tableBase: number, pages: number, tableMin: number, tableMax: number): Uint8Array<ArrayBuffer> {
  const m = new ModuleBuilder();
  m.importMemory('e', 'm', pages, pages);
  m.importTable('e', 't', tableMin, tableMax);
  const regionType = m.type([I32], [I32]);
  const f = new FuncBody(2);
  const [limLo, limHi] = [0, 1];
  const pc = f.local();
  const ent = f.local();
  const r = f.local();
  const left = f.local(I64);
  const st = (w: number) => stateBase + 4 * w;
  const MAX = 1 << 20;

  f.open(O.loop);
  // pc, and the entry for it
  f.i32(0).mem(O.i32_load, 2, st(W.PC)).set(pc);
  f.get(pc).i32(1).op(O.i32_shr_u).get(pc).i32(13).op(O.i32_shr_u).op(O.i32_xor);
  f.i32(DISPATCH_ENTRIES - 1).op(O.i32_and).i32(4).op(O.i32_shl).set(ent);
  // miss unless entry.pc == pc && entry.key == VALID | it << 1 | T
  f.get(ent).mem(O.i32_load, 2, tableBase).get(pc).op(O.i32_ne);
  f.get(ent).mem(O.i32_load, 2, tableBase + 4);
  f.i32(0).mem(O.i32_load, 2, st(W.T)).set(r); // r: T for now
  f.i32(0).mem(O.i32_load, 2, st(W.ITSTATE)).i32(0xff).op(O.i32_and).i32(1).op(O.i32_shl);
  f.i32(0).get(r).op(O.select); // IT counts only in Thumb
  f.get(r).op(O.i32_or).i32(VALID).op(O.i32_or).op(O.i32_ne).op(O.i32_or);
  f.open(O.if).i32(MISS).op(O.return).end();
  // BUDGET = min(MAX, limit - icount)
  f.get(limHi).op(O.i64_extend_i32_u).i64(32);
  f.op(0x86 /* i64.shl */).get(limLo).op(O.i64_extend_i32_u).op(0x84 /* i64.or */);
  f.i32(0).mem(O.i64_load, 3, st(W.ICOUNT_LO)).op(0x7d /* i64.sub */).tee(left);
  f.i64(0);
  f.op(0x57 /* i64.le_s */).open(O.if).i32(Exit.NEXT).op(O.return).end();
  f.i32(0);
  f.get(left).i64(MAX).op(0x53 /* i64.lt_s */);
  f.open(O.if, I32).get(left).op(O.i32_wrap_i64).op(O.else).i32(MAX).end();
  f.mem(O.i32_store, 2, st(W.BUDGET));
  // r = table[entry.slot](entry.block)
  f.get(ent).mem(O.i32_load, 2, tableBase + 12);
  f.get(ent).mem(O.i32_load, 2, tableBase + 8);
  f.op(0x11 /* call_indirect */).code.uleb(regionType).uleb(0);
  f.tee(r).i32(Exit.NEXT).op(O.i32_ne).open(O.if).get(r).op(O.return).end();
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

  constructor(memory: WebAssembly.Memory, pages: number, stateBase: number, readonly tableBase: number) {
    // The table starts small and grows as regions arrive (allocating it whole costs start-up).
    this.table = new WebAssembly.Table({ element: 'anyfunc', initial: Dispatcher.TABLE_MIN, maximum: Dispatcher.TABLE_SIZE });
    const bytes = buildDispatcher(stateBase, tableBase, pages, Dispatcher.TABLE_MIN, Dispatcher.TABLE_SIZE);
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

  /** Makes block `block` of the region in `slot` the entry for (pc, thumb, it). */
  install(pc: number, thumb: boolean, it: number, slot: number, block: number): void {
    const e = dispatchSlot(pc) * 4;
    this.u32[e] = pc;
    this.u32[e + 1] = dispatchKey(thumb, it);
    this.u32[e + 2] = slot;
    this.u32[e + 3] = block;
  }

  /** Forgets the entry for (pc, thumb, it) if it is the one installed. */
  remove(pc: number, thumb: boolean, it: number): void {
    const e = dispatchSlot(pc) * 4;
    if (this.u32[e] === pc && this.u32[e + 1] === dispatchKey(thumb, it)) this.u32[e + 1] = 0;
  }

  clear(): void {
    this.u32.fill(0);
  }
}
