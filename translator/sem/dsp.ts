// Saturating arithmetic and the DSP multiplies (ARM ARM A4.4.3, A4.4.5; A8.8.123-126 QADD
// QSUB QDADD QDSUB, A8.8.166/A8.8.253 SSAT/USAT(16), A8.8.176-A8.8.191 the signed halfword,
// word and dual multiplies, A8.8.125 PKHBT/PKHTB). The arithmetic is exact in helpers over
// doubles (products of 32-bit values are computed in two halves) or BigInt for 64-bit sums;
// Q is set as the ARM ARM's SignedSatQ / overflow rules say.

import type { Args, Sem } from '../decode/pattern.js';
import { defineHelper } from '../helpers.js';
import { W, type CpuState } from '../state.js';
import type { LiftCtx } from '../lift/ctx.js';
import { r } from './fmt.js';
import { setRd } from './rd.js';

const setQ = (cpu: CpuState) => {
  cpu.i32[W.Q] = 1;
};

/** SignedSatQ(i, n): [value, saturated]. */
function ssat(i: number, n: number): [number, boolean] {
  const max = 2 ** (n - 1) - 1;
  const min = -(2 ** (n - 1));
  if (i > max) return [max, true];
  if (i < min) return [min, true];
  return [i, false];
}
/** UnsignedSatQ(i, n). */
function usat(i: number, n: number): [number, boolean] {
  const max = 2 ** n - 1;
  if (i > max) return [max, true];
  if (i < 0) return [0, true];
  return [i, false];
}

const hi16 = (v: number) => v >> 16;
const lo16 = (v: number) => (v << 16) >> 16;

// ---- QADD, QSUB, QDADD, QDSUB: Rd = sat(Rm +/- [2*]Rn) ------------------------------------

function qop(name: string, sub: boolean, dbl: boolean): Sem {
  const id = defineHelper(`q_${name}`, (cpu, m, n) => {
    let q = false;
    let b = n;
    if (dbl) {
      const [d, s] = ssat(2 * n, 32);
      b = d;
      q ||= s;
    }
    const [v, s2] = ssat(sub ? m - b : m + b, 32);
    if (q || s2) setQ(cpu);
    return v;
  });
  return {
    name: name.toUpperCase(),
    lift(ctx, a) {
      setRd(ctx, a.rd, ctx.b.call(id, [ctx.reg(a.rm), ctx.reg(a.rn)]));
    },
    dis: (a, d) => `${name}${d.cc} ${r(a.rd)}, ${r(a.rm)}, ${r(a.rn)}`,
  };
}
export const QADD = qop('qadd', false, false);
export const QSUB = qop('qsub', true, false);
export const QDADD = qop('qdadd', false, true);
export const QDSUB = qop('qdsub', true, true);

// ---- SSAT, USAT (args rd rn sat sh shim), SSAT16, USAT16 (rd rn sat) ----------------------

const SAT_ID = defineHelper('sat', (cpu, v, bits, unsigned) => {
  const [x, s] = unsigned ? usat(v, bits) : ssat(v, bits);
  if (s) setQ(cpu);
  return x;
});
const SAT16_ID = defineHelper('sat16', (cpu, v, bits, unsigned) => {
  const f = unsigned ? usat : ssat;
  const [a, s1] = f(lo16(v), bits);
  const [b, s2] = f(hi16(v), bits);
  if (s1 || s2) setQ(cpu);
  return (a & 0xffff) | (b << 16);
});

function sat(name: string, unsigned: boolean): Sem {
  return {
    name: name.toUpperCase(),
    lift(ctx, a) {
      const b = ctx.b;
      // Operand: Rn LSL #imm or ASR #imm (ASR #0 means #32).
      const n = ctx.reg(a.rn);
      const v = a.sh ? b.sari(n, a.shim === 0 ? 31 : a.shim) : b.shli(n, a.shim);
      const bits = unsigned ? a.sat : a.sat + 1;
      setRd(ctx, a.rd, b.call(SAT_ID, [v, b.const(bits), b.const(unsigned ? 1 : 0)]));
    },
    dis: (a, d) => {
      // The shift as encoded: objdump prints ASR #32 (imm5 = 0) as `asr #0`.
      const sh = a.sh ? `, asr #${a.shim}` : a.shim ? `, lsl #${a.shim}` : '';
      return `${name}${d.cc} ${r(a.rd)}, #${unsigned ? a.sat : a.sat + 1}, ${r(a.rn)}${sh}`;
    },
  };
}
export const SSAT = sat('ssat', false);
export const USAT = sat('usat', true);

function sat16(name: string, unsigned: boolean): Sem {
  return {
    name: name.toUpperCase(),
    lift(ctx, a) {
      const b = ctx.b;
      const bits = unsigned ? a.sat : a.sat + 1;
      setRd(ctx, a.rd, b.call(SAT16_ID, [ctx.reg(a.rn), b.const(bits), b.const(unsigned ? 1 : 0)]));
    },
    dis: (a, d) => `${name}${d.cc} ${r(a.rd)}, #${unsigned ? a.sat : a.sat + 1}, ${r(a.rn)}`,
  };
}
export const SSAT16 = sat16('ssat16', false);
export const USAT16 = sat16('usat16', true);

