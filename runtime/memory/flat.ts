// Linux user mode's guest memory: the guest's 32-bit address space lies flat in one 4 GiB
// WebAssembly.Memory (host offset = guest address), which the OS backs only where touched.
// A byte per 4 KiB page holds its permissions, so an access to an unmapped page faults as it
// would on the real kernel, and a store to a page holding translated code drops that code.
// User space ends at TASK_SIZE (0xbf000000 on ARM Linux); the area above it, but for the
// vector page, holds armvisor's own tables. The CPU state block lives in page 0, which Linux
// never maps for a process (mmap_min_addr), so generated code reaches each state word with a
// memarg offset of one or two bytes instead of five.

import { checkAlign, MemFault, type GuestMemory } from '../../translator/interp.js';
import type { CodeSource } from '../../translator/lift/block.js';
import { Mem } from '../../translator/ir.js';
import { FAST_CHUNK_SHIFT, FAST_TABLE_BYTES, NO_FAST_R, NO_FAST_W } from '../../translator/jit/flat.js';

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

/**
 * Page permission bits. NO_FAST_R and NO_FAST_W, kept by setPerm, are what generated code
 * tests (translator/jit/flat.ts FlatStrategy): set when a load, or a store, to the page must
 * take the slow path (not readable; not writable or holding translated code).
 */
export const Perm = { R: 1, W: 2, X: 4, CODE: 8, NO_FAST_R, NO_FAST_W } as const;

/** A page's byte in the permission table for Perm bits `v` (R, W, X, CODE): with its fast-path bits. */
export function permByte(v: number): number {
  v &= 15;
  return v | (v & Perm.R ? 0 : Perm.NO_FAST_R) | ((v & (Perm.W | Perm.CODE)) === Perm.W ? 0 : Perm.NO_FAST_W);
}

/** Highest user address + 1 (arch/arm TASK_SIZE with a 3G/1G split). */
export const TASK_SIZE = 0xbf000000;
/**
 * Where armvisor keeps a vCPU's state block: guest page 0, never mapped for the guest (mmap,
 * mremap and the ELF loader refuse addresses below PAGE_SIZE), so every guest access to it
 * faults, as a NULL access does on Linux. State words are most of the memory accesses of
 * generated code; at 0xc0000000 each memarg offset took 5 bytes (module bytes -7%, measured
 * on the tier-1 micro-benchmark).
 */
export const STATE_BASE = 0;
/** The page permission table, one byte per guest page (1 MiB), readable by generated code. */
export const PERM_BASE = 0xc0100000;
/** The JIT's wasm-dispatcher lookup table (1 MiB). */
export const DISPATCH_BASE = 0xc0200000;
/**
 * Generated code's chunk tables (translator/jit/flat.ts): for loads at FAST_BASE, for stores
 * FAST_STRIDE above it, 32 MiB each. Only the entries of mapped pages are ever written, so the
 * OS backs 32 bytes of each table per mapped page.
 */
export const FAST_BASE = 0xc0400000;
export const FAST_STRIDE = FAST_TABLE_BYTES + 0x400000;
const CHUNKS_PER_PAGE = 1 << (PAGE_SHIFT - FAST_CHUNK_SHIFT);

export class FlatMemory implements GuestMemory, CodeSource {
  readonly memory: WebAssembly.Memory;
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  readonly dv: DataView;
  /** One byte per guest page: Perm bits (lives at PERM_BASE in the same memory). */
  readonly perm: Uint8Array;
  /** The chunk tables, loads' then stores', at FAST_BASE: kept by setPerm from NO_FAST_R/W. */
  private readonly fastR: Uint8Array;
  private readonly fastW: Uint8Array;
  /** Called with a page number when a store hits a page marked CODE. */
  onCodeWrite: (page: number) => void = () => {};

  constructor() {
    this.memory = new WebAssembly.Memory({ initial: 65536, maximum: 65536, shared: true });
    const buf = this.memory.buffer;
    this.u8 = new Uint8Array(buf);
    this.u16 = new Uint16Array(buf);
    this.i32 = new Int32Array(buf);
    this.dv = new DataView(buf);
    this.perm = new Uint8Array(buf, PERM_BASE, 1 << 20);
    this.perm.fill(permByte(0));
    this.fastR = new Uint8Array(buf, FAST_BASE, FAST_TABLE_BYTES);
    this.fastW = new Uint8Array(buf, FAST_BASE + FAST_STRIDE, FAST_TABLE_BYTES);
  }

  /** Sets page `p`'s Perm bits (R, W, X, CODE); the only writer of the tables. */
  setPerm(p: number, v: number): void {
    const was = this.perm[p];
    const b = permByte(v);
    this.perm[p] = b;
    // the chunk tables start all 0 (no access): write only changes, so unmapped stays untouched
    const at = p * CHUNKS_PER_PAGE;
    if ((was ^ b) & NO_FAST_R) this.fastR.fill(b & NO_FAST_R ? 0 : 0xff, at, at + CHUNKS_PER_PAGE);
    if ((was ^ b) & NO_FAST_W) this.fastW.fill(b & NO_FAST_W ? 0 : 0xff, at, at + CHUNKS_PER_PAGE);
  }

