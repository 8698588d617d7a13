// The guest process's address space: which pages are mapped (and how), the program break,
// and the search for free room for mmap. Permissions live in FlatMemory's per-page byte;
// this file keeps what the permission byte cannot say (a PROT_NONE mapping is still mapped;
// anonymous or file-backed) and drops translated code when pages change under it.

import { FlatMemory, PAGE_SHIFT, PAGE_SIZE, Perm, TASK_SIZE } from '../memory/flat.js';

/** Linux PROT_* bits (same values as our Perm R/W/X). */
export const PROT = { READ: 1, WRITE: 2, EXEC: 4 } as const;

/** Where bottom-up mmap searches start (TASK_UNMAPPED_BASE with a 3G/1G split). */
export const MMAP_BASE = 0x40000000;
/** Top of the initial stack (the kernel would randomize below TASK_SIZE; we stay fixed). */
export const STACK_TOP = 0xbefff000;
/** Size of the stack mapping (RLIMIT_STACK's usual 8 MiB). */
export const STACK_SIZE = 8 << 20;

const MAPPED_ANON = 1;
const MAPPED_FILE = 2;
const NPAGES = 1 << 20;

export const pageAlignUp = (v: number): number => Math.ceil(v / PAGE_SIZE) * PAGE_SIZE;
export const pageAlignDown = (v: number): number => Math.floor(v / PAGE_SIZE) * PAGE_SIZE;

export class AddressSpace {
  /** Per page: 0 unmapped, else MAPPED_ANON or MAPPED_FILE. */
  private readonly kind = new Uint8Array(NPAGES);
  /** Pages that were ever mapped: their host bytes may be dirty and need zeroing on reuse. */
  private readonly used = new Uint8Array(NPAGES);
  /** Program break (current end of the heap) and where the heap starts. */
  brkStart = 0;
  brk = 0;
  /** Called for each page whose translations must go (unmap, mprotect, remap). */
  onInvalidate: (page: number) => void = () => {};

  constructor(readonly mem: FlatMemory) {}

  isMapped(addr: number): boolean {
    return this.kind[addr >>> PAGE_SHIFT] !== 0;
  }

  /** True when every page of [addr, addr+len) is unmapped. */
  isFree(addr: number, len: number): boolean {
    if (addr < PAGE_SIZE || addr + len > TASK_SIZE) return false;
    const p1 = (addr + len - 1) >>> PAGE_SHIFT;
    for (let p = addr >>> PAGE_SHIFT; p <= p1; p++) if (this.kind[p]) return false;
    return true;
  }

  private dropCode(p: number): void {
    if (this.mem.clearCode(p)) this.onInvalidate(p);
  }

  /**
   * Maps [addr, addr+len) (page aligned) with `prot`, replacing what was there, with zeroed
   * contents. `file` marks file-backed pages (their content is the caller's business).
   */
  map(addr: number, len: number, prot: number, file = false): void {
    if (len <= 0) return;
    const p0 = addr >>> PAGE_SHIFT;
    const p1 = (addr + len - 1) >>> PAGE_SHIFT;
    const k = file ? MAPPED_FILE : MAPPED_ANON;
    let runStart = -1;
    for (let p = p0; p <= p1 + 1; p++) {
      const dirty = p <= p1 && this.used[p] !== 0;
      if (dirty && runStart < 0) runStart = p;
      if (!dirty && runStart >= 0) {
        this.mem.zero(runStart << PAGE_SHIFT, (p - runStart) << PAGE_SHIFT);
        runStart = -1;
      }
      if (p > p1) break;
      this.dropCode(p);
      this.kind[p] = k;
      this.used[p] = 1;
      this.mem.setPerm(p, prot & 7);
    }
  }

  unmap(addr: number, len: number): void {
    if (len <= 0) return;
    const p1 = Math.min(NPAGES - 1, (addr + len - 1) >>> PAGE_SHIFT);
    for (let p = addr >>> PAGE_SHIFT; p <= p1; p++) {
      if (!this.kind[p]) continue;
      this.dropCode(p);
      this.kind[p] = 0;
      this.mem.setPerm(p, 0);
    }
  }

  /** mprotect: false when part of the range is unmapped (ENOMEM). */
  protect(addr: number, len: number, prot: number): boolean {
    if (len <= 0) return true;
    const p0 = addr >>> PAGE_SHIFT;
    const p1 = (addr + len - 1) >>> PAGE_SHIFT;
    for (let p = p0; p <= p1; p++) if (!this.kind[p]) return false;
    for (let p = p0; p <= p1; p++) {
      if ((this.mem.perm[p] & 7) !== (prot & 7)) this.dropCode(p);
      this.mem.setPerm(p, (this.mem.perm[p] & Perm.CODE) | (prot & 7));
    }
    return true;
  }

  /** Zeroes anonymous pages of a range (madvise MADV_DONTNEED). */
  discard(addr: number, len: number): void {
    const p1 = (addr + len - 1) >>> PAGE_SHIFT;
    for (let p = addr >>> PAGE_SHIFT; p <= p1; p++) {
      if (this.kind[p] === MAPPED_ANON) {
        this.dropCode(p);
        this.mem.zero(p << PAGE_SHIFT, PAGE_SIZE);
      }
    }
  }

  /** Lowest free range of `len` bytes at or above `from` (bottom-up, like the legacy layout); -1 if none. */
  findFree(len: number, from = MMAP_BASE): number {
    const need = Math.ceil(len / PAGE_SIZE);
    const last = (TASK_SIZE >>> PAGE_SHIFT) - 1;
    for (const start of [from >>> PAGE_SHIFT, 1]) {
      let run = 0;
      for (let p = start; p <= last; p++) {
        if (this.kind[p]) run = 0;
        else if (++run === need) return (p - need + 1) << PAGE_SHIFT >>> 0;
      }
    }
    return -1;
  }

  /** Page permissions (Perm R/W/X) of the page holding addr. */
  protOf(addr: number): number {
    return this.mem.perm[addr >>> PAGE_SHIFT] & 7;
  }

  isFileBacked(addr: number): boolean {
    return this.kind[addr >>> PAGE_SHIFT] === MAPPED_FILE;
  }
}
