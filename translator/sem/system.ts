// System and control instructions as a PL0 (user mode) guest sees them: SVC, BKPT, UDF, hints,
// barriers, MRS/MSR of the APSR, CPS/SETEND, IT, and the coprocessor register transfers.
// A block lifted for system mode (ctx.sys set) hands MRS/MSR, CPS, WFI/WFE/SEV and the
// coprocessor transfers to sem/priv.ts instead; without ctx.sys nothing below changes.
//
// User-mode facts checked against qemu-arm 7.2 -cpu cortex-a15 (linux-user):
// - MRS CPSR/APSR reads NZCVQ, GE and mode bits 0x10; the T, IT and J bits read as zero.
// - MSR writes NZCVQ (mask bit 3, "f") and GE (mask bit 2, "s"); the control field is ignored.
//   QEMU also lets mask bit 1 ("x") write CPSR.E (big-endian data); armvisor has no big-endian
//   data accesses, so that bit is ignored (rows mark such forms invalid for random tests).
// - CPS is a NOP at PL0; SETEND LE is a NOP; SETEND BE is UNDEFINED here (QEMU switches data
//   endianness, which armvisor does not model).
// - Hints (YIELD, WFE, WFI, SEV, DBG...) and barriers are NOPs.
// - Coprocessor registers readable at PL0 (every other access UNDEFINED, cp10/cp11 is VFP):
//   see CP_READ / CP_WRITE below.

import type { Args, Row, Sem } from '../decode/pattern.js';
import { Exit, W, type LiftCtx, type Temp } from '../lift/ctx.js';
import { hex, r } from './fmt.js';
import { endBlock, liftCp32, liftCp64, liftCps, liftHint, liftMrsCpsr, liftMsrCpsr } from './priv.js';

export const SVC: Sem = {
  name: 'SVC',
  lift: (ctx, a) => ctx.trap(Exit.SVC, a.imm),
  dis: (a, d) => `svc${d.cc} ${hex(a.imm)}`,
};

export const BKPT: Sem = {
  name: 'BKPT',
  lift: (ctx, a) => ctx.trap(Exit.BKPT, a.imm),
  dis: (a) => `bkpt ${hex(a.imm)}`,
};

/** UDF: permanently undefined (A8.8.247). */
export const UDF: Sem = {
  name: 'UDF',
  lift: (ctx) => ctx.undef(),
  dis: (a, d) => `udf${d.thumb && d.len === 4 ? '.w' : ''} #${a.imm}`,
};

/** Instructions that decode but are UNDEFINED at PL0 (SRS, RFE, ERET, SMC, HVC...). */
export function undefAtPL0(name: string): Sem {
  return { name: name.toUpperCase(), lift: (ctx) => ctx.undef(), dis: (_a, d) => `${name}${d.cc}` };
}

const HINT_NAMES: Record<number, string> = { 0: 'nop', 1: 'yield', 2: 'wfe', 3: 'wfi', 4: 'sev' };

/** Hints: op 0-4 as named, 0xf0-0xff DBG #n, the rest execute as NOP. */
export const HINT: Sem = {
  name: 'HINT',
  lift: (ctx, a) => {
    if (ctx.sys) liftHint(ctx, a.op);
  },
  dis: (a, d) => {
    const w = d.thumb && d.len === 4 ? '.w' : '';
    if ((a.op & 0xf0) === 0xf0) return `dbg${d.cc} #${a.op & 15}`;
    return `${HINT_NAMES[a.op] ?? 'nop'}${d.cc}${w}`;
  },
};

const BARRIER_OPT: Record<number, string> = { 15: 'sy', 14: 'st', 11: 'ish', 10: 'ishst', 7: 'nsh', 6: 'nshst', 3: 'osh', 2: 'oshst' };

/**
 * DMB / DSB: ordering has no visible effect on one vCPU. ISB ends the block, so instructions
 * written (and made visible by cache maintenance) before it are fetched anew after it (A3.8.3).
 */
export function barrier(name: 'dmb' | 'dsb' | 'isb'): Sem {
  return {
    name: name.toUpperCase(),
    lift: name === 'isb' ? endBlock : () => {},
    dis: (a) => `${name} ${BARRIER_OPT[a.option] ?? `#${a.option}`}`,
  };
}

