// Guest memory as a debugger sees it on a system-mode CPU: virtual addresses translated by the
// CPU's current stage 1 regime (and stage 2 where one is installed) with permissions ignored,
// then RAM, or a side-effect-free reader the board offers (flash). Nothing here touches the
// CPU's TLB, its fault registers or a device with read side effects (a UART's data register):
// an address that does not translate, or lands on such a device, is simply unreadable.

import { Access, translate, Walk } from '../mmu/translate.js';
import type { MmuRegs } from '../mmu/types.js';
import type { ArmCpu } from './cpu.js';

/** Reads a byte of physical memory outside RAM without side effects, or returns null. */
export type QuietPhysRead = (pa: number) => number | null;

/** Every domain a Manager: the short-descriptor walk then checks no permissions (B3.7.3). */
const ALL_MANAGER = 0xffffffff;

export class DebugAccess {
  private readonly walk = new Walk();

  constructor(
    readonly cpu: ArmCpu,
    private readonly quietRead: QuietPhysRead = () => null,
  ) {}

  /** The physical address of `va` in the current translation regime, or -1. */
  physical(va: number): number {
    const c = this.cpu.cp15;
    // A PL1 read with every domain a Manager, so only a missing mapping fails (the long
    // format grants PL1 reads of every mapping; its access flag still counts as missing).
    const regs: MmuRegs = {
      sctlr: c.sctlr,
      ttbcr: c.ttbcr,
      ttbr0lo: c.ttbr0lo,
      ttbr0hi: c.ttbr0hi,
      ttbr1lo: c.ttbr1lo,
      ttbr1hi: c.ttbr1hi,
      dacr: ALL_MANAGER,
      prrr: c.prrr,
      nmrr: c.nmrr,
      contextidr: c.contextidr,
      secure: c.secure,
    };
    const w = translate(this.cpu.mem, regs, va >>> 0, Access.READ, false, this.walk);
    if (!w.ok()) return -1;
    const s2 = this.cpu.mem.stage2;
    return s2 ? s2(w.pa, Access.READ) : w.pa;
  }

  /** The RAM offset of physical address `pa`, or -1. */
  private ramOffset(pa: number): number {
    const mem = this.cpu.mem;
    const o = pa - mem.ramBase;
    return pa >= 0 && o >= 0 && o < mem.u8.length ? o : -1;
  }

  /** Up to `len` bytes from `va`; shorter where the range runs into something unreadable. */
  read(va: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    let n = 0;
    while (n < len) {
      const a = (va + n) >>> 0;
      if (n > 0 && a === 0) break; // wrapped past the top of the address space
      const pa = this.physical(a);
      if (pa < 0) break;
      const chunk = Math.min(len - n, 4096 - (a & 0xfff));
      const o = this.ramOffset(pa);
      if (o >= 0 && o + chunk <= this.cpu.mem.u8.length) {
        out.set(this.cpu.mem.u8.subarray(o, o + chunk), n);
        n += chunk;
        continue;
      }
      let k = 0;
      for (; k < chunk; k++) {
        const ok = this.ramOffset(pa + k);
        const b = ok >= 0 ? this.cpu.mem.u8[ok] : this.quietRead(pa + k);
        if (b === null) break;
        out[n + k] = b;
      }
      n += k;
      if (k < chunk) break;
    }
    return out.subarray(0, n);
  }

  /**
   * Writes `data` at `va` into RAM (all or nothing: false when any byte does not translate to
   * RAM) and drops the translated code of the pages written.
   */
  write(va: number, data: Uint8Array): boolean {
    const mem = this.cpu.mem;
    const offsets: number[] = [];
    for (let i = 0; i < data.length; i++) {
      const a = (va + i) >>> 0;
      if (i > 0 && a === 0) return false;
      // One translation per page; bytes of the same page follow it.
      const o = i > 0 && (a & 0xfff) !== 0 ? offsets[i - 1] + 1 : this.ramOffset(this.physical(a));
      if (o < 0 || o >= mem.u8.length) return false;
      offsets.push(o);
    }
    for (let i = 0; i < data.length; i++) mem.u8[offsets[i]] = data[i];
    const pages = new Set(offsets.map((o) => o >>> 12));
    for (const p of pages) if (mem.codePages[p]) mem.onCodeWrite((mem.ramBase + p * 4096) / 4096);
    return true;
  }
}
