// Transfers between ARM core registers and the extension registers (ARM ARM A7.8, A7.9):
// VMOV core <-> single, two cores <-> two singles / one double, core <-> scalar (8, 16 and
// 32 bits: the Cortex-A15 under QEMU has Advanced SIMD, which owns the 8/16-bit forms and
// VDUP), and VMRS/VMSR. Raw bit moves: no FP exceptions.

import { liftCp32 } from './priv.js';
import type { Sem } from '../decode/pattern.js';
import { W, type LiftCtx, type Temp } from '../lift/ctx.js';
import { wD, wS } from '../state.js';
import { r } from './fmt.js';
import { dreg, sreg } from './vfp_dp.js';

/** FPSCR bits that exist (QEMU, no trapped exceptions, no FZ16): NZCV QC AHP DN FZ RMode STRIDE LEN, the six flags. */
export const FPSCR_MASK = 0xfff7009f | 0;

/** Writes Rt; R15 as the target of a core-register move branches (UNPREDICTABLE, QEMU's store_reg). */
function setRt(ctx: LiftCtx, rt: number, v: Temp): void {
  if (rt === 15) ctx.writePC(v, 'branch');
  else ctx.setReg(rt, v);
}

/** Sets APSR.NZCV from bits 31:28 of v. */
function setNZCV(ctx: LiftCtx, v: Temp): void {
  const b = ctx.b;
  b.set(W.N, b.shri(v, 31));
  b.set(W.Z, b.bit(v, 30));
  b.set(W.C, b.bit(v, 29));
  b.set(W.V, b.bit(v, 28));
}

/** VMOV Rt, Sn / VMOV Sn, Rt: args n l rt. Rt = 15 with l = 1 sets NZCV (as QEMU does). */
export const VMOV_SINGLE: Sem = {
  name: 'VMOV_SINGLE',
  lift(ctx, a) {
    const b = ctx.b;
    if (a.l) {
      const v = b.get(wS(a.n));
      if (a.rt === 15) setNZCV(ctx, v);
      else ctx.setReg(a.rt, v);
    } else b.set(wS(a.n), ctx.reg(a.rt));
  },
  dis: (a, d) => (a.l ? `vmov${d.cc} ${r(a.rt)}, ${sreg(a.n)}` : `vmov${d.cc} ${sreg(a.n)}, ${r(a.rt)}`),
};

/** VMOV Rt, Rt2, Sm, Sm1 / Dm (and back): args dp m op (1: to core) rt rt2. */
export const VMOV_64: Sem = {
  name: 'VMOV_64',
  lift(ctx, a) {
    const b = ctx.b;
    const w = a.dp ? wD(a.m) : wS(a.m);
    if (a.op) {
      const lo = b.get(w);
      const hi = b.get(w + 1);
      if (a.rt !== 15) ctx.setReg(a.rt, lo);
      setRt(ctx, a.rt2, hi);
      if (a.rt === 15) setRt(ctx, 15, lo);
    } else {
      const lo = ctx.reg(a.rt);
      const hi = ctx.reg(a.rt2);
      b.set(w, lo);
      b.set(w + 1, hi);
    }
  },
  dis(a, d) {
    const v = a.dp ? dreg(a.m) : `${sreg(a.m)}, ${sreg(a.m + 1)}`;
    return a.op ? `vmov${d.cc} ${r(a.rt)}, ${r(a.rt2)}, ${v}` : `vmov${d.cc} ${v}, ${r(a.rt)}, ${r(a.rt2)}`;
  },
};

/** Byte offset, within the register file, of element `index` of `size` (0: 8, 1: 16, 2: 32 bits) in Dn. */
const elemByte = (n: number, size: number, index: number) => n * 8 + (index << size);