  /** Sets the permissions of [addr, addr+len) (page granular), keeping the CODE bit. */
  protect(addr: number, len: number, prot: number): void {
    const first = addr >>> PAGE_SHIFT;
    const last = (addr + len - 1) >>> PAGE_SHIFT;
    for (let p = first; p <= last && len > 0; p++) this.setPerm(p, (this.perm[p] & Perm.CODE) | (prot & 7));
  }

  /** Zeroes [addr, addr+len) on the host side (fresh anonymous mapping). */
  zero(addr: number, len: number): void {
    this.u8.fill(0, addr, addr + len);
  }

  private check(addr: number, size: number, need: number, write: boolean): void {
    const p0 = addr >>> PAGE_SHIFT;
    const p1 = ((addr + size - 1) >>> 0) >>> PAGE_SHIFT;
    if ((this.perm[p0] & need) === 0) throw new MemFault(addr, this.perm[p0] & 7 ? 'permission' : 'unmapped', write);
    if (p1 !== p0 && (this.perm[p1] & need) === 0) throw new MemFault(p1 << PAGE_SHIFT, this.perm[p1] & 7 ? 'permission' : 'unmapped', write);
  }

  load(addr: number, flags: number): number {
    const size = flags & Mem.SIZE_MASK;
    if (flags & (Mem.ALIGN | Mem.ALIGN8)) checkAlign(addr, flags, false);
    this.check(addr, size, Perm.R, false);
    switch (size) {
      case 4:
        return addr & 3 ? this.dv.getInt32(addr, true) : this.i32[addr >>> 2];
      case 2: {
        const v = addr & 1 ? this.dv.getUint16(addr, true) : this.u16[addr >>> 1];
        return flags & Mem.SIGNED ? (v << 16) >> 16 : v;
      }
      default: {
        const v = this.u8[addr];
        return flags & Mem.SIGNED ? (v << 24) >> 24 : v;
      }
    }
  }

  store(addr: number, value: number, flags: number): void {
    const size = flags & Mem.SIZE_MASK;
    if (flags & (Mem.ALIGN | Mem.ALIGN8)) checkAlign(addr, flags, true);
    this.check(addr, size, Perm.W, true);
    const p0 = addr >>> PAGE_SHIFT;
    if (this.clearCode(p0)) this.onCodeWrite(p0);
    const p1 = ((addr + size - 1) >>> 0) >>> PAGE_SHIFT;
    if (p1 !== p0 && this.clearCode(p1)) this.onCodeWrite(p1);
    switch (size) {
      case 4:
        if (addr & 3) this.dv.setInt32(addr, value, true);
        else this.i32[addr >>> 2] = value;
        break;
      case 2:
        if (addr & 1) this.dv.setUint16(addr, value, true);
        else this.u16[addr >>> 1] = value;
        break;
      default:
        this.u8[addr] = value;
    }
  }

  /**
   * Clears page `p`'s CODE bit through setPerm (which keeps NO_FAST_W with it); true if it was
   * set, and the caller then drops the page's translations. Every writer of code pages (guest
   * stores, syscalls, munmap/mprotect, the debugger) comes through here.
   */
  clearCode(p: number): boolean {
    if (!(this.perm[p] & Perm.CODE)) return false;
    this.setPerm(p, this.perm[p] & ~Perm.CODE);
    return true;
  }

  /** Instruction fetch for the lifter: -1 when the page is not executable. */
  fetch16(addr: number): number {
    addr >>>= 0;
    const p = addr >>> PAGE_SHIFT;
    if ((this.perm[p] & Perm.X) === 0) return -1;
    if ((this.perm[p] & Perm.CODE) === 0) this.setPerm(p, this.perm[p] | Perm.CODE);
    return this.u16[addr >>> 1];
  }

  /**
   * A literal for the lifter (CodeSource.literal): the page holds code the lifter fetched (CODE
   * set), so any store to it, a syscall's write, munmap or mprotect drops its blocks first.
   */
  literal(addr: number, size: 1 | 2 | 4): number | undefined {
    addr >>>= 0;
    const p = this.perm[addr >>> PAGE_SHIFT];
    if ((p & (Perm.R | Perm.CODE)) !== (Perm.R | Perm.CODE)) return undefined;
    return size === 4 ? this.dv.getUint32(addr, true) : size === 2 ? this.dv.getUint16(addr, true) : this.u8[addr];
  }

  /** Host-side copy in, ignoring permissions (loader, syscalls). */
  write(addr: number, data: Uint8Array): void {
    this.u8.set(data, addr);
  }
  /** Host-side copy out. */
  read(addr: number, len: number): Uint8Array {
    return this.u8.slice(addr, addr + len);
  }
  /** True when every page of [addr, addr+len) has all of `need`. */
  accessible(addr: number, len: number, need: number): boolean {
    if (len === 0) return true;
    if (addr + len > 0x100000000) return false;
    const first = addr >>> PAGE_SHIFT;
    const last = (addr + len - 1) >>> PAGE_SHIFT;
    for (let p = first; p <= last; p++) if ((this.perm[p] & need) !== need) return false;
    return true;
  }
  /** Reads a NUL-terminated string (at most `max` bytes); null if unreadable. */
  readCString(addr: number, max = 4096): string | null {
    let end = addr;
    while (end - addr < max) {
      if ((this.perm[end >>> PAGE_SHIFT] & Perm.R) === 0) return null;
      if (this.u8[end] === 0) return Buffer.from(this.u8.buffer, addr, end - addr).toString('utf8');
      end++;
    }
    return null;
  }
}
