// The VFP helper calls: each reads its operands from the register file in the state block by
// register number, runs under the FPSCR controls and ORs the exception bits it raised into
// FPSCR. Arguments are packed into the helper's i32 args (see the pack* functions) so a
// lifted VFP instruction is one CONST and one CALL.

import { defineHelper } from '../helpers.js';
import { W, wD, wS, type CpuState } from '../state.js';
import { F16, AHP16, F32, F64, FPEnv, RNE, RZ, compare, convert, fromFixed, toFixed } from './softfloat.js';
import { OP_ADD, OP_DIV, OP_MUL, OP_SUB, R64, arith32, arith64, muladd32, muladd64, setBig64, sqrt32, sqrt64, toBig64 } from './ops.js';

const env = new FPEnv();

/** The data-processing operations of vfp_dp_s / vfp_dp_d (ARM ARM A7.5). */
export const VOp = {
  ADD: 0,
  SUB: 1,
  MUL: 2,
  DIV: 3,
  NMUL: 4,
  MLA: 5,
  MLS: 6,
  NMLA: 7,
  NMLS: 8,
  FMA: 9,
  FMS: 10,
  FNMA: 11,
  FNMS: 12,
  SQRT: 13,
} as const;

export const packRegs = (d: number, n: number, m: number): number => d | (n << 8) | (m << 16);

const SIGN = 0x80000000 | 0;

function begin(cpu: CpuState): void {
  env.load(cpu.i32[W.FPSCR]);
}
function end(cpu: CpuState): void {
  if (env.flags) cpu.i32[W.FPSCR] |= env.flags;
}

/** Single-precision data processing: Sd = op(Sn, Sm) (and Sd for the accumulating forms). */
export function vfpDpS(cpu: CpuState, packed: number, op: number): number {
  const s = cpu.i32;
  const wd = wS(packed & 0xff);
  const n = s[wS((packed >>> 8) & 0xff)];
  const m = s[wS((packed >>> 16) & 0xff)];
  begin(cpu);
  let r: number;
  switch (op) {
    case VOp.ADD:
      r = arith32(OP_ADD, n, m, env);
      break;
    case VOp.SUB:
      r = arith32(OP_SUB, n, m, env);
      break;
    case VOp.MUL:
      r = arith32(OP_MUL, n, m, env);
      break;
    case VOp.DIV:
      r = arith32(OP_DIV, n, m, env);
      break;
    case VOp.NMUL:
      r = arith32(OP_MUL, n, m, env) ^ SIGN;
      break;
    case VOp.MLA: // d + (n*m), with the product rounded first (not fused)
      r = arith32(OP_ADD, s[wd], arith32(OP_MUL, n, m, env), env);
      break;
    case VOp.MLS:
      r = arith32(OP_ADD, s[wd], arith32(OP_MUL, n, m, env) ^ SIGN, env);
      break;
    case VOp.NMLA:
      r = arith32(OP_ADD, s[wd] ^ SIGN, arith32(OP_MUL, n, m, env) ^ SIGN, env);
      break;
    case VOp.NMLS:
      r = arith32(OP_ADD, s[wd] ^ SIGN, arith32(OP_MUL, n, m, env), env);
      break;
    case VOp.FMA:
      r = muladd32(n, m, s[wd], env);
      break;
    case VOp.FMS:
      r = muladd32(n ^ SIGN, m, s[wd], env);
      break;
    case VOp.FNMA:
      r = muladd32(n ^ SIGN, m, s[wd] ^ SIGN, env);
      break;
    case VOp.FNMS:
      r = muladd32(n, m, s[wd] ^ SIGN, env);
      break;
    default:
      r = sqrt32(m, env);
  }
  s[wd] = r;
  end(cpu);
  return 0;
}