/** MRS Rd, APSR (A8.8.108; B9.3.8 for the CPSR form, which QEMU returns with T/IT masked). */
export const MRS: Sem = {
  name: 'MRS',
  lift(ctx, a) {
    const b = ctx.b;
    if (a.rd === 15) return ctx.undef(); // UNPREDICTABLE
    if (ctx.sys) return liftMrsCpsr(ctx, a.rd);
    const bit = (w: number, n: number) => b.shli(b.get(w), n);
    let v = b.or(b.or(bit(W.N, 31), bit(W.Z, 30)), b.or(bit(W.C, 29), bit(W.V, 28)));
    v = b.or(v, bit(W.Q, 27));
    v = b.or(v, b.shli(b.andi(b.get(W.GE), 15), 16));
    ctx.setReg(a.rd, b.or(v, b.const(0x10)));
  },
  dis: (a, d) => `mrs${d.cc} ${r(a.rd)}, CPSR`,
};

function msrWrite(ctx: LiftCtx, v: Temp, mask: number): void {
  const b = ctx.b;
  const val = () => v;
  if (mask & 8) {
    b.set(W.N, b.shri(val(), 31));
    b.set(W.Z, b.bit(val(), 30));
    b.set(W.C, b.bit(val(), 29));
    b.set(W.V, b.bit(val(), 28));
    b.set(W.Q, b.bit(val(), 27));
  }
  if (mask & 4) b.set(W.GE, b.andi(b.shri(val(), 16), 15));
}

const msrFields = (mask: number) => 'APSR_' + ((mask & 8 ? 'nzcvq' : '') + (mask & 4 ? 'g' : '') || '') + (mask & 3 ? `(${mask & 2 ? 'x' : ''}${mask & 1 ? 'c' : ''})` : '');

/** MSR APSR/CPSR, Rn (A8.8.110, B9.3.12): args rn, mask. */
export const MSR_r: Sem = {
  name: 'MSR_r',
  lift(ctx, a) {
    if (ctx.sys) return liftMsrCpsr(ctx, ctx.reg(a.rn), a.mask);
    msrWrite(ctx, ctx.reg(a.rn), a.mask);
  },
  dis: (a, d) => `msr${d.cc} ${msrFields(a.mask)}, ${r(a.rn)}`,
};

/** MSR APSR/CPSR, #imm (A8.8.109): args imm (expanded), mask. */
export const MSR_i: Sem = {
  name: 'MSR_i',
  lift(ctx, a) {
    if (ctx.sys) return liftMsrCpsr(ctx, ctx.b.const(a.imm), a.mask);
    msrWrite(ctx, ctx.b.const(a.imm), a.mask);
  },
  dis: (a, d) => `msr${d.cc} ${msrFields(a.mask)}, #${hex(a.imm)}`,
};

/** CPS: no effect at PL0 (B9.3.2); at PL1 changes the masks and mode (priv.ts). */
export const CPS: Sem = {
  name: 'CPS',
  lift: (ctx, a) => {
    if (ctx.sys && ctx.sys.pl === 1) liftCps(ctx, a);
  },
  dis: (a) => (a.imod >= 2 ? `cps${a.imod === 2 ? 'ie' : 'id'} ${a.a ? 'a' : ''}${a.i ? 'i' : ''}${a.f ? 'f' : ''}` : `cps #${a.mode}`),
};

/** SETEND (A8.8.159): LE is a no-op; BE is not modelled (see the file comment). */
export const SETEND: Sem = {
  name: 'SETEND',
  lift(ctx, a) {
    if (a.e) ctx.undef();
  },
  dis: (a) => `setend ${a.e ? 'be' : 'le'}`,
};

/** IT (A8.8.55): the block loop applies ITSTATE = firstcond:mask to what follows. */
export const IT: Sem = {
  name: 'IT',
  lift(ctx, a) {
    ctx.newIT = ((a.firstcond << 4) | a.mask) & 0xff;
  },
  dis: (a) => {
    const cc = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'];
    let s = '';
    const lowBit = a.mask & -a.mask;
    for (let bit = 8; bit > lowBit; bit >>= 1) s += ((a.mask & bit ? 1 : 0) === (a.firstcond & 1) ? 't' : 'e');
    return `it${s} ${cc[a.firstcond]}`;
  },
};

