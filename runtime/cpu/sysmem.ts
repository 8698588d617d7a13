// Guest memory of a system-mode CPU for the interpreter: virtual addresses go through the
// stage 1 translation of runtime/mmu (with a small direct-mapped TLB in front), then, where
// the hypervisor installs one, a stage 2 (see `stage2`), then to RAM or to the board's MMIO
// callback. Faults are precise: the access throws MemFault after recording the DFSR/DFAR (or
// IFSR/IFAR) values in `fault`, which the CPU copies to CP15 when it takes the abort.
//
// With a JIT, it also fills the software TLB that generated code reads (attachJitTlb,
// translator/jit/softmmu.ts): every data access that goes through here to a RAM page enters
// that page in the table of its MMU index, with a read tag and a write tag as the stage 1
// permissions allow (with a stage 2, only for the access kind stage 2 was asked about), and no
// write tag while the page holds translated code. flushTlb clears those tables too.

import { MemFault, type GuestMemory } from '../../translator/interp.js';
import { Mem } from '../../translator/ir.js';
import type { CodeSource } from '../../translator/lift/block.js';
import { Mode, PSR_M } from '../../translator/modes.js';
import { W, type CpuState } from '../../translator/state.js';
import { alignmentDfsr, dfsr, ifsr } from '../mmu/fsr.js';
import { isLongFormat, translate } from '../mmu/translate.js';
import { Access, Perm, PhysAbort, Walk, type PhysReader } from '../mmu/types.js';
import { SCTLR, type Cp15State } from './cp15.js';
import { MMU_INDICES, MMU_PL0, MMU_PL1, TLB_ADDEND, TLB_ENTRIES, TLB_READ, TLB_WRITE, tlbSlot } from '../../translator/jit/softmmu.js';

/** A device access: returns the value read (ignored for writes); throws PhysAbort when nothing answers. */
export type MmioHandler = (pa: number, size: number, isWrite: boolean, value: number) => number;

/**
 * Stage 2 (the hypervisor's p2m; the second stage of the PL1&0 regime): maps an intermediate
 * physical address to a physical one for an access, or returns -1 for a stage 2 fault. It is
 * applied when a TLB entry is filled, so hits never pay for it.
 */
export type Stage2 = (ipa: number, access: Access) => number;

/** The fault the last failed access recorded. */
export interface FaultInfo {
  /** DFSR or IFSR value. */
  fsr: number;
  /** DFAR or IFAR value. */
  far: number;
  prefetch: boolean;
}

/**
 * Entries per TLB: one data TLB and one instruction TLB (so code and data never evict each
 * other). 4096: with 512, the Debian boot walked the tables 404,000 times, with 4096 129,000
 * (the kernel's code and data outgrow 512 pages; every entry() looks its PC up here).
 */
const TLB_BITS = 12;
const TLB_SIZE = 1 << TLB_BITS;


/** Short and long format FSR of a synchronous external abort (not on a walk). */
const EXT_ABORT_SHORT = 0b01000;
const EXT_ABORT_LONG = 0b010000 | (1 << 9);

const WALK_ABORT = new PhysAbort(-1);

export class SystemMemory implements GuestMemory, CodeSource, PhysReader {
  readonly dv: DataView;
  readonly u8: Uint8Array;
  /** One byte per RAM page: 1 when translated code was lifted from it. */
  readonly codePages: Uint8Array;
  /**
   * One byte per RAM page: 1 when generated code's TLB may hold a write tag for it (set at
   * fill, cleared by a full flush), so a page becoming code scans the table only then.
   */
  private readonly jitWritable: Uint8Array;
  /** log2 of the size of the stage 1 mapping of the last address translated (12 with the MMU off). */
  get mapLog2(): number {
    return this.lastSizeLog2;
  }
  /** The Perm bits of the last address translated. */
  get mapPerms(): number {
    return this.lastPerms;
  }
  /** Was the mapping of the last address translated global (nG clear, or the MMU off)? */
  get mapGlobal(): boolean {
    return this.lastGlobal;
  }
  /** Called with a physical page number when a store hits a page holding translated code. */
  onCodeWrite: (paPage: number) => void = () => {};
  /** The hypervisor's stage 2, or null (PA = IPA). */
  stage2: Stage2 | null = null;
  readonly fault: FaultInfo = { fsr: 0, far: 0, prefetch: false };
  tlbFills = 0;

