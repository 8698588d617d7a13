// VFP data-processing instructions (ARM ARM A7.5): arithmetic, VMOV immediate/register,
// VABS, VNEG, VSQRT, VCMP{E}, and every VCVT form. Arguments (set by decode/vfp/rows.ts):
//   dp: 1 for double precision; d, n, m: register numbers already assembled (Vd:D for S,
//   D:Vd for D); op: the VOp / conversion selector.
// Arithmetic runs in the helpers of translator/vfp/helpers.ts.

import type { Args, Sem } from '../decode/pattern.js';
import { Op, W, type LiftCtx } from '../lift/ctx.js';
import { wD, wS } from '../state.js';
import { Cvt, H, VOp, packRegs } from '../vfp/helpers.js';

export const sreg = (n: number): string => `s${n}`;
export const dreg = (n: number): string => `d${n}`;
export const vreg = (dp: number, n: number): string => (dp ? dreg(n) : sreg(n));
const ty = (dp: number) => (dp ? 'f64' : 'f32');

/**
 * Short vectors are not implemented by the Cortex-A15 (MVFR0.ShortVectors = 0): QEMU makes the
 * data-processing instructions UNDEFINED while FPSCR.LEN or STRIDE is nonzero. A side exit;
 * once per block while FPSCR is not written (only VMSR writes those fields).
 */
export function vecCheck(ctx: LiftCtx): void {
  if (ctx.vecChecked) return;
  const b = ctx.b;
  b.if(b.andi(b.get(W.FPSCR), 0x00370000));
  ctx.undef();
  ctx.pcWritten = false;
  b.endif();
  // Outside any IF the check dominates the rest of the block.
  if (b.ifDepth === 0) ctx.vecChecked = true;
}

const DP_NAMES: Record<number, string> = {
  [VOp.ADD]: 'vadd',
  [VOp.SUB]: 'vsub',
  [VOp.MUL]: 'vmul',
  [VOp.DIV]: 'vdiv',
  [VOp.NMUL]: 'vnmul',
  [VOp.MLA]: 'vmla',
  [VOp.MLS]: 'vmls',
  [VOp.NMLA]: 'vnmla',
  [VOp.NMLS]: 'vnmls',
  [VOp.FMA]: 'vfma',
  [VOp.FMS]: 'vfms',
  [VOp.FNMA]: 'vfnma',
  [VOp.FNMS]: 'vfnms',
};

/** Three-register arithmetic (VADD ... VFNMS): args dp d n m op. */
export const VFP_DP3: Sem = {
  name: 'VFP_DP3',
  lift(ctx, a) {
    vecCheck(ctx);
    const b = ctx.b;
    b.callVoid(a.dp ? H.dpD : H.dpS, [b.const(packRegs(a.d, a.n, a.m)), b.const(a.op)]);
  },
  dis: (a, d) => `${DP_NAMES[a.op]}${d.cc}.${ty(a.dp)} ${vreg(a.dp, a.d)}, ${vreg(a.dp, a.n)}, ${vreg(a.dp, a.m)}`,
};

export const VSQRT: Sem = {
  name: 'VSQRT',
  lift(ctx, a) {
    vecCheck(ctx);
    const b = ctx.b;
    b.callVoid(a.dp ? H.dpD : H.dpS, [b.const(packRegs(a.d, 0, a.m)), b.const(VOp.SQRT)]);
  },
  dis: (a, d) => `vsqrt${d.cc}.${ty(a.dp)} ${vreg(a.dp, a.d)}, ${vreg(a.dp, a.m)}`,
};

/** VMOV (register), VABS, VNEG: sign-bit operations, no FP exceptions. op: 0 mov, 1 abs, 2 neg. */
export const VMOV_ABS_NEG: Sem = {
  name: 'VMOV_ABS_NEG',
  lift(ctx, a) {
    vecCheck(ctx);
    const b = ctx.b;
    const hiSrc = a.dp ? wD(a.m) + 1 : wS(a.m);
    const hiDst = a.dp ? wD(a.d) + 1 : wS(a.d);
    if (a.dp) {
      const lo = b.get(wD(a.m));
      let hi = b.get(hiSrc);
      if (a.op === 1) hi = b.andi(hi, 0x7fffffff);
      else if (a.op === 2) hi = b.xor(hi, b.const(0x80000000));
      b.set(wD(a.d), lo);
      b.set(hiDst, hi);
    } else {
      let v = b.get(hiSrc);
      if (a.op === 1) v = b.andi(v, 0x7fffffff);
      else if (a.op === 2) v = b.xor(v, b.const(0x80000000));
      b.set(hiDst, v);
    }
  },
  dis: (a, d) => `${['vmov', 'vabs', 'vneg'][a.op]}${d.cc}.${ty(a.dp)} ${vreg(a.dp, a.d)}, ${vreg(a.dp, a.m)}`,
};

/** VFPExpandImm (ARM ARM A7.5.1): imm8 to the high word of the value (and the low word, 0, for F64). */
export function vfpExpandImm(imm8: number, dp: number): number {
  const sign = (imm8 >>> 7) & 1;
  const b6 = (imm8 >>> 6) & 1;
  const low6 = imm8 & 0x3f;
  if (dp) return ((sign << 31) | ((b6 ? 0x3fc : 0x400) << 20) | (low6 << 16)) | 0;
  return ((sign << 31) | ((b6 ? 0x3e0 : 0x400) << 20) | (low6 << 19)) | 0;
}