// ---- coprocessor register transfers (A8.8.98 MCR, A8.8.99 MCRR, A8.8.107 MRC, A8.8.108 MRRC) --

/** Key of a 32-bit coprocessor register: cp, opc1, CRn, CRm, opc2. */
export const cpKey = (cp: number, opc1: number, crn: number, crm: number, opc2: number): string =>
  `p${cp}:${opc1}:c${crn}:c${crm}:${opc2}`;

type CpRead = (ctx: LiftCtx) => Temp;

/** The coprocessor registers PL0 may access, by name: [cp, opc1, CRn, CRm, opc2]. */
export const CP_REGS: Record<string, [number, number, number, number, number]> = {
  DBGDIDR: [14, 0, 0, 0, 0],
  DBGDRAR: [14, 0, 1, 0, 0],
  DBGDSAR: [14, 0, 2, 0, 0],
  TEEHBR: [14, 6, 1, 0, 0],
  MPIDR: [15, 0, 0, 0, 5],
  CP15ISB: [15, 0, 7, 5, 4],
  CP15DSB: [15, 0, 7, 10, 4],
  CP15DMB: [15, 0, 7, 10, 5],
  PMUSERENR: [15, 0, 9, 14, 0],
  TPIDRURW: [15, 0, 13, 0, 2],
  TPIDRURO: [15, 0, 13, 0, 3],
};

/** 32-bit registers a PL0 MRC may read (qemu-arm -cpu cortex-a15 values). */
export const CP_READ: Record<string, CpRead> = {
  [cpKey(14, 0, 0, 0, 0)]: (c) => c.b.const(0x3515f021), // DBGDIDR
  [cpKey(14, 0, 1, 0, 0)]: (c) => c.b.const(0), // DBGDRAR
  [cpKey(14, 0, 2, 0, 0)]: (c) => c.b.const(0), // DBGDSAR
  [cpKey(14, 6, 1, 0, 0)]: (c) => c.b.get(W.TEEHBR), // TEEHBR
  [cpKey(15, 0, 0, 0, 5)]: (c) => c.b.const(0x80000000 | 0), // MPIDR
  [cpKey(15, 0, 9, 14, 0)]: (c) => c.b.const(0), // PMUSERENR
  [cpKey(15, 0, 13, 0, 2)]: (c) => c.b.get(W.TPIDRURW),
  [cpKey(15, 0, 13, 0, 3)]: (c) => c.b.get(W.TPIDRURO),
};

/** 32-bit registers a PL0 MCR may write; null = accepted and ignored (CP15 barriers). */
export const CP_WRITE: Record<string, number | null> = {
  [cpKey(14, 6, 1, 0, 0)]: W.TEEHBR,
  [cpKey(15, 0, 7, 5, 4)]: null, // CP15ISB
  [cpKey(15, 0, 7, 10, 4)]: null, // CP15DSB
  [cpKey(15, 0, 7, 10, 5)]: null, // CP15DMB
  [cpKey(15, 0, 13, 0, 2)]: W.TPIDRURW,
};

/** 64-bit registers a PL0 MRRC may read: cp:opc1:CRm. */
export const CP_READ64: Record<string, [number, number]> = {
  'p14:0:c1': [0, 0], // DBGDRAR
  'p14:0:c2': [0, 0], // DBGDSAR
};

const cpText = (a: Args) => `p${a.cp}, ${a.opc1}, ${r(a.rt)}, c${a.crn}, c${a.crm}, {${a.opc2}}`;

export const MRC: Sem = {
  name: 'MRC',
  lift(ctx, a) {
    if (ctx.sys) return liftCp32(ctx, true, a.cp, a.opc1, a.crn, a.crm, a.opc2, a.rt);
    const rd = CP_READ[cpKey(a.cp, a.opc1, a.crn, a.crm, a.opc2)];
    if (!rd) return ctx.undef();
    const v = rd(ctx);
    if (a.rt !== 15) return ctx.setReg(a.rt, v);
    // Rt = 15: APSR_nzcv = value<31:28>.
    const b = ctx.b;
    b.set(W.N, b.shri(v, 31));
    b.set(W.Z, b.bit(v, 30));
    b.set(W.C, b.bit(v, 29));
    b.set(W.V, b.bit(v, 28));
  },
  dis: (a, d) => `mrc${d.cc} ${cpText(a).replace(/^(p\d+, \d+, )pc/, '$1APSR_nzcv')}`,
};