  // Direct-mapped TLBs, data entries at [0, TLB_SIZE), instruction entries above: tag =
  // virtual page + 1 (0 = empty), the PL1/PL0 Perm bits of the mapping, the physical page base.
  private readonly tag = new Int32Array(2 * TLB_SIZE);
  private readonly perms = new Uint8Array(2 * TLB_SIZE);
  private readonly paPage = new Float64Array(2 * TLB_SIZE);
  /** log2 of the size of the mapping each entry (JS and generated code's) was filled from. */
  private readonly sizeLog2 = new Uint8Array(2 * TLB_SIZE);
  private readonly jitSizeLog2 = new Uint8Array(MMU_INDICES * TLB_ENTRIES);
  /** 1 where the entry (JS, generated code's) came from a non-global mapping (nG set: one ASID's). */
  private readonly notGlobal = new Uint8Array(2 * TLB_SIZE);
  private readonly jitNotGlobal = new Uint8Array(MMU_INDICES * TLB_ENTRIES);
  /** Entries of non-global mappings may be present (JS, generated code's tables). */
  private ngPresent = false;
  /** Bit (log2 size - 12) set for every mapping size entered since the last full flush. */
  private sizesPresent = 0;
  /** One byte per MiB of virtual space: an entry of a mapping of 1 MiB or more covers it. */
  private readonly bigSeen = new Uint8Array(4096);
  private lastSizeLog2 = 12;
  private readonly walk = new Walk();
  private readonly ramEnd: number;
  /** The Perm bits of the last translate()'s mapping. */
  private lastPerms = 0;
  private lastGlobal = true;
  /** Generated code's TLB tables (words), and the host address of RAM's first byte; see attachJitTlb. */
  private jitTlb: Int32Array | null = null;
  private hostRam = 0;

  constructor(
    readonly cpu: CpuState,
    readonly cp15: Cp15State,
    /** Guest RAM and the physical address of its first byte. */
    readonly ram: Uint8Array,
    readonly ramBase: number,
    readonly mmio: MmioHandler,
  ) {
    this.u8 = ram;
    this.dv = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
    this.ramEnd = ramBase + ram.byteLength;
    this.codePages = new Uint8Array(Math.ceil(ram.byteLength / 4096));
    this.jitWritable = new Uint8Array(this.codePages.length);
  }

  /** Drops every cached translation (TLB maintenance, context and regime changes). */
  flushTlb(): void {
    this.tag.fill(0);
    if (this.jitTlb) {
      this.jitTlb.fill(-1);
      this.jitWritable.fill(0);
    }
    this.sizesPresent = 0;
    this.bigSeen.fill(0);
    this.ngPresent = false;
  }

  /**
   * Drops the cached translations of non-global mappings and keeps the global ones: what a
   * change of the current ASID (TTBR0/TTBR1 or CONTEXTIDR write) or TLBIASID needs, as our
   * entries carry no ASID (B3.9.1: a TLB entry of a global mapping matches every ASID, and a
   * write of the translation registers does not invalidate entries by itself).
   */
  flushNotGlobal(): void {
    if (!this.ngPresent) return;
    this.ngPresent = false;
    const tag = this.tag;
    const ng = this.notGlobal;
    for (let i = 0; i < tag.length; i++) {
      if (ng[i]) {
        tag[i] = 0;
        ng[i] = 0;
      }
    }
    const tlb = this.jitTlb;
    if (!tlb) return;
    const jng = this.jitNotGlobal;
    for (let k = 0; k < jng.length; k++) {
      if (jng[k]) {
        tlb[k * 4 + TLB_READ] = -1;
        tlb[k * 4 + TLB_WRITE] = -1;
        jng[k] = 0;
      }
    }
  }

  /**
   * Drops the cached translations of the mapping holding `va` (TLBIMVA, TLBIMVAA; every ASID,
   * as our entries carry none): each entry whose mapping (section, large page...) contains
   * `va`. Returns log2 of the largest mapping size cached, so the caller knows the range of
   * virtual pages that may have changed: va's aligned block of that size.
   */
  flushVa(va: number): number {
    let maxLog2 = 12;
    const present = this.sizesPresent;
    for (let b = 0; b < 20; b++) {
      if (!(present & (1 << b))) continue;
      const s = b + 12;
      maxLog2 = s;
      // Sections and larger: nothing to do unless such an entry covers va's MiB (most
      // TLBIMVAs are for 4 KB pages outside the kernel's section-mapped memory).
      if (s >= 20 && !this.bigSeen[va >>> 20]) continue;
      const first = ((va >>> s) << s) >>> 12; // the block's first virtual page
      const pages = 2 ** (s - 12);
      this.flushJsSlots(first, Math.min(pages, TLB_SIZE), s, va, 0);
      this.flushJsSlots(first, Math.min(pages, TLB_SIZE), s, va, TLB_SIZE);
      if (this.jitTlb) {
        const n = Math.min(pages, TLB_ENTRIES);
        for (let m = 0; m < MMU_INDICES; m++) this.flushJitSlots(first, n, s, va, m * TLB_ENTRIES);
      }
    }
    return maxLog2;
  }