function immValue(imm8: number, dp: number): number {
  const hi = vfpExpandImm(imm8, dp);
  const f = new DataView(new ArrayBuffer(8));
  if (dp) {
    f.setUint32(0, hi);
    return f.getFloat64(0);
  }
  f.setUint32(0, hi);
  return f.getFloat32(0);
}

export const VMOV_IMM: Sem = {
  name: 'VMOV_IMM',
  lift(ctx, a) {
    vecCheck(ctx);
    const b = ctx.b;
    const v = vfpExpandImm(a.imm, a.dp);
    if (a.dp) {
      b.set(wD(a.d), b.const(0));
      b.set(wD(a.d) + 1, b.const(v));
    } else b.set(wS(a.d), b.const(v));
  },
  dis: (a, d) => `vmov${d.cc}.${ty(a.dp)} ${vreg(a.dp, a.d)}, #${immValue(a.imm, a.dp)}`,
};

/** VCMP{E}: args dp d m e z. */
export const VCMP: Sem = {
  name: 'VCMP',
  lift(ctx, a) {
    const b = ctx.b;
    const flags = (a.e ? 1 : 0) | (a.z ? 2 : 0) | (a.dp ? 4 : 0);
    b.callVoid(H.cmp, [b.const(a.d | (a.m << 8)), b.const(flags)]);
  },
  dis: (a, d) => `vcmp${a.e ? 'e' : ''}${d.cc}.${ty(a.dp)} ${vreg(a.dp, a.d)}, ${a.z ? '#0.0' : vreg(a.dp, a.m)}`,
};

/** VCVT between F32 and F64 (dp: the source is double), VCVTB/VCVTT (op: a Cvt kind). */
export const VCVT_FP: Sem = {
  name: 'VCVT_FP',
  lift(ctx, a) {
    const b = ctx.b;
    b.callVoid(H.cvt, [b.const(a.d | (a.m << 8)), b.const(a.op)]);
  },
  dis(a, d) {
    switch (a.op) {
      case Cvt.F64_F32:
        return `vcvt${d.cc}.f64.f32 ${dreg(a.d)}, ${sreg(a.m)}`;
      case Cvt.F32_F64:
        return `vcvt${d.cc}.f32.f64 ${sreg(a.d)}, ${dreg(a.m)}`;
      case Cvt.F32_F16B:
      case Cvt.F32_F16T:
        return `vcvt${a.op === Cvt.F32_F16T ? 't' : 'b'}${d.cc}.f32.f16 ${sreg(a.d)}, ${sreg(a.m)}`;
      default:
        return `vcvt${a.op === Cvt.F16T_F32 ? 't' : 'b'}${d.cc}.f16.f32 ${sreg(a.d)}, ${sreg(a.m)}`;
    }
  },
};

/** VCVT{R}.S32/U32.F32/F64 Sd, Sm/Dm: args dp d m unsigned rz. */
export const VCVT_TOINT: Sem = {
  name: 'VCVT_TOINT',
  lift(ctx, a) {
    const b = ctx.b;
    const flags = (a.dp ? 1 : 0) | (a.unsigned ? 2 : 0) | (a.rz ? 4 : 0);
    b.callVoid(H.toInt, [b.const(a.d | (a.m << 8) | (64 << 16)), b.const(flags)]);
  },
  dis: (a, d) => `vcvt${a.rz ? '' : 'r'}${d.cc}.${a.unsigned ? 'u32' : 's32'}.${ty(a.dp)} ${sreg(a.d)}, ${vreg(a.dp, a.m)}`,
};

/** VCVT.F32/F64.S32/U32 Sd/Dd, Sm: args dp d m unsigned. */
export const VCVT_FROMINT: Sem = {
  name: 'VCVT_FROMINT',
  lift(ctx, a) {
    const b = ctx.b;
    const flags = (a.dp ? 1 : 0) | (a.unsigned ? 2 : 0);
    b.callVoid(H.fromInt, [b.const(a.d | (a.m << 8) | (64 << 16)), b.const(flags)]);
  },
  dis: (a, d) => `vcvt${d.cc}.${ty(a.dp)}.${a.unsigned ? 'u32' : 's32'} ${vreg(a.dp, a.d)}, ${sreg(a.m)}`,
};

/**
 * VCVT between floating point and fixed point, in place (ARM ARM A8.8.309): args dp d
 * tofix unsigned sx (1: 32-bit) imm (imm4:i). frac_bits = size - imm.
 */
export const VCVT_FIX: Sem = {
  name: 'VCVT_FIX',
  lift(ctx, a) {
    const b = ctx.b;
    const fbits = (a.sx ? 32 : 16) - a.imm;
    const packed = b.const(a.d | (a.d << 8) | ((fbits + 64) << 16));
    const common = (a.unsigned ? 2 : 0) | (a.sx ? 0 : 8) | (a.dp ? 16 : 0);
    if (a.tofix) b.callVoid(H.toInt, [packed, b.const(common | (a.dp ? 1 : 0) | 4)]);
    else b.callVoid(H.fromInt, [packed, b.const(common | (a.dp ? 1 : 0) | 32)]);
  },
  dis(a, d) {
    const fx = `${a.unsigned ? 'u' : 's'}${a.sx ? 32 : 16}`;
    const types = a.tofix ? `${fx}.${ty(a.dp)}` : `${ty(a.dp)}.${fx}`;
    return `vcvt${d.cc}.${types} ${vreg(a.dp, a.d)}, ${vreg(a.dp, a.d)}, #${(a.sx ? 32 : 16) - a.imm}`;
  },
};

export type { Args };
export { Op };
