// The system-mode memory strategy of generated code: a direct-mapped software TLB in linear
// memory, one table per "MMU index" (0: PL1 accesses, 1: PL0 accesses, which LDRT/STRT use at
// PL1 too), filled and flushed by the runtime's JavaScript memory port (runtime/cpu/sysmem.ts).
// The strategy knows nothing of devices, page tables or code pages: an entry either lets the
// access through to host memory or it does not, and everything else (miss, MMIO, a store to a
// page holding translated code, a permission or stage 2 fault, unaligned accesses) takes the
// one slow path.
//
// Entry (TLB_ENTRY_BYTES, little-endian words): read tag, write tag, addend, unused. A tag is the
// virtual page address (low 12 bits zero) when that access may go straight to host memory,
// else -1 (never equal to a masked address); host address = virtual address + addend (mod 2^32).

import { Mem, type IRBlock } from '../ir.js';
import { O, type FuncBody } from '../wasm/builder.js';
import type { MemStrategy } from './memstrategy.js';

/**
 * 4096 entries per MMU index: with 1024, generated code took the slow path 436,000 times in
 * the Debian boot, with 4096 183,000 (its code and data outgrow 1024 pages).
 */
export const TLB_BITS = 12;
export const TLB_ENTRIES = 1 << TLB_BITS;
export const TLB_ENTRY_BYTES = 16;
/** MMU indices: tables at tlbBase + index * TLB_TABLE_BYTES. */
export const MMU_PL1 = 0;
export const MMU_PL0 = 1;
export const MMU_INDICES = 2;
export const TLB_TABLE_BYTES = TLB_ENTRIES * TLB_ENTRY_BYTES;
export const TLB_BYTES = MMU_INDICES * TLB_TABLE_BYTES;
/** Word offsets inside an entry. */
export const TLB_READ = 0;
export const TLB_WRITE = 1;
export const TLB_ADDEND = 2;

/** The table slot of a virtual address. */
export function tlbSlot(va: number): number {
  return (va >>> 12) & (TLB_ENTRIES - 1);
}

export class SoftmmuStrategy implements MemStrategy {
  /** A device read may raise an interrupt line, which zeroes BUDGET. */
  readonly loadsMayStop = true;
  readonly slowExits = false;
  /** Each function's local for the entry offset (one per function, allocated on first use). */
  private readonly slotLocal = new WeakMap<FuncBody, number>();
  constructor(readonly tlbBase: number) {}

  /** The table of the access's MMU index. */
  private table(flags: number, block: IRBlock): number {
    if (block.pl === undefined) throw new Error('softmmu: a block lifted without a privilege level');
    const index = flags & Mem.USER || block.pl === 0 ? MMU_PL0 : MMU_PL1;
    return this.tlbBase + index * TLB_TABLE_BYTES;
  }

  /** The entry offset's local of function `f`, allocated on first use. */
  private slot(f: FuncBody): number {
    let slot = this.slotLocal.get(f);
    if (slot === undefined) this.slotLocal.set(f, (slot = f.local()));
    return slot;
  }

  emitFastCheck(f: FuncBody, addr: number, flags: number, write: boolean, block: IRBlock, known?: number): void {
    const table = this.table(flags, block);
    const size = flags & Mem.SIZE_MASK;
    // Unaligned accesses go slow (SCTLR.A, page crossing): the alignment bits join the tag compare.
    const amask = flags & Mem.ALIGN8 ? 7 : size - 1;
    const tag = table + 4 * (write ? TLB_WRITE : TLB_READ);
    if (known !== undefined) {
      // A constant address: the entry's address and the masked address are constants too.
      f.i32(known & (~0xfff | amask)).i32(0).mem(O.i32_load, 2, tag + tlbSlot(known) * TLB_ENTRY_BYTES).op(O.i32_eq);
      return;
    }
    // (addr & (~0xfff | amask)) == tag, the entry's offset kept in `slot` for emitHost:
    // (addr >>> 12 & (TLB_ENTRIES - 1)) * TLB_ENTRY_BYTES, in two ops. The comparison comes
    // last, so V8's baseline compiler fuses it with the access's `if`.
    f.get(addr).i32(~0xfff | amask).op(O.i32_and);
    f.get(addr).i32(12 - 4).op(O.i32_shr_u).i32((TLB_ENTRIES - 1) * TLB_ENTRY_BYTES).op(O.i32_and).tee(this.slot(f));
    f.mem(O.i32_load, 2, tag).op(O.i32_eq);
  }

  /** host = addr + the entry's addend (read once the tag matched). */
  emitHost(f: FuncBody, addr: number, block: IRBlock, flags: number, known?: number): void {
    const addend = this.table(flags, block) + 4 * TLB_ADDEND;
    f.get(addr);
    if (known !== undefined) f.i32(0).mem(O.i32_load, 2, addend + tlbSlot(known) * TLB_ENTRY_BYTES);
    else f.get(this.slot(f)).mem(O.i32_load, 2, addend);
    f.op(O.i32_add);
  }
}
