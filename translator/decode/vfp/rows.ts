// VFPv3-D32 (+ VFPv4 fused multiply-add, half-precision VCVTB/VCVTT) encodings, A32 (with
// cond) and T32 (cond replaced by 1110), generated from one list (ARM ARM A7.5-A7.9).
// Register numbers are assembled in `expand`: single Sx = Vx:X, double Dx = X:Vx.
import type { Args, Row } from '../pattern.js';
import { VCMP, VCVT_FIX, VCVT_FP, VCVT_FROMINT, VCVT_TOINT, VFP_DP3, VMOV_ABS_NEG, VMOV_IMM, VSQRT } from '../../sem/vfp_dp.js';
import { VLDM_VSTM, VLDR_VSTR } from '../../sem/vfp_ldst.js';
import { VDUP, VMOV_64, VMOV_FROM_GP, VMOV_SINGLE, VMOV_TO_GP, VMRS_VMSR } from '../../sem/vfp_move.js';
import { Cvt, VOp } from '../../vfp/helpers.js';

const sReg = (v: number, x: number) => (v << 1) | x;
const dReg = (v: number, x: number) => (x << 4) | v;

/** d from vd/D, n from vn/N, m from vm/M, single or double by `dp`. */
function regs(a: Args): void {
  const dp = a.dp;
  if (a.vd !== undefined) a.d = dp ? dReg(a.vd, a.D) : sReg(a.vd, a.D);
  if (a.vn !== undefined) a.n = dp ? dReg(a.vn, a.N) : sReg(a.vn, a.N);
  if (a.vm !== undefined) a.m = dp ? dReg(a.vm, a.M) : sReg(a.vm, a.M);
}

const LIST: Row[] = [];
const add = (r: Row) => LIST.push(r);
const sz = (dp: number) => (dp ? 'd' : 's');

// ---- three-register data processing (A7.5 table A7-16) ------------------------------------
const DP3: [string, string, string, string, number][] = [
  // name, bit 23, bits 21:20, bit 6, operation
  ['VMLA', '0', '00', '0', VOp.MLA],
  ['VMLS', '0', '00', '1', VOp.MLS],
  ['VNMLS', '0', '01', '0', VOp.NMLS],
  ['VNMLA', '0', '01', '1', VOp.NMLA],
  ['VMUL', '0', '10', '0', VOp.MUL],
  ['VNMUL', '0', '10', '1', VOp.NMUL],
  ['VADD', '0', '11', '0', VOp.ADD],
  ['VSUB', '0', '11', '1', VOp.SUB],
  ['VDIV', '1', '00', '0', VOp.DIV],
  ['VFNMS', '1', '01', '0', VOp.FNMS], // -Dd + Dn*Dm
  ['VFNMA', '1', '01', '1', VOp.FNMA], // -Dd - Dn*Dm
  ['VFMA', '1', '10', '0', VOp.FMA],
  ['VFMS', '1', '10', '1', VOp.FMS],
];
for (const [name, b23, b2120, b6, op] of DP3)
  for (const dp of [0, 1])
    add({
      name: `${name}_${sz(dp)}`,
      enc: `cond:4 1110 ${b23} D:1 ${b2120} vn:4 vd:4 101 ${dp} N:1 ${b6} M:1 0 vm:4`,
      sem: VFP_DP3,
      set: { dp, op },
      expand: regs,
    });

