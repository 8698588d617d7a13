// A32 encodings of VFP data-processing instructions for tests (ARM ARM A7.5): the forms tier 1
// runs inline or as shared functions (translator/jit/vfp-inline.ts, vfp-calls.ts).

/** Vd/Vn/Vm field and extra bit of register r: D regs D:Vd, S regs Vd:D. */
const field = (r: number, dp: boolean): [number, number] => (dp ? [r & 15, r >> 4] : [r >> 1, r & 1]);

/** A32 VFP data-processing encoding (ARM ARM A7.5): o1 (bit 23), o2 (21:20), o3 (bit 6). */
export function dp(o1: number, o2: number, o3: number, sz: boolean, d: number, n: number, m: number, dDp = sz, mDp = sz): number {
  const [vd, bd] = field(d, dDp);
  const [vn, bn] = field(n, sz);
  const [vm, bm] = field(m, mDp);
  return (0xee000a00 | (o1 << 23) | (bd << 22) | (o2 << 20) | (vn << 16) | (vd << 12) | ((sz ? 1 : 0) << 8) | (bn << 7) | (o3 << 6) | (bm << 5) | vm) >>> 0;
}
/** The "other" group (o1 = 1, o2 = 3, o3 = 1): opc2 in the Vn field, `op` in bit 7. */
export function other(opc2: number, op: number, sz: boolean, d: number, m: number, dDp = sz, mDp = sz): number {
  const [vd, bd] = field(d, dDp);
  const [vm, bm] = field(m, mDp);
  return (0xeeb00a40 | (bd << 22) | (opc2 << 16) | (vd << 12) | ((sz ? 1 : 0) << 8) | (op << 7) | (bm << 5) | vm) >>> 0;
}

/** Instruction makers: (double?, d, n, m) -> encoding, and the mnemonic the disassembler prints. */
export const INSNS: [string, (sz: boolean, d: number, n: number, m: number) => number][] = [
  ['vmla', (sz, d, n, m) => dp(0, 0, 0, sz, d, n, m)],
  ['vmls', (sz, d, n, m) => dp(0, 0, 1, sz, d, n, m)],
  ['vnmls', (sz, d, n, m) => dp(0, 1, 0, sz, d, n, m)],
  ['vnmla', (sz, d, n, m) => dp(0, 1, 1, sz, d, n, m)],
  ['vmul', (sz, d, n, m) => dp(0, 2, 0, sz, d, n, m)],
  ['vnmul', (sz, d, n, m) => dp(0, 2, 1, sz, d, n, m)],
  ['vadd', (sz, d, n, m) => dp(0, 3, 0, sz, d, n, m)],
  ['vsub', (sz, d, n, m) => dp(0, 3, 1, sz, d, n, m)],
  ['vdiv', (sz, d, n, m) => dp(1, 0, 0, sz, d, n, m)],
  ['vfma', (sz, d, n, m) => dp(1, 2, 0, sz, d, n, m)],
  ['vmov', (sz, d, _n, m) => other(0, 0, sz, d, m)],
  ['vabs', (sz, d, _n, m) => other(0, 1, sz, d, m)],
  ['vneg', (sz, d, _n, m) => other(1, 0, sz, d, m)],
  ['vsqrt', (sz, d, _n, m) => other(1, 1, sz, d, m)],
  ['vcmp', (sz, d, _n, m) => other(4, 0, sz, d, m)],
  ['vcmpe', (sz, d, _n, m) => other(4, 1, sz, d, m)],
  ['vcmp', (sz, d) => other(5, 0, sz, d, 0)],
  ['vcmpe', (sz, d) => other(5, 1, sz, d, 0)],
  // VCVT between F32 and F64: sz is the source's precision.
  ['vcvt', (sz, d, _n, m) => other(7, 1, sz, sz ? d * 2 : d >> 1, m, !sz, sz)],
  // integer to float: m is a single register
  ['vcvt', (sz, d, _n, m) => other(8, 1, sz, d, m, sz, false)],
  ['vcvt', (sz, d, _n, m) => other(8, 0, sz, d, m, sz, false)],
  // float to integer (op 1: toward zero; 0: VCVTR, FPSCR rounding): d is a single register
  ['vcvt', (sz, d, _n, m) => other(13, 1, sz, sz ? d * 2 : d, m, false, sz)],
  ['vcvt', (sz, d, _n, m) => other(12, 1, sz, sz ? d * 2 : d, m, false, sz)],
  ['vcvtr', (sz, d, _n, m) => other(13, 0, sz, sz ? d * 2 : d, m, false, sz)],
  ['vcvtr', (sz, d, _n, m) => other(12, 0, sz, sz ? d * 2 : d, m, false, sz)],
];