// ---- Halfword multiplies: SMUL<x><y>, SMLA<x><y>, SMULW<y>, SMLAW<y>, SMLAL<x><y> ----------
// Args: rd rn rm [ra] nhigh mhigh; SMLALxy: rdlo rdhi rn rm nhigh mhigh.

const half = (v: number, high: number) => (high ? hi16(v) : lo16(v));
const xy = (a: Args) => `${a.nhigh ? 't' : 'b'}${a.mhigh ? 't' : 'b'}`;

/** flags: bit0 n high, bit1 m high, bit2 accumulate (ra given), bit3 "W" (word x half >> 16). */
const HMUL_ID = defineHelper('smul_half', (cpu, n, m, acc, flags) => {
  const op2 = half(m, flags & 2);
  let p: number;
  if (flags & 8) {
    // (Rn * half) >> 16, exact: split Rn into halves.
    const hiPart = (n >> 16) * op2; // up to 2^31
    const loPart = (n & 0xffff) * op2;
    p = hiPart + Math.floor(loPart / 65536);
  } else p = half(n, flags & 1) * op2;
  if (!(flags & 4)) return p | 0;
  const sum = p + acc;
  if (sum > 0x7fffffff || sum < -0x80000000) setQ(cpu);
  return sum | 0;
});

function hmul(kind: 'smul' | 'smla' | 'smulw' | 'smlaw'): Sem {
  const acc = kind === 'smla' || kind === 'smlaw';
  const w = kind === 'smulw' || kind === 'smlaw';
  return {
    name: kind.toUpperCase(),
    lift(ctx, a) {
      const b = ctx.b;
      const flags = (a.nhigh ? 1 : 0) | (a.mhigh ? 2 : 0) | (acc ? 4 : 0) | (w ? 8 : 0);
      setRd(ctx, a.rd, b.call(HMUL_ID, [ctx.reg(a.rn), ctx.reg(a.rm), acc ? ctx.reg(a.ra) : b.const(0), b.const(flags)]));
    },
    dis: (a, d) => `${kind}${w ? (a.mhigh ? 't' : 'b') : xy(a)}${d.cc} ${r(a.rd)}, ${r(a.rn)}, ${r(a.rm)}${acc ? `, ${r(a.ra)}` : ''}`,
  };
}
export const SMULxy = hmul('smul');
export const SMLAxy = hmul('smla');
export const SMULWy = hmul('smulw');
export const SMLAWy = hmul('smlaw');

/**
 * 64-bit accumulations write RdLo/RdHi themselves: the helper gets the two operands and
 * (rdlo | rdhi << 4 | op << 8) and reads the accumulator from the state block.
 * op: 0 SMLALxy (+flags nhigh<<4, mhigh<<5), 1 SMLALD, 2 SMLSLD (+ swap<<4).
 */
const LONG_ID = defineHelper('smlal_dsp', (cpu, n, m, regs) => {
  const rlo = regs & 15;
  const rhi = (regs >>> 4) & 15;
  const op = (regs >>> 8) & 3;
  const f = regs >>> 12;
  let p: bigint;
  if (op === 0) p = BigInt(half(n, f & 1) * half(m, f & 2));
  else {
    const mm = f & 1 ? ((m >>> 16) | (m << 16)) | 0 : m;
    const p1 = BigInt(lo16(n) * lo16(mm));
    const p2 = BigInt(hi16(n) * hi16(mm));
    p = op === 1 ? p1 + p2 : p1 - p2;
  }
  const accv = (BigInt(cpu.i32[rhi]) << 32n) | BigInt(cpu.u32[rlo]);
  const res = BigInt.asIntN(64, accv + p);
  cpu.i32[rlo] = Number(BigInt.asIntN(32, res));
  cpu.i32[rhi] = Number(res >> 32n);
  return 0;
});

/**
 * Calls LONG_ID. RdLo/RdHi = PC (UNPREDICTABLE) behave as in QEMU: the accumulator half reads
 * as PC+8/+4 (stored in the PC word for the helper) and the result is a branch (rd.ts).
 */
function callLong(ctx: LiftCtx, a: Args, regs: number): void {
  const b = ctx.b;
  const pc = a.rdlo === 15 || a.rdhi === 15;
  if (pc) b.set(W.PC, b.const(ctx.pcValue()));
  b.callVoid(LONG_ID, [ctx.reg(a.rn), ctx.reg(a.rm), b.const(regs)]);
  if (pc) ctx.writePC(b.get(W.PC), 'branch');
}

export const SMLALxy: Sem = {
  name: 'SMLALXY',
  lift(ctx, a) {
    const f = (a.nhigh ? 1 : 0) | (a.mhigh ? 2 : 0);
    callLong(ctx, a, a.rdlo | (a.rdhi << 4) | (0 << 8) | (f << 12));
  },
  dis: (a, d) => `smlal${xy(a)}${d.cc} ${r(a.rdlo)}, ${r(a.rdhi)}, ${r(a.rn)}, ${r(a.rm)}`,
};