/** VMOV.<size> Rt, Dn[x]: args n rt size index u. */
export const VMOV_TO_GP: Sem = {
  name: 'VMOV_TO_GP',
  lift(ctx, a) {
    const b = ctx.b;
    const byte = elemByte(a.n, a.size, a.index);
    let v = b.get(W.VFP + (byte >> 2));
    if (a.size < 2) {
      const sh = (byte & 3) * 8;
      const bits = a.size === 0 ? 8 : 16;
      v = a.u ? b.andi(b.shri(v, sh), (1 << bits) - 1) : b.sari(b.shli(v, 32 - bits - sh), 32 - bits);
    }
    setRt(ctx, a.rt, v);
  },
  dis: (a, d) => `vmov${d.cc}.${a.size === 2 ? '32' : `${a.u ? 'u' : 's'}${8 << a.size}`} ${r(a.rt)}, ${dreg(a.n)}[${a.index}]`,
};

/** VMOV.<size> Dn[x], Rt: args n rt size index. */
export const VMOV_FROM_GP: Sem = {
  name: 'VMOV_FROM_GP',
  lift(ctx, a) {
    const b = ctx.b;
    const byte = elemByte(a.n, a.size, a.index);
    const w = W.VFP + (byte >> 2);
    let v = ctx.reg(a.rt);
    if (a.size < 2) {
      const sh = (byte & 3) * 8;
      const mask = ((a.size === 0 ? 0xff : 0xffff) << sh) | 0;
      v = b.or(b.andi(b.get(w), ~mask), b.andi(b.shli(v, sh), mask));
    }
    b.set(w, v);
  },
  dis: (a, d) => `vmov${d.cc}.${8 << a.size} ${dreg(a.n)}[${a.index}], ${r(a.rt)}`,
};

/** VDUP.<size> Dd/Qd, Rt (Advanced SIMD, in the VFP encoding space): args n rt b e q. */
export const VDUP: Sem = {
  name: 'VDUP',
  lift(ctx, a) {
    const b = ctx.b;
    let v = ctx.reg(a.rt);
    if (a.b) {
      v = b.andi(v, 0xff);
      v = b.or(v, b.shli(v, 8));
      v = b.or(v, b.shli(v, 16));
    } else if (a.e) {
      v = b.andi(v, 0xffff);
      v = b.or(v, b.shli(v, 16));
    }
    const words = a.q ? 4 : 2;
    for (let i = 0; i < words; i++) b.set(wD(a.n) + i, v);
  },
  dis: (a, d) => `vdup${d.cc}.${a.b ? 8 : a.e ? 16 : 32} ${a.q ? `q${a.n >> 1}` : dreg(a.n)}, ${r(a.rt)}`,
};

const SPECIAL = ['fpsid', 'fpscr', '', '', '', 'mvfr2', 'mvfr1', 'mvfr0', 'fpexc', 'fpinst', 'fpinst2'];

/**
 * VMRS / VMSR: args l reg rt. In user mode only FPSCR is accessible: FPSID, MVFR0/1 and FPEXC
 * are privileged from VFPv3 on (QEMU: UNDEFINED at PL0), the rest do not exist.
 */
export const VMRS_VMSR: Sem = {
  name: 'VMRS_VMSR',
  lift(ctx, a) {
    const b = ctx.b;
    // System mode: without CPACR access every cp10 transfer is UNDEFINED (CPACR.cp10); FPSID,
    // MVFR0/1 and FPEXC, reachable while FPEXC.EN is clear, are MRC/MCR p10, 7, <reg> in the
    // register table.
    if (ctx.sys && !ctx.sys.cp10) return ctx.undef();
    if (ctx.sys && a.reg !== 1) return liftCp32(ctx, a.l === 1, 10, 7, a.reg, 0, 0, a.rt);
    if (ctx.sys && !ctx.sys.vfp) return ctx.undef();
    if (a.reg !== 1) {
      ctx.undef();
      return;
    }
    if (a.l) {
      const v = b.get(W.FPSCR);
      if (a.rt === 15) setNZCV(ctx, v);
      else ctx.setReg(a.rt, v);
    } else {
      b.set(W.FPSCR, b.andi(ctx.reg(a.rt), FPSCR_MASK));
      ctx.vecChecked = false;
    }
  },
  dis(a, d) {
    const sr = SPECIAL[a.reg] || `c${a.reg}`;
    if (a.l) return `vmrs${d.cc} ${a.rt === 15 ? 'APSR_nzcv' : r(a.rt)}, ${sr}`;
    return `vmsr${d.cc} ${sr}, ${r(a.rt)}`;
  },
};