// ---- other data processing (A7.5 table A7-17) ------------------------------------------------
for (const dp of [0, 1]) {
  const s = sz(dp);
  add({ name: `VMOV_imm_${s}`, enc: `cond:4 1110 1 D:1 11 imm:4 vd:4 101 ${dp} 0000 imm:4`, sem: VMOV_IMM, set: { dp }, expand: regs });
  add({ name: `VMOV_reg_${s}`, enc: `cond:4 1110 1 D:1 11 0000 vd:4 101 ${dp} 01 M:1 0 vm:4`, sem: VMOV_ABS_NEG, set: { dp, op: 0 }, expand: regs });
  add({ name: `VABS_${s}`, enc: `cond:4 1110 1 D:1 11 0000 vd:4 101 ${dp} 11 M:1 0 vm:4`, sem: VMOV_ABS_NEG, set: { dp, op: 1 }, expand: regs });
  add({ name: `VNEG_${s}`, enc: `cond:4 1110 1 D:1 11 0001 vd:4 101 ${dp} 01 M:1 0 vm:4`, sem: VMOV_ABS_NEG, set: { dp, op: 2 }, expand: regs });
  add({ name: `VSQRT_${s}`, enc: `cond:4 1110 1 D:1 11 0001 vd:4 101 ${dp} 11 M:1 0 vm:4`, sem: VSQRT, set: { dp }, expand: regs });
  add({
    name: `VCMP_${s}`,
    enc: `cond:4 1110 1 D:1 11 010 z:1 vd:4 101 ${dp} e:1 1 M:1 0 vm:4`,
    sem: VCMP,
    set: { dp },
    expand: regs,
    when: (a) => !a.z || (a.vm === 0 && a.M === 0), // the compare-with-zero form has Vm = M = 0
  });
  // VCVT.F64.F32 (sz = 0: Dd = Sm) and VCVT.F32.F64 (sz = 1: Sd = Dm)
  add({
    name: `VCVT_${dp ? 'f32_f64' : 'f64_f32'}`,
    enc: `cond:4 1110 1 D:1 11 0111 vd:4 101 ${dp} 11 M:1 0 vm:4`,
    sem: VCVT_FP,
    set: { op: dp ? Cvt.F32_F64 : Cvt.F64_F32 },
    expand: (a) => {
      a.d = dp ? sReg(a.vd, a.D) : dReg(a.vd, a.D);
      a.m = dp ? dReg(a.vm, a.M) : sReg(a.vm, a.M);
    },
  });
  // VCVT.F32/F64.S32/U32 Sd/Dd, Sm (bit 7: signed)
  add({
    name: `VCVT_int_${s}`,
    enc: `cond:4 1110 1 D:1 11 1000 vd:4 101 ${dp} sgn:1 1 M:1 0 vm:4`,
    sem: VCVT_FROMINT,
    set: { dp },
    expand: (a) => {
      a.d = dp ? dReg(a.vd, a.D) : sReg(a.vd, a.D);
      a.m = sReg(a.vm, a.M);
      a.unsigned = a.sgn ? 0 : 1;
    },
  });
  // VCVT{R}.S32/U32.F32/F64 Sd, Sm/Dm (bit 16: signed; bit 7: round toward zero)
  add({
    name: `VCVT_${s}_int`,
    enc: `cond:4 1110 1 D:1 11 110 sgn:1 vd:4 101 ${dp} rz:1 1 M:1 0 vm:4`,
    sem: VCVT_TOINT,
    set: { dp },
    expand: (a) => {
      a.d = sReg(a.vd, a.D);
      a.m = dp ? dReg(a.vm, a.M) : sReg(a.vm, a.M);
      a.unsigned = a.sgn ? 0 : 1;
    },
  });
  // VCVT between floating point and fixed point, in place (bit 18: to fixed; bit 16: unsigned; bit 7: 32-bit)
  add({
    name: `VCVT_fix_${s}`,
    enc: `cond:4 1110 1 D:1 11 1 tofix:1 1 unsigned:1 vd:4 101 ${dp} sx:1 1 i:1 0 imm4:4`,
    sem: VCVT_FIX,
    set: { dp },
    expand: (a) => {
      regs(a);
      a.imm = (a.imm4 << 1) | a.i;
    },
    valid: (a) => a.sx === 1 || a.imm <= 16, // frac_bits < 0 is UNPREDICTABLE
  });
}
// VCVTB/VCVTT between half and single precision (bit 16: to half; bit 7: top half)
add({ name: 'VCVT_f32_f16', enc: 'cond:4 1110 1 D:1 11 0010 vd:4 1010 t:1 1 M:1 0 vm:4', sem: VCVT_FP, set: { dp: 0 }, expand: (a) => { regs(a); a.op = a.t ? Cvt.F32_F16T : Cvt.F32_F16B; } });
add({ name: 'VCVT_f16_f32', enc: 'cond:4 1110 1 D:1 11 0011 vd:4 1010 t:1 1 M:1 0 vm:4', sem: VCVT_FP, set: { dp: 0 }, expand: (a) => { regs(a); a.op = a.t ? Cvt.F16T_F32 : Cvt.F16B_F32; } });

