// The user-mode memory strategy of generated code: the guest address is the host offset in the
// shared memory, and tables kept by runtime/memory/flat.ts decide whether an access may go
// straight to memory: a permission byte per page, and for the common single access a chunk
// table (below) that answers in one load.

import { Mem } from '../ir.js';
import { O, type FuncBody } from '../wasm/builder.js';
import type { MemStrategy } from './memstrategy.js';

/**
 * Bits of the flat permission table's byte for a page (runtime/memory/flat.ts keeps them):
 * a load, or a store, to the page must take the slow path.
 */
export const NO_FAST_R = 16;
export const NO_FAST_W = 32;

/**
 * The chunk tables, one for loads and one for stores: a byte per 2^FAST_CHUNK_SHIFT bytes of
 * guest address space, 0xff where the chunk's page may be reached directly (the table's own
 * NO_FAST bit clear), 0 elsewhere, and a 0 byte after the table's end. A 16-bit load at
 * table + (addr >>> FAST_CHUNK_SHIFT) reads the bytes of addr's chunk and the next one, so
 * it is -1 (signed) exactly when every byte from addr up to the next chunk's end is in pages
 * that allow the access: one load tests an access of up to FAST_SPAN bytes, page crossing
 * included. The price: an access in the last chunk of a page whose next page refuses it takes
 * the slow path, though it does not cross.
 */
export const FAST_CHUNK_SHIFT = 7;
export const FAST_SPAN = 1 << FAST_CHUNK_SHIFT;
/** Bytes of one chunk table (without its trailing 0 byte). */
export const FAST_TABLE_BYTES = 2 ** (32 - FAST_CHUNK_SHIFT);

/** Linux user mode: guest address = host offset; a permission byte per page decides. */
export class FlatStrategy implements MemStrategy {
  readonly loadsMayStop = false;
  /** Code pages whose single accesses get the exact test (exact(): their slow exits kept coming). */
  private readonly exactPages = new Set<number>();
  constructor(
    readonly permBase: number,
    /** Slow paths as region exits (jit/slowexit.ts); false: calls into the memory port, as system mode's. */
    readonly slowExits = true,
    /** The load chunk table's address (the store table's follows at fastBase + fastStride); -1: none. */
    readonly fastBase = -1,
    readonly fastStride = 0,
  ) {}
  /** The host address is the guest address itself. */
  emitHost(f: FuncBody, addr: number): void {
    f.get(addr);
  }
  emitFastCheck(f: FuncBody, addr: number, flags: number, write: boolean): void {
    this.emitCheck(f, addr, flags, write, false);
  }
  emitSlowCheck(f: FuncBody, addr: number, flags: number, write: boolean, span: number, pc: number): void {
    if (this.fastBase < 0 || span > FAST_SPAN || this.exactPages.has(pc >>> 12)) return this.emitCheck(f, addr, flags, write, true, span);
    const amask = flags & Mem.ALIGN8 ? 7 : flags & Mem.ALIGN ? (flags & Mem.SIZE_MASK) - 1 : 0;
    this.emitRangeCheck(f, addr, addr, !write, write, amask);
  }
  rangeSpan(pc: number): number {
    return this.fastBase < 0 || this.exactPages.has(pc >>> 12) ? 0 : FAST_SPAN;
  }
  /**
   * The chunk test on `start` in the load table, the store table or both (their AND): each a
   * signed 16-bit load, -1 when the access may go direct; with `at`'s alignment,
   * (chunks + 1) | (at & amask), non-zero when slow.
   */
  emitRangeCheck(f: FuncBody, start: number, at: number, reads: boolean, writes: boolean, amask: number): void {
    if (reads) f.get(start).i32(FAST_CHUNK_SHIFT).op(O.i32_shr_u).mem(O.i32_load16_s, 0, this.fastBase);
    if (writes) f.get(start).i32(FAST_CHUNK_SHIFT).op(O.i32_shr_u).mem(O.i32_load16_s, 0, this.fastBase + this.fastStride);
    if (reads && writes) f.op(O.i32_and);
    if (amask) f.i32(1).op(O.i32_add).get(at).i32(amask).op(O.i32_and).op(O.i32_or);
    else f.i32(-1).op(O.i32_ne);
  }
  exact(page: number): boolean {
    if (this.fastBase < 0 || this.exactPages.has(page)) return false;
    this.exactPages.add(page);
    return true;
  }
  /** ((perm & bits) | (addr & amask)) << 12 | (addr & 0xfff)) <= 4096 - span: one comparison. */
  emitGroupCheck(f: FuncBody, addr: number, reads: boolean, writes: boolean, amask: number, span: number): void {
    this.emitBad(f, addr, (reads ? NO_FAST_R : 0) | (writes ? NO_FAST_W : 0));
    f.get(addr).i32(amask).op(O.i32_and).op(O.i32_or);
    emitInPageTest(f, addr, span, false);
  }
  /** Pushes perm[addr >>> 12] & bits: zero when the page allows the access. */
  private emitBad(f: FuncBody, addr: number, bits: number): void {
    f.get(addr).i32(12).op(O.i32_shr_u).mem(O.i32_load8_u, 0, this.permBase);
    f.i32(bits).op(O.i32_and);
  }
  /**
   * The fast-path test (`slow`: its negation, non-zero when the access must go slow). Each
   * ends in one comparison, but for the aligned and byte accesses' slow tests, whose value the
   * `if` takes as it is. `span` (aligned accesses only): the bytes from addr that must lie in
   * its page, when more than the access's own (a word run, a D register pair).
   */
  private emitCheck(f: FuncBody, addr: number, flags: number, write: boolean, slow: boolean, span = 0): void {
    const size = flags & Mem.SIZE_MASK;
    // bad = perm[addr >>> 12] & NO_FAST_R (or NO_FAST_W: runtime/memory/flat.ts keeps those
    // bits): zero when the page allows the access (writes: W set and CODE clear, so code pages
    // go slow). The test ends in one comparison, which V8's baseline compiler fuses with the
    // `if` that follows (cmp + jcc).
    this.emitBad(f, addr, write ? NO_FAST_W : NO_FAST_R);
    if (flags & (Mem.ALIGN | Mem.ALIGN8)) {
      // (bad | (addr & mask)) == 0
      const mask = flags & Mem.ALIGN8 ? 7 : size - 1;
      f.get(addr).i32(mask).op(O.i32_and).op(O.i32_or);
      if (span > mask + 1) {
        // ((bad | (addr & mask)) << 12 | (addr & 0xfff)) <= 4096 - span: one comparison for
        // both tests (an `and` of two, as before, left V8 two booleans to make and combine)
        emitInPageTest(f, addr, span, slow);
      } else if (!slow) f.op(O.i32_eqz);
    } else if (size > 1) {
      // (bad << 12 | (addr & 0xfff)) <= 4096 - size: any bad bit makes it 4096 or more
      emitInPageTest(f, addr, size, slow);
    } else if (!slow) {
      f.op(O.i32_eqz);
    }
  }
}

/**
 * Consumes `bad` (non-zero: the page refuses the access) and pushes (bad << 12 | (addr &
 * 0xfff)) <= 4096 - span (`slow`: its negation, >): any bad bit, or `span` bytes from addr
 * crossing the page's end, fails it, in one comparison an `if` fuses with.
 */
function emitInPageTest(f: FuncBody, addr: number, span: number, slow: boolean): void {
  f.i32(12).op(O.i32_shl).get(addr).i32(0xfff).op(O.i32_and).op(O.i32_or).i32(4096 - span).op(slow ? O.i32_gt_u : O.i32_le_u);
}