/** Double-precision data processing: Dd = op(Dn, Dm). */
export function vfpDpD(cpu: CpuState, packed: number, op: number): number {
  const s = cpu.i32;
  const wd = wD(packed & 0xff);
  const wn = wD((packed >>> 8) & 0xff);
  const wm = wD((packed >>> 16) & 0xff);
  const nh = s[wn + 1],
    nl = s[wn],
    mh = s[wm + 1],
    ml = s[wm];
  begin(cpu);
  switch (op) {
    case VOp.ADD:
    case VOp.SUB:
    case VOp.MUL:
    case VOp.DIV:
      arith64(op === VOp.ADD ? OP_ADD : op === VOp.SUB ? OP_SUB : op === VOp.MUL ? OP_MUL : OP_DIV, nh, nl, mh, ml, env);
      break;
    case VOp.NMUL:
      arith64(OP_MUL, nh, nl, mh, ml, env);
      R64.hi ^= SIGN;
      break;
    case VOp.MLA:
    case VOp.MLS:
    case VOp.NMLA:
    case VOp.NMLS: {
      arith64(OP_MUL, nh, nl, mh, ml, env);
      const ph = op === VOp.MLS || op === VOp.NMLA ? R64.hi ^ SIGN : R64.hi;
      const pl = R64.lo;
      const dh = op === VOp.NMLA || op === VOp.NMLS ? s[wd + 1] ^ SIGN : s[wd + 1];
      arith64(OP_ADD, dh, s[wd], ph, pl, env);
      break;
    }
    case VOp.FMA:
      muladd64(nh, nl, mh, ml, s[wd + 1], s[wd], env);
      break;
    case VOp.FMS:
      muladd64(nh ^ SIGN, nl, mh, ml, s[wd + 1], s[wd], env);
      break;
    case VOp.FNMA:
      muladd64(nh ^ SIGN, nl, mh, ml, s[wd + 1] ^ SIGN, s[wd], env);
      break;
    case VOp.FNMS:
      muladd64(nh, nl, mh, ml, s[wd + 1] ^ SIGN, s[wd], env);
      break;
    default:
      sqrt64(mh, ml, env);
  }
  s[wd] = R64.lo;
  s[wd + 1] = R64.hi;
  end(cpu);
  return 0;
}

/** VCMP/VCMPE: flags bit 0 = E (signal quiet NaNs), bit 1 = compare with zero, bit 2 = double. */
export function vfpCmp(cpu: CpuState, packed: number, flags: number): number {
  const s = cpu.i32;
  const d = packed & 0xff;
  const m = (packed >>> 8) & 0xff;
  const withZero = (flags & 2) !== 0;
  begin(cpu);
  let nzcv: number;
  if (flags & 4) {
    const a = toBig64(s[wD(d) + 1], s[wD(d)]);
    const b = withZero ? 0n : toBig64(s[wD(m) + 1], s[wD(m)]);
    nzcv = compare(a, b, F64, env, (flags & 1) !== 0);
  } else {
    const a = BigInt(s[wS(d)] >>> 0);
    const b = withZero ? 0n : BigInt(s[wS(m)] >>> 0);
    nzcv = compare(a, b, F32, env, (flags & 1) !== 0);
  }
  s[W.FPSCR] = (s[W.FPSCR] & 0x0fffffff) | (nzcv << 28) | env.flags;
  return 0;
}

/** Conversion kinds of vfp_cvt (ARM ARM A8.8.306-A8.8.310). */
export const Cvt = {
  F64_F32: 0, // Dd = Sm
  F32_F64: 1, // Sd = Dm
  F32_F16B: 2, // Sd = half in Sm<15:0>
  F32_F16T: 3, // Sd = half in Sm<31:16>
  F16B_F32: 4, // Sd<15:0> = Sm
  F16T_F32: 5, // Sd<31:16> = Sm
} as const;