function longDual(name: string, op: 1 | 2): Sem {
  return {
    name: name.toUpperCase(),
    lift(ctx, a) {
      callLong(ctx, a, a.rdlo | (a.rdhi << 4) | (op << 8) | ((a.swap ? 1 : 0) << 12));
    },
    dis: (a, d) => `${name}${a.swap ? 'x' : ''}${d.cc} ${r(a.rdlo)}, ${r(a.rdhi)}, ${r(a.rn)}, ${r(a.rm)}`,
  };
}
export const SMLALD = longDual('smlald', 1);
export const SMLSLD = longDual('smlsld', 2);

// ---- Dual 16-bit multiplies: SMUAD SMUSD SMLAD SMLSD (args rd rn rm ra swap; ra 15 = none) --

/** flags: bit0 swap, bit1 subtract, bit2 accumulate. */
const DUAL_ID = defineHelper('smuad', (cpu, n, m, acc, flags) => {
  const mm = flags & 1 ? ((m >>> 16) | (m << 16)) | 0 : m;
  const p1 = lo16(n) * lo16(mm);
  const p2 = hi16(n) * hi16(mm);
  let v = flags & 2 ? p1 - p2 : p1 + p2;
  if (flags & 4) v += acc;
  if (v > 0x7fffffff || v < -0x80000000) setQ(cpu);
  return v | 0;
});

function dual(name: string, sub: boolean): Sem {
  return {
    name: name.toUpperCase(),
    lift(ctx, a) {
      const b = ctx.b;
      const acc = a.ra !== 15;
      const flags = (a.swap ? 1 : 0) | (sub ? 2 : 0) | (acc ? 4 : 0);
      setRd(ctx, a.rd, b.call(DUAL_ID, [ctx.reg(a.rn), ctx.reg(a.rm), acc ? ctx.reg(a.ra) : b.const(0), b.const(flags)]));
    },
    dis: (a, d) => {
      const acc = a.ra !== 15;
      const base = acc ? (sub ? 'smlsd' : 'smlad') : sub ? 'smusd' : 'smuad';
      return `${base}${a.swap ? 'x' : ''}${d.cc} ${r(a.rd)}, ${r(a.rn)}, ${r(a.rm)}${acc ? `, ${r(a.ra)}` : ''}`;
    },
  };
}
export const SMLAD = dual('smlad', false);
export const SMLSD = dual('smlsd', true);

// ---- SMMUL, SMMLA, SMMLS (args rd rn rm ra round; ra 15 = SMMUL) ---------------------------

/** flags: bit0 round, bit1 accumulate, bit2 subtract. */
const MM_ID = defineHelper('smmul', (_cpu, n, m, acc, flags) => {
  let v = BigInt(n) * BigInt(m);
  if (flags & 2) v = flags & 4 ? (BigInt(acc) << 32n) - v : (BigInt(acc) << 32n) + v;
  if (flags & 1) v += 0x80000000n;
  return Number(BigInt.asIntN(32, v >> 32n));
}, false);

function mm(name: string, sub: boolean): Sem {
  return {
    name: name.toUpperCase(),
    lift(ctx, a) {
      const b = ctx.b;
      const acc = a.ra !== 15;
      const flags = (a.round ? 1 : 0) | (acc ? 2 : 0) | (sub ? 4 : 0);
      setRd(ctx, a.rd, b.call(MM_ID, [ctx.reg(a.rn), ctx.reg(a.rm), acc ? ctx.reg(a.ra) : b.const(0), b.const(flags)]));
    },
    dis: (a, d) => {
      const acc = a.ra !== 15;
      return `${acc ? name : 'smmul'}${a.round ? 'r' : ''}${d.cc} ${r(a.rd)}, ${r(a.rn)}, ${r(a.rm)}${acc ? `, ${r(a.ra)}` : ''}`;
    },
  };
}
export const SMMLA = mm('smmla', false);
export const SMMLS = mm('smmls', true);

// ---- PKHBT, PKHTB (args rd rn rm tb shim) --------------------------------------------------

export const PKH: Sem = {
  name: 'PKH',
  lift(ctx, a) {
    const b = ctx.b;
    const n = ctx.reg(a.rn);
    const m = ctx.reg(a.rm);
    if (a.tb) {
      // PKHTB: Rn's top half, (Rm ASR #imm)'s bottom half (ASR #0 means #32).
      const sh = b.sari(m, a.shim === 0 ? 31 : a.shim);
      setRd(ctx, a.rd, b.or(b.andi(n, 0xffff0000 | 0), b.andi(sh, 0xffff)));
    } else {
      setRd(ctx, a.rd, b.or(b.andi(n, 0xffff), b.andi(b.shli(m, a.shim), 0xffff0000 | 0)));
    }
  },
  dis: (a, d) =>
    a.tb
      ? `pkhtb${d.cc} ${r(a.rd)}, ${r(a.rn)}, ${r(a.rm)}, asr #${a.shim === 0 ? 32 : a.shim}`
      : `pkhbt${d.cc} ${r(a.rd)}, ${r(a.rn)}, ${r(a.rm)}${a.shim ? `, lsl #${a.shim}` : ''}`,
};