  /** Drops the JS entries among `n` slots from page `first` whose mapping of size 2^s holds va. */
  private flushJsSlots(first: number, n: number, s: number, va: number, base: number): void {
    const tag = this.tag;
    for (let i = 0; i < n; i++) {
      const slot = base + ((first + i) & (TLB_SIZE - 1));
      const t = tag[slot];
      if (t !== 0 && this.sizeLog2[slot] === s && ((((t - 1) << 12) ^ va) >>> s) === 0) tag[slot] = 0;
    }
  }

  /** Likewise in generated code's table starting at entry `base`. */
  private flushJitSlots(first: number, n: number, s: number, va: number, base: number): void {
    const tlb = this.jitTlb!;
    for (let i = 0; i < n; i++) {
      const k = base + ((first + i) & (TLB_ENTRIES - 1));
      const e = k * 4;
      const t = tlb[e + TLB_READ] !== -1 ? tlb[e + TLB_READ] : tlb[e + TLB_WRITE];
      if (t !== -1 && this.jitSizeLog2[k] === s && ((t ^ va) >>> s) === 0) {
        tlb[e + TLB_READ] = -1;
        tlb[e + TLB_WRITE] = -1;
      }
    }
  }

  /**
   * Makes this port fill generated code's TLB (`tlb`: the tables as words, both MMU indices;
   * `hostRam`: the address of RAM's first byte in the memory generated code addresses).
   */
  attachJitTlb(tlb: Int32Array, hostRam: number): void {
    this.jitTlb = tlb;
    this.hostRam = hostRam;
    tlb.fill(-1);
  }

  /** Enters the RAM page of a data access just translated (pa) in generated code's TLB. */
  private fillJit(va: number, pa: number, access: Access, user: boolean): void {
    const tlb = this.jitTlb!;
    const o = pa - this.ramBase;
    const k = (user ? MMU_PL0 : MMU_PL1) * TLB_ENTRIES + tlbSlot(va);
    const e = k * 4;
    this.jitSizeLog2[k] = this.lastSizeLog2;
    this.jitNotGlobal[k] = this.lastGlobal ? 0 : 1;
    const page = va & ~0xfff;
    const p = this.lastPerms;
    const s2 = this.stage2 !== null;
    const r = p & (user ? Perm.PL0_R : Perm.PL1_R) && (!s2 || access === Access.READ);
    const w = p & (user ? Perm.PL0_W : Perm.PL1_W) && (!s2 || access === Access.WRITE) && !this.codePages[o >>> 12];
    tlb[e + TLB_READ] = r ? page : -1;
    tlb[e + TLB_WRITE] = w ? page : -1;
    if (w) this.jitWritable[o >>> 12] = 1;
    tlb[e + TLB_ADDEND] = (this.hostRam + (o - (o & 0xfff)) - page) | 0;
  }

  /** A RAM page now holds translated code: generated code's stores to it must take the slow path. */
  private becameCode(ramPage: number): void {
    const tlb = this.jitTlb;
    if (!tlb || !this.jitWritable[ramPage]) return;
    this.jitWritable[ramPage] = 0;
    const host = this.hostRam + ramPage * 4096;
    for (let e = 0; e < tlb.length; e += 4) {
      if (tlb[e + TLB_WRITE] !== -1 && ((tlb[e + TLB_WRITE] + tlb[e + TLB_ADDEND]) | 0) === host) tlb[e + TLB_WRITE] = -1;
    }
  }

  /** The translations of a RAM page (physical page number) are all gone: stores to it are plain again. */
  codeDropped(paPage: number): void {
    const i = paPage - this.ramBase / 4096;
    if (i >= 0 && i < this.codePages.length) this.codePages[i] = 0;
  }

  private user(flags: number): boolean {
    return (flags & Mem.USER) !== 0 || (this.cpu.i32[W.PSR] & PSR_M) === Mode.USR;
  }