export const MCR: Sem = {
  name: 'MCR',
  lift(ctx, a) {
    if (ctx.sys) return liftCp32(ctx, false, a.cp, a.opc1, a.crn, a.crm, a.opc2, a.rt);
    const w = CP_WRITE[cpKey(a.cp, a.opc1, a.crn, a.crm, a.opc2)];
    if (w === undefined || a.rt === 15) return ctx.undef();
    if (w !== null) ctx.b.set(w, ctx.reg(a.rt));
  },
  dis: (a, d) => `mcr${d.cc} ${cpText(a)}`,
};

export const MRRC: Sem = {
  name: 'MRRC',
  lift(ctx, a) {
    if (ctx.sys) return liftCp64(ctx, true, a);
    const v = CP_READ64[`p${a.cp}:${a.opc1}:c${a.crm}`];
    if (!v || a.rt === 15 || a.rt2 === 15) return ctx.undef();
    ctx.setReg(a.rt, ctx.b.const(v[0]));
    ctx.setReg(a.rt2, ctx.b.const(v[1]));
  },
  dis: (a, d) => `mrrc${d.cc} p${a.cp}, ${a.opc1}, ${r(a.rt)}, ${r(a.rt2)}, c${a.crm}`,
};

/** No 64-bit coprocessor register is writable at PL0 in user mode. */
export const MCRR: Sem = {
  name: 'MCRR',
  lift: (ctx, a) => (ctx.sys ? liftCp64(ctx, false, a) : ctx.undef()),
  dis: (a, d) => `mcrr${d.cc} p${a.cp}, ${a.opc1}, ${r(a.rt)}, ${r(a.rt2)}, c${a.crm}`,
};

/**
 * Rows for the PL0-accessible registers (fixed cp/opc1/CRn/CRm/opc2, free Rt) so the random
 * tester draws them, then a general row (UNDEFINED at run time) for the rest of cp14/cp15.
 * `enc(l, cp, opc1, crn, crm, opc2)` builds one encoding string with an `rt:4` field.
 */
export function cpRows(
  enc: (l: number, f: string[]) => string,
  general: (l: number) => string,
  badRt: (rt: number) => boolean,
): Row[] {
  const bits = (v: number, n: number) => v.toString(2).padStart(n, '0');
  const rows: Row[] = [];
  for (const [name, [cp, opc1, crn, crm, opc2]] of Object.entries(CP_REGS)) {
    const k = cpKey(cp, opc1, crn, crm, opc2);
    const f = [bits(opc1, 3), bits(crn, 4), bits(cp, 4), bits(opc2, 3), bits(crm, 4)];
    const set = { cp, opc1, crn, crm, opc2 };
    if (k in CP_READ) rows.push({ name: `MRC_${name}`, enc: enc(1, f), sem: MRC, set, valid: (a) => !badRt(a.rt) || a.rt === 15 }); // Rt = 15: APSR_nzcv
    if (k in CP_WRITE) rows.push({ name: `MCR_${name}`, enc: enc(0, f), sem: MCR, set, valid: (a) => !badRt(a.rt) && a.rt !== 15 });
  }
  rows.push(
    { name: 'MRC', enc: general(1), sem: MRC, when: (a) => a.cp >= 14, noRandom: true },
    { name: 'MCR', enc: general(0), sem: MCR, when: (a) => a.cp >= 14, noRandom: true },
  );
  return rows;
}

/** MRRC rows: DBGDRAR and DBGDSAR (64-bit, read as zero), then the general UNDEFINED row. */
export function mrrcRows(enc: (crm: number | null) => string, badRt: (rt: number) => boolean): Row[] {
  const valid = (a: Args) => !badRt(a.rt) && !badRt(a.rt2) && a.rt !== a.rt2 && a.rt !== 15 && a.rt2 !== 15;
  return [
    { name: 'MRRC_DBGDRAR', enc: enc(1), sem: MRRC, set: { cp: 14, opc1: 0, crm: 1 }, valid },
    { name: 'MRRC_DBGDSAR', enc: enc(2), sem: MRRC, set: { cp: 14, opc1: 0, crm: 2 }, valid },
    { name: 'MRRC', enc: enc(null), sem: MRRC, when: (a) => a.cp >= 14, noRandom: true },
  ];
}