// ---- core <-> extension register transfers (A7.8, A7.9) --------------------------------
add({ name: 'VMOV_single', enc: 'cond:4 1110 000 l:1 vn:4 rt:4 1010 N:1 001 0000', sem: VMOV_SINGLE, set: { dp: 0 }, expand: regs, valid: (a) => a.rt !== 15 });
add({ name: 'VMSR_VMRS', enc: 'cond:4 1110 111 l:1 reg:4 rt:4 1010 0001 0000', sem: VMRS_VMSR, valid: (a) => a.reg === 1 && (a.l === 1 || a.rt !== 15) });
const gpValid = (a: Args) => a.rt !== 15;
const nD = (a: Args) => {
  a.n = dReg(a.vn, a.N);
};
add({ name: 'VMOV_to_gp_8', enc: 'cond:4 1110 u:1 1 i1:1 1 vn:4 rt:4 1011 N:1 i2:2 1 0000', sem: VMOV_TO_GP, set: { size: 0 }, expand: (a) => { nD(a); a.index = (a.i1 << 2) | a.i2; }, valid: gpValid });
add({ name: 'VMOV_to_gp_16', enc: 'cond:4 1110 u:1 0 i1:1 1 vn:4 rt:4 1011 N:1 i2:1 1 1 0000', sem: VMOV_TO_GP, set: { size: 1 }, expand: (a) => { nD(a); a.index = (a.i1 << 1) | a.i2; }, valid: gpValid });
add({ name: 'VMOV_to_gp_32', enc: 'cond:4 1110 0 0 index:1 1 vn:4 rt:4 1011 N:1 00 1 0000', sem: VMOV_TO_GP, set: { size: 2, u: 0 }, expand: nD, valid: gpValid });
add({ name: 'VMOV_from_gp_8', enc: 'cond:4 1110 0 1 i1:1 0 vn:4 rt:4 1011 N:1 i2:2 1 0000', sem: VMOV_FROM_GP, set: { size: 0 }, expand: (a) => { nD(a); a.index = (a.i1 << 2) | a.i2; }, valid: gpValid });
add({ name: 'VMOV_from_gp_16', enc: 'cond:4 1110 0 0 i1:1 0 vn:4 rt:4 1011 N:1 i2:1 1 1 0000', sem: VMOV_FROM_GP, set: { size: 1 }, expand: (a) => { nD(a); a.index = (a.i1 << 1) | a.i2; }, valid: gpValid });
add({ name: 'VMOV_from_gp_32', enc: 'cond:4 1110 0 0 index:1 0 vn:4 rt:4 1011 N:1 00 1 0000', sem: VMOV_FROM_GP, set: { size: 2 }, expand: nD, valid: gpValid });
add({
  name: 'VDUP',
  enc: 'cond:4 1110 1 b:1 q:1 0 vn:4 rt:4 1011 N:1 0 e:1 1 0000',
  sem: VDUP,
  expand: nD,
  when: (a) => !(a.b && a.e) && !(a.q && (a.vn & 1)),
  valid: gpValid,
});
for (const dp of [0, 1])
  add({
    name: `VMOV_64_${sz(dp)}`,
    enc: `cond:4 1100 010 op:1 rt2:4 rt:4 101 ${dp} 00 M:1 1 vm:4`,
    sem: VMOV_64,
    set: { dp },
    expand: regs,
    valid: (a) => a.rt !== 15 && a.rt2 !== 15 && !(a.op && a.rt === a.rt2) && (dp === 1 || a.m !== 31),
  });

// ---- loads and stores (A7.6) ------------------------------------------------------------
for (const dp of [0, 1]) {
  const s = sz(dp);
  add({ name: `VLDR_VSTR_${s}`, enc: `cond:4 1101 u:1 D:1 0 l:1 rn:4 vd:4 101 ${dp} imm:8`, sem: VLDR_VSTR, set: { dp }, expand: regs });
  // QEMU UNDEFs the UNPREDICTABLE counts (0, past the last register) and writeback to PC
  const ok = (a: Args) => {
    const n = dp ? a.imm >> 1 : a.imm;
    return n !== 0 && a.d + n <= 32 && (!dp || n <= 16) && !(a.rn === 15 && a.w);
  };
  add({ name: `VLDM_VSTM_ia_${s}`, enc: `cond:4 1100 1 D:1 w:1 l:1 rn:4 vd:4 101 ${dp} imm:8`, sem: VLDM_VSTM, set: { dp, p: 0 }, expand: (a) => (regs(a), ok(a)), valid: (a) => a.rn !== 15 });
  add({ name: `VLDM_VSTM_db_${s}`, enc: `cond:4 1101 0 D:1 1 l:1 rn:4 vd:4 101 ${dp} imm:8`, sem: VLDM_VSTM, set: { dp, p: 1, w: 1 }, expand: (a) => (regs(a), ok(a)), valid: (a) => a.rn !== 15 });
}

export const VFP_A32: Row[] = LIST;
/** The same rows with cond replaced by 1110 (T32 coprocessor space 1110 11xx / 1110 110x). */
export const VFP_T32: Row[] = LIST.map((r) => ({ ...r, enc: r.enc.replace(/^cond:4/, '1110') }));
