// VFP loads and stores (ARM ARM A7.6): VLDR/VSTR, VLDM/VSTM (IA, DB!, also the FLDMX/FSTMX
// forms with an odd word count), VPUSH/VPOP. Accesses are word-sized and must be word
// aligned; a double is its low word at the lower address.
// Args: dp, d (first register), rn, l (load), and imm (imm8 word offset/count); VLDR: u;
// VLDM: p (1: decrement before), w (writeback).

import type { Sem } from '../decode/pattern.js';
import { Mem, type LiftCtx, type Temp } from '../lift/ctx.js';
import { wD, wS } from '../state.js';
import { r } from './fmt.js';
import { vreg } from './vfp_dp.js';

/** The base address: Rn, or Align(PC, 4) for the literal forms. */
function base(ctx: LiftCtx, rn: number): Temp {
  return rn === 15 ? ctx.b.const(ctx.alignedPC()) : ctx.reg(rn);
}

/** Loads (or stores) one register at addr. Loads read every word before writing any. */
function xfer(ctx: LiftCtx, dp: number, reg: number, addr: Temp, load: boolean): void {
  const b = ctx.b;
  const A = Mem.ALIGN;
  if (dp) {
    const w = wD(reg);
    const hiAddr = b.addi(addr, 4);
    if (load) {
      const lo = ctx.load(addr, 4, A);
      const hi = ctx.load(hiAddr, 4, A);
      b.set(w, lo);
      b.set(w + 1, hi);
    } else {
      ctx.store(addr, b.get(w), 4, A);
      ctx.store(hiAddr, b.get(w + 1), 4, A);
    }
  } else if (load) b.set(wS(reg), ctx.load(addr, 4, A));
  else ctx.store(addr, b.get(wS(reg)), 4, A);
}

export const VLDR_VSTR: Sem = {
  name: 'VLDR_VSTR',
  lift(ctx, a) {
    const off = a.u ? a.imm * 4 : -a.imm * 4;
    const addr = a.rn === 15 ? ctx.b.const(ctx.alignedPC() + off) : ctx.b.addi(ctx.reg(a.rn), off);
    xfer(ctx, a.dp, a.d, addr, a.l === 1);
  },
  dis(a, d) {
    const off = a.imm === 0 && a.u ? '' : `, #${a.u ? '' : '-'}${a.imm * 4}`;
    return `${a.l ? 'vldr' : 'vstr'}${d.cc} ${vreg(a.dp, a.d)}, [${r(a.rn)}${off}]`;
  },
};

/** Number of registers a VLDM/VSTM moves. */
const count = (a: Record<string, number>) => (a.dp ? a.imm >> 1 : a.imm);

/**
 * VLDM/VSTM. The base moves by 4*imm8 words whatever the register count (FLDMX/FSTMX: one
 * extra word); DB starts at Rn - 4*imm8 (as QEMU's translate-vfp.c does).
 */
export const VLDM_VSTM: Sem = {
  name: 'VLDM_VSTM',
  lift(ctx, a) {
    const b = ctx.b;
    const n = count(a);
    const bytes = a.imm * 4;
    const rn = base(ctx, a.rn);
    const start = a.p ? b.addi(rn, -bytes) : rn;
    const step = a.dp ? 8 : 4;
    for (let i = 0; i < n; i++) xfer(ctx, a.dp, a.d + i, b.addi(start, i * step), a.l === 1);
    if (a.w) ctx.setReg(a.rn, a.p ? start : b.addi(rn, bytes));
  },
  dis(a, d) {
    const n = count(a);
    const list = n === 1 ? vreg(a.dp, a.d) : `${vreg(a.dp, a.d)}-${vreg(a.dp, a.d + n - 1)}`;
    const x = a.dp && a.imm & 1;
    if (a.rn === 13 && a.w && !x && a.p === (a.l ? 0 : 1)) return `${a.l ? 'vpop' : 'vpush'}${d.cc} {${list}}`;
    const mode = a.p ? 'db' : 'ia';
    const mn = x ? `${a.l ? 'fldm' : 'fstm'}${mode}x` : `${a.l ? 'vldm' : 'vstm'}${mode}`;
    return `${mn}${d.cc} ${r(a.rn)}${a.w ? '!' : ''}, {${list}}`;
  },
};
