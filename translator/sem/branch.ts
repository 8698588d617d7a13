// Branches (ARM ARM A8.8.18 B, A8.8.25 BL/BLX (immediate), A8.8.26 BLX (register), A8.8.27 BX,
// A8.8.28 BXJ, A8.8.29 CBZ/CBNZ, A8.8.236 TBB/TBH).
//
// Arguments: imm = the signed byte offset from the PC value (PC+8 in ARM, PC+4 in Thumb),
// already scaled and sign-extended by the row; rm for register forms.
// Condition: A32 rows and Thumb B<c> carry `cond`, which the block loop applies.

import type { Sem } from '../decode/pattern.js';
import { Exit, Op, W, type LiftCtx } from '../lift/ctx.js';
import { hex, r } from './fmt.js';

/** The return address BL/BLX write to LR: the next instruction, bit 0 set in Thumb. */
function linkValue(ctx: LiftCtx): number {
  return (ctx.nextPC() | (ctx.thumb ? 1 : 0)) >>> 0;
}

const target = (pc: number, thumb: boolean, imm: number) => (pc + (thumb ? 4 : 8) + imm) >>> 0;

export const B: Sem = {
  name: 'B',
  lift(ctx, a) {
    ctx.branchTo(target(ctx.pc, ctx.thumb, a.imm));
  },
  dis: (a, d) => `b${d.cc}${d.thumb && d.len === 4 ? '.w' : ''} ${hex(target(d.pc, d.thumb, a.imm))}`,
};

export const BL: Sem = {
  name: 'BL',
  lift(ctx, a) {
    ctx.setReg(W.LR, ctx.b.const(linkValue(ctx)));
    ctx.branchTo(target(ctx.pc, ctx.thumb, a.imm));
  },
  dis: (a, d) => `bl${d.cc} ${hex(target(d.pc, d.thumb, a.imm))}`,
};

/** BLX (immediate): changes state; in Thumb the target is Align(PC, 4) + imm. */
const blxTarget = (pc: number, thumb: boolean, imm: number) => (thumb ? ((pc + 4) & ~3) + imm : pc + 8 + imm) >>> 0;

export const BLX_i: Sem = {
  name: 'BLX_i',
  lift(ctx, a) {
    ctx.setReg(W.LR, ctx.b.const(linkValue(ctx)));
    ctx.branchTo(blxTarget(ctx.pc, ctx.thumb, a.imm), !ctx.thumb);
  },
  dis: (a, d) => `blx${d.cc} ${hex(blxTarget(d.pc, d.thumb, a.imm))}`,
};

export const BX: Sem = {
  name: 'BX',
  lift(ctx, a) {
    ctx.writePC(ctx.reg(a.rm), 'bx');
  },
  dis: (a, d) => `bx${d.cc} ${r(a.rm)}`,
};

/** BXJ: no Jazelle, so it is BX (A8.8.28 with a trivial Jazelle implementation). */
export const BXJ: Sem = {
  name: 'BXJ',
  lift(ctx, a) {
    ctx.writePC(ctx.reg(a.rm), 'bx');
  },
  dis: (a, d) => `bxj${d.cc} ${r(a.rm)}`,
};

export const BLX_r: Sem = {
  name: 'BLX_r',
  lift(ctx, a) {
    const t = ctx.reg(a.rm);
    ctx.setReg(W.LR, ctx.b.const(linkValue(ctx)));
    ctx.writePC(t, 'bx');
  },
  dis: (a, d) => `blx${d.cc} ${r(a.rm)}`,
};

/** CBZ / CBNZ (nz=1): compare Rn with zero and branch forward; never in an IT block. */
export const CBZ: Sem = {
  name: 'CBZ',
  lift(ctx, a) {
    const b = ctx.b;
    const z = b.bin(Op.EQ, b.get(a.rn), b.const(0));
    b.if(a.nz ? b.xor(z, b.const(1)) : z);
    ctx.branchTo(target(ctx.pc, true, a.imm));
    b.endif();
    b.set(W.PC, b.const(ctx.nextPC()));
    ctx.exit(Exit.NEXT);
    ctx.pcWritten = true;
  },
  dis: (a, d) => `cb${a.nz ? 'nz' : 'z'} ${r(a.rn)}, ${hex(target(d.pc, true, a.imm))}`,
};

/** TBB / TBH (h=1): branch forward by twice the byte/halfword at Rn + Rm (Rm << 1 for TBH). */
export const TB: Sem = {
  name: 'TB',
  lift(ctx, a) {
    const b = ctx.b;
    const idx = a.h ? b.shli(ctx.reg(a.rm), 1) : ctx.reg(a.rm);
    const v = ctx.load(b.add(ctx.reg(a.rn), idx), a.h ? 2 : 1);
    ctx.writePC(b.add(b.const(ctx.pcValue()), b.shli(v, 1)), 'branch');
  },
  dis: (a, d) => (a.h ? `tbh${d.cc} [${r(a.rn)}, ${r(a.rm)}, lsl #1]` : `tbb${d.cc} [${r(a.rn)}, ${r(a.rm)}]`),
};