  /**
   * The physical address of `va` for an access; on a fault records it and throws MemFault.
   */
  translate(va: number, access: Access, user: boolean): number {
    const vp = va >>> 12;
    const slot = (vp & (TLB_SIZE - 1)) | (access === Access.EXEC ? TLB_SIZE : 0);
    const need = (user ? 8 : 1) << access;
    if (this.tag[slot] === vp + 1 && this.perms[slot] & need) {
      this.lastPerms = this.perms[slot];
      this.lastGlobal = this.notGlobal[slot] === 0;
      this.lastSizeLog2 = this.sizeLog2[slot];
      return this.paPage[slot] + (va & 0xfff);
    }
    const w = translate(this, this.cp15, va >>> 0, access, user, this.walk);
    this.tlbFills++;
    if (!w.ok()) {
      const f = this.fault;
      f.prefetch = access === Access.EXEC;
      f.fsr = f.prefetch ? ifsr(w) : dfsr(w, access === Access.WRITE);
      f.far = va >>> 0;
      throw new MemFault(va >>> 0, 'permission', access === Access.WRITE);
    }
    let pa = w.pa;
    // Stage 2 joins here: the IPA from stage 1 becomes a PA (or a stage 2 fault) once per fill.
    if (this.stage2) {
      const p = this.stage2(pa, access);
      if (p < 0) {
        this.externalAbort(va, access);
      }
      pa = p;
    }
    this.tag[slot] = vp + 1;
    this.perms[slot] = w.perms;
    this.lastPerms = w.perms;
    // With the MMU off the walk reports global; nG entries go at an ASID change.
    this.lastGlobal = w.global;
    this.notGlobal[slot] = w.global ? 0 : 1;
    if (!w.global) this.ngPresent = true;
    // The stage 1 mapping's size (TLBIMVA drops what the guest's own walk produced); with the
    // MMU off the flat mapping never changes without a full flush (SCTLR write).
    const sz = this.cp15.sctlr & SCTLR.M ? w.sizeLog2 : 12;
    this.sizeLog2[slot] = sz;
    this.lastSizeLog2 = sz;
    this.sizesPresent |= 1 << (sz - 12);
    if (sz >= 20) {
      const mb = (va >>> sz) << (sz - 20);
      this.bigSeen.fill(1, mb, mb + 2 ** (sz - 20));
    }
    this.paPage[slot] = pa - (pa % 4096);
    return pa;
  }

  private externalAbort(va: number, access: Access): never {
    const f = this.fault;
    f.prefetch = access === Access.EXEC;
    const long = isLongFormat(this.cp15);
    f.fsr = (long ? EXT_ABORT_LONG : EXT_ABORT_SHORT) | (access === Access.WRITE ? 1 << 11 : 0);
    f.far = va >>> 0;
    throw new MemFault(va >>> 0, 'unmapped', access === Access.WRITE);
  }

  private alignment(va: number, size: number, flags: number, write: boolean): void {
    const mask = flags & Mem.ALIGN8 ? 7 : (flags & Mem.ALIGN) || this.cp15.sctlr & SCTLR.A ? size - 1 : 0;
    if (va & mask) {
      this.fault.prefetch = false;
      this.fault.fsr = alignmentDfsr(isLongFormat(this.cp15), write);
      this.fault.far = va >>> 0;
      throw new MemFault(va >>> 0, 'alignment', write);
    }
  }

  // ---- physical accesses -------------------------------------------------------------

  private physLoad(pa: number, size: number, va: number): number {
    if (pa >= this.ramBase && pa + size <= this.ramEnd) {
      const o = pa - this.ramBase;
      return size === 4 ? this.dv.getInt32(o, true) : size === 2 ? this.dv.getUint16(o, true) : this.u8[o];
    }
    try {
      return this.mmio(pa, size, false, 0);
    } catch (e) {
      if (e instanceof PhysAbort) this.externalAbort(va, Access.READ);
      throw e;
    }
  }

  private physStore(pa: number, size: number, v: number, va: number): void {
    if (pa >= this.ramBase && pa + size <= this.ramEnd) {
      const o = pa - this.ramBase;
      if (this.codePages[o >>> 12]) this.onCodeWrite(pa >>> 12);
      if (size === 4) this.dv.setInt32(o, v, true);
      else if (size === 2) this.dv.setUint16(o, v, true);
      else this.u8[o] = v;
      return;
    }
    try {
      this.mmio(pa, size, true, size === 4 ? v : v & (size === 2 ? 0xffff : 0xff));
    } catch (e) {
      if (e instanceof PhysAbort) this.externalAbort(va, Access.WRITE);
      throw e;
    }
  }