export function vfpCvt(cpu: CpuState, packed: number, kind: number): number {
  const s = cpu.i32;
  const d = packed & 0xff;
  const m = (packed >>> 8) & 0xff;
  begin(cpu);
  const half = env.ahp ? AHP16 : F16;
  switch (kind) {
    case Cvt.F64_F32: {
      setBig64(convert(BigInt(s[wS(m)] >>> 0), F32, F64, env, true, true));
      s[wD(d)] = R64.lo;
      s[wD(d) + 1] = R64.hi;
      break;
    }
    case Cvt.F32_F64:
      s[wS(d)] = Number(convert(toBig64(s[wD(m) + 1], s[wD(m)]), F64, F32, env, true, true)) | 0;
      break;
    case Cvt.F32_F16B:
    case Cvt.F32_F16T: {
      const h = kind === Cvt.F32_F16T ? s[wS(m)] >>> 16 : s[wS(m)] & 0xffff;
      s[wS(d)] = Number(convert(BigInt(h), half, F32, env, false, true)) | 0;
      break;
    }
    default: {
      const h = Number(convert(BigInt(s[wS(m)] >>> 0), F32, half, env, true, false));
      const old = s[wS(d)];
      s[wS(d)] = kind === Cvt.F16T_F32 ? (old & 0xffff) | (h << 16) : (old & ~0xffff) | h;
    }
  }
  end(cpu);
  return 0;
}

/**
 * Float to integer / fixed point. packed: d | m << 8 | (fbits + 64) << 16; flags: bit 0 double
 * source, bit 1 unsigned, bit 2 round toward zero (else FPSCR.RMode), bit 3 16-bit result,
 * bit 4 double destination (fixed-point forms write the whole Dd, sign- or zero-extended).
 */
export function vfpToInt(cpu: CpuState, packed: number, flags: number): number {
  const s = cpu.i32;
  const d = packed & 0xff;
  const m = (packed >>> 8) & 0xff;
  const fbits = ((packed >>> 16) & 0xff) - 64;
  begin(cpu);
  const src = flags & 1 ? toBig64(s[wD(m) + 1], s[wD(m)]) : BigInt(s[wS(m)] >>> 0);
  const unsigned = (flags & 2) !== 0;
  const v = toFixed(src, flags & 1 ? F64 : F32, env, fbits, flags & 8 ? 16 : 32, unsigned, flags & 4 ? RZ : env.rmode);
  if (flags & 16) {
    s[wD(d)] = v | 0;
    s[wD(d) + 1] = !unsigned && v < 0 ? -1 : 0;
  } else {
    s[wS(d)] = v | 0;
  }
  end(cpu);
  return 0;
}

/**
 * Integer / fixed point to float. packed as vfpToInt; flags: bit 0 double destination, bit 1
 * unsigned, bit 3 16-bit source, bit 4 double source register (fixed point in Dd), bit 5
 * round to nearest (the fixed-point forms, as QEMU does) instead of FPSCR.RMode.
 */
export function vfpFromInt(cpu: CpuState, packed: number, flags: number): number {
  const s = cpu.i32;
  const d = packed & 0xff;
  const m = (packed >>> 8) & 0xff;
  const fbits = ((packed >>> 16) & 0xff) - 64;
  begin(cpu);
  const raw = flags & 16 ? s[wD(m)] : s[wS(m)];
  const unsigned = (flags & 2) !== 0;
  let v: number;
  if (flags & 8) v = unsigned ? raw & 0xffff : (raw << 16) >> 16;
  else v = unsigned ? raw >>> 0 : raw;
  const rmode = flags & 32 ? RNE : env.rmode;
  if (flags & 1) {
    setBig64(fromFixed(v, fbits, F64, env, rmode));
    s[wD(d)] = R64.lo;
    s[wD(d) + 1] = R64.hi;
  } else {
    s[wS(d)] = Number(fromFixed(v, fbits, F32, env, rmode)) | 0;
  }
  end(cpu);
  return 0;
}

export const H = {
  dpS: defineHelper('vfp_dp_s', vfpDpS, 'vfp'),
  dpD: defineHelper('vfp_dp_d', vfpDpD, 'vfp'),
  cmp: defineHelper('vfp_cmp', vfpCmp, 'vfp'),
  cvt: defineHelper('vfp_cvt', vfpCvt, 'vfp'),
  toInt: defineHelper('vfp_to_int', vfpToInt, 'vfp'),
  fromInt: defineHelper('vfp_from_int', vfpFromInt, 'vfp'),
};
