// The coprocessor register table of a system-mode CPU (CP15 system control, CP14 debug, the VFP
// system registers as MRC/MCR p10, 7): registers as data, looked up by their encoding at lift
// time, read and written through the SysPort the helpers call (translator/sys.ts).
//
// Other parts of the runtime (the generic timer of the devices, later the hypervisor) add
// their registers with registerSysRegs(); the Cortex-A15 set is in cortex-a15.ts.

import { Exit } from '../../translator/ir.js';
import { W, type CpuState } from '../../translator/state.js';
import { CpuTrap, type SysLift, type SysPort } from '../../translator/sys.js';

/** A coprocessor register as other parts of the runtime define it (the timer, the hypervisor). */
export interface SysRegDef {
  name: string;
  coproc: number;
  opc1: number;
  crn: number;
  crm: number;
  opc2: number;
  /** Accessed with MCRR/MRRC (64 bits; crn and opc2 are 0). */
  wide: boolean;
  /** May PL0 access it now? Absent: PL1 only. */
  pl0?: () => boolean;
  read(): bigint;
  write(value: bigint): void;
}

/** The table's own form of a register: 32-bit handlers (no BigInt on hot registers). */
export interface RegDef {
  name: string;
  cp: number;
  opc1: number;
  crn: number;
  crm: number;
  opc2: number;
  wide?: boolean;
  /** 'r' read-only, 'w' write-only (operations), default 'rw' (at PL1). */
  access?: 'r' | 'w' | 'rw';
  /** PL0 may read (true) or read and write ('rw'), or a run-time test; absent: PL1 only. */
  pl0?: boolean | 'rw' | (() => boolean);
  /** The value (low word; a wide register puts its high word in `hi`). */
  read?: () => number;
  /** 64-bit reads: the high word. */
  readHi?: () => number;
  write?: (lo: number, hi: number) => void;
  /** A write changes translation or the PL1 view: the block ends after it. */
  endsBlock?: boolean;
}

export const sysRegKey = (cp: number, opc1: number, crn: number, crm: number, opc2: number, wide: boolean): number =>
  (((((cp & 15) * 16 + (opc1 & 15)) * 16 + (crn & 15)) * 16 + (crm & 15)) * 8 + (opc2 & 7)) * 2 + (wide ? 1 : 0);

const TWO32 = 0x100000000n;

/** Adapts an external 64-bit-valued definition to the table's form. */
function fromSysRegDef(d: SysRegDef): RegDef {
  let hi = 0;
  return {
    name: d.name,
    cp: d.coproc,
    opc1: d.opc1,
    crn: d.crn,
    crm: d.crm,
    opc2: d.opc2,
    wide: d.wide,
    pl0: d.pl0 ? () => d.pl0!() : undefined,
    read: () => {
      const v = BigInt.asUintN(64, d.read());
      hi = Number(v / TWO32);
      return Number(v % TWO32) | 0;
    },
    readHi: () => hi,
    write: (lo, h) => d.write(d.wide ? (BigInt(h >>> 0) << 32n) | BigInt(lo >>> 0) : BigInt(lo >>> 0)),
    endsBlock: true,
  };
}

export class SysRegs implements SysPort {
  private readonly defs: RegDef[] = [];
  private readonly byKey = new Map<number, number>();

  constructor(readonly cpu: CpuState) {}

  /** Adds (or replaces) registers of the table's form. */
  define(defs: readonly RegDef[]): void {
    for (const d of defs) {
      const key = sysRegKey(d.cp, d.opc1, d.crn, d.crm, d.opc2, d.wide === true);
      const old = this.byKey.get(key);
      if (old !== undefined) this.defs[old] = d;
      else {
        this.byKey.set(key, this.defs.length);
        this.defs.push(d);
      }
    }
  }

  /** Adds registers defined elsewhere (the generic timer...), replacing any of the same encoding. */
  registerSysRegs(defs: readonly SysRegDef[]): void {
    this.define(defs.map(fromSysRegDef));
  }

  /** The definition with this encoding, if any. */
  find(cp: number, opc1: number, crn: number, crm: number, opc2: number, wide = false): RegDef | undefined {
    const id = this.byKey.get(sysRegKey(cp, opc1, crn, crm, opc2, wide));
    return id === undefined ? undefined : this.defs[id];
  }

  /** Number of definitions: their ids are 0 to size - 1. */
  get size(): number {
    return this.defs.length;
  }

  byName(name: string): RegDef | undefined {
    return this.defs.find((d) => d.name === name);
  }

  // ---- the lifter's view (SysLift) ---------------------------------------------------

  lookup(pl: number, cp: number, opc1: number, crn: number, crm: number, opc2: number, wide: boolean): number {
    const id = this.byKey.get(sysRegKey(cp, opc1, crn, crm, opc2, wide));
    if (id === undefined) return -1;
    if (pl === 0 && this.defs[id].pl0 === undefined) return -1;
    return id;
  }

  endsBlock(id: number): boolean {
    return this.defs[id].endsBlock === true;
  }

  /** The SysLift for one privilege level and VFP state (`vfp` implies `cp10`). */
  liftEnv(pl: 0 | 1, cp10: boolean, vfp: boolean): SysLift {
    return {
      pl,
      cp10,
      vfp: cp10 && vfp,
      cpLookup: (cp, opc1, crn, crm, opc2, wide) => this.lookup(pl, cp, opc1, crn, crm, opc2, wide),
      cpWriteEndsBlock: (id) => this.endsBlock(id),
    };
  }

  // ---- the helpers' view (SysPort) ----------------------------------------------------

  private pl0Allowed(d: RegDef, write: boolean): boolean {
    const p = d.pl0;
    if (p === undefined || p === false) return false;
    if (typeof p === 'function') return p();
    return write ? p === 'rw' : true;
  }

  cpRead(id: number, pl: number): number {
    const d = this.defs[id];
    if ((pl === 0 && !this.pl0Allowed(d, false)) || d.access === 'w' || !d.read) throw new CpuTrap(Exit.UNDEF);
    const lo = d.read();
    if (d.wide) this.cpu.i32[W.HI] = d.readHi ? d.readHi() : 0;
    return lo;
  }

  cpWrite(id: number, pl: number, lo: number, hi: number): void {
    const d = this.defs[id];
    if ((pl === 0 && !this.pl0Allowed(d, true)) || d.access === 'r' || !d.write) throw new CpuTrap(Exit.UNDEF);
    d.write(lo, hi);
  }

  /** Reads a register by name from the runtime (tests, the gdb stub): the low word. */
  get(name: string): number {
    const d = this.byName(name);
    if (!d || !d.read) throw new Error(`no readable system register ${name}`);
    return d.read() >>> 0;
  }

  /** Writes a register by name from the runtime, as a PL1 MCR would. */
  set(name: string, lo: number, hi = 0): void {
    const d = this.byName(name);
    if (!d || !d.write) throw new Error(`no writable system register ${name}`);
    d.write(lo, hi);
  }
}