  /** PhysReader for the translation table walk: RAM only (a walk into a device aborts). */
  read32(pa: number): number {
    if (pa >= this.ramBase && pa + 4 <= this.ramEnd) return this.dv.getInt32(pa - this.ramBase, true);
    // One preallocated instance: the walker only tests its class, and building an Error (its
    // stack trace) per failed walk made a guest looping on such aborts ~10x slower.
    throw WALK_ABORT;
  }

  // ---- GuestMemory (the interpreter's port) -------------------------------------------

  load(addr: number, flags: number): number {
    const size = flags & Mem.SIZE_MASK;
    this.alignment(addr, size, flags, false);
    const user = this.user(flags);
    let v: number;
    if ((addr & 0xfff) + size > 4096) {
      // Crosses a page: byte by byte, each translated.
      v = 0;
      for (let i = 0; i < size; i++) v |= this.physLoad(this.translate((addr + i) >>> 0, Access.READ, user), 1, addr + i) << (8 * i);
    } else {
      const pa = this.translate(addr, Access.READ, user);
      v = this.physLoad(pa, size, addr);
      if (this.jitTlb && pa >= this.ramBase && pa < this.ramEnd) this.fillJit(addr, pa, Access.READ, user);
    }
    if (flags & Mem.SIGNED) return size === 1 ? (v << 24) >> 24 : (v << 16) >> 16;
    return size === 4 ? v | 0 : size === 2 ? v & 0xffff : v & 0xff;
  }

  store(addr: number, value: number, flags: number): void {
    const size = flags & Mem.SIZE_MASK;
    this.alignment(addr, size, flags, true);
    const user = this.user(flags);
    if ((addr & 0xfff) + size > 4096) {
      // Translate every byte first so a fault leaves memory untouched.
      const pas: number[] = [];
      for (let i = 0; i < size; i++) pas.push(this.translate((addr + i) >>> 0, Access.WRITE, user));
      for (let i = 0; i < size; i++) this.physStore(pas[i], 1, (value >>> (8 * i)) & 0xff, addr + i);
      return;
    }
    const pa = this.translate(addr, Access.WRITE, user);
    this.physStore(pa, size, value, addr);
    if (this.jitTlb && pa >= this.ramBase && pa < this.ramEnd) this.fillJit(addr, pa, Access.WRITE, user);
  }

  // ---- CodeSource (the lifter's port) ---------------------------------------------------

  /** A halfword of code at `va` for the current mode, or -1 when it cannot be fetched. */
  fetch16(va: number): number {
    const user = (this.cpu.i32[W.PSR] & PSR_M) === Mode.USR;
    let pa: number;
    try {
      pa = this.translate(va >>> 0, Access.EXEC, user);
    } catch (e) {
      if (e instanceof MemFault) return -1;
      throw e;
    }
    if (pa >= this.ramBase && pa + 2 <= this.ramEnd) {
      const o = pa - this.ramBase;
      if (!this.codePages[o >>> 12]) {
        this.codePages[o >>> 12] = 1;
        this.becameCode(o >>> 12);
      }
      return this.dv.getUint16(o, true);
    }
    // Executing from a device: not supported (the prefetch aborts as an external abort).
    this.fault.prefetch = true;
    this.fault.fsr = isLongFormat(this.cp15) ? EXT_ABORT_LONG : EXT_ABORT_SHORT;
    this.fault.far = va >>> 0;
    return -1;
  }

  /**
   * Why fetching at `va` fails, as IFSR/IFAR (after the lifter reported a prefetch abort);
   * null when it does not (the fault was on the second halfword of a Thumb instruction).
   */
  prefetchFault(va: number): FaultInfo | null {
    const user = (this.cpu.i32[W.PSR] & PSR_M) === Mode.USR;
    try {
      const pa = this.translate(va >>> 0, Access.EXEC, user);
      if (pa < this.ramBase || pa + 2 > this.ramEnd) {
        this.fault.prefetch = true;
        this.fault.fsr = isLongFormat(this.cp15) ? EXT_ABORT_LONG : EXT_ABORT_SHORT;
        this.fault.far = va >>> 0;
        return this.fault;
      }
      return null;
    } catch (e) {
      if (e instanceof MemFault) return this.fault;
      throw e;
    }
  }

  /** The physical page holding `va` for instruction fetch in the current mode, or -1. */
  codePage(va: number): number {
    const user = (this.cpu.i32[W.PSR] & PSR_M) === Mode.USR;
    try {
      return Math.floor(this.translate(va >>> 0, Access.EXEC, user) / 4096);
    } catch (e) {
      if (e instanceof MemFault) return -1;
      throw e;
    }
  }
}


