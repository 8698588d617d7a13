// Multiplies and divides (ARM ARM A8.8.100 MUL, A8.8.100 MLA/MLS, A8.8.258/A8.8.189 UMULL/SMULL,
// UMLAL/SMLAL, UMAAL, A8.8.248/A8.8.165 UDIV/SDIV). Args: s rd rn rm [ra], or rdlo rdhi rn rm.
// S forms set N and Z only (C and V are unchanged on ARMv7).

import type { Sem } from '../decode/pattern.js';
import { Op, W, type LiftCtx, type Temp } from '../lift/ctx.js';
import { mn, r } from './fmt.js';
import { setRd, setRegs } from './rd.js';

function setNZ64(ctx: LiftCtx, lo: Temp, hi: Temp): void {
  const b = ctx.b;
  b.set(W.N, b.shri(hi, 31));
  b.set(W.Z, b.bin(Op.EQ, b.or(lo, hi), b.const(0)));
}

export const MUL: Sem = {
  name: 'MUL',
  lift(ctx, a) {
    const v = ctx.b.bin(Op.MUL, ctx.reg(a.rn), ctx.reg(a.rm));
    if (a.s) ctx.setNZ(v);
    setRd(ctx, a.rd, v);
  },
  // T16 MULS Rdm, Rn, Rdm prints as `muls rdm, rn` (row sets `two`); T32 as `mul.w`.
  dis: (a, d) => `${mn('mul', a.s, d.cc)}${a.w ? '.w' : ''} ${r(a.rd)}, ${r(a.rn)}${a.two ? '' : `, ${r(a.rm)}`}`,
};

export const MLA: Sem = {
  name: 'MLA',
  lift(ctx, a) {
    const b = ctx.b;
    const v = b.add(b.bin(Op.MUL, ctx.reg(a.rn), ctx.reg(a.rm)), ctx.reg(a.ra));
    if (a.s) ctx.setNZ(v);
    setRd(ctx, a.rd, v);
  },
  dis: (a, d) => `${mn('mla', a.s, d.cc)} ${r(a.rd)}, ${r(a.rn)}, ${r(a.rm)}, ${r(a.ra)}`,
};

export const MLS: Sem = {
  name: 'MLS',
  lift(ctx, a) {
    const b = ctx.b;
    setRd(ctx, a.rd, b.sub(ctx.reg(a.ra), b.bin(Op.MUL, ctx.reg(a.rn), ctx.reg(a.rm))));
  },
  dis: (a, d) => `mls${d.cc} ${r(a.rd)}, ${r(a.rn)}, ${r(a.rm)}, ${r(a.ra)}`,
};

/** 64-bit results: {U,S}MULL, {U,S}MLAL, UMAAL. */
function long(name: string, signed: boolean, acc: 'none' | 'add64' | 'umaal'): Sem {
  return {
    name: name.toUpperCase(),
    lift(ctx, a) {
      const b = ctx.b;
      const n = ctx.reg(a.rn);
      const m = ctx.reg(a.rm);
      let lo = b.bin(Op.MUL, n, m);
      let hi = b.bin(signed ? Op.MULHS : Op.MULHU, n, m);
      if (acc !== 'none') {
        const x = ctx.reg(a.rdlo);
        const y = ctx.reg(a.rdhi);
        if (acc === 'add64') {
          const l2 = b.add(lo, x);
          hi = b.add(b.add(hi, y), b.bin(Op.LTU, l2, x));
          lo = l2;
        } else {
          // UMAAL: n*m + RdLo + RdHi, each addend 32-bit unsigned.
          const l1 = b.add(lo, x);
          const h1 = b.add(hi, b.bin(Op.LTU, l1, x));
          const l2 = b.add(l1, y);
          hi = b.add(h1, b.bin(Op.LTU, l2, y));
          lo = l2;
        }
      }
      if (a.s) setNZ64(ctx, lo, hi);
      setRegs(ctx, [
        [a.rdlo, lo],
        [a.rdhi, hi],
      ]);
    },
    dis: (a, d) => `${mn(name, a.s, d.cc)} ${r(a.rdlo)}, ${r(a.rdhi)}, ${r(a.rn)}, ${r(a.rm)}`,
  };
}

export const UMULL = long('umull', false, 'none');
export const SMULL = long('smull', true, 'none');
export const UMLAL = long('umlal', false, 'add64');
export const SMLAL = long('smlal', true, 'add64');
export const UMAAL = long('umaal', false, 'umaal');

function div(name: string, op: typeof Op.UDIV | typeof Op.SDIV): Sem {
  return {
    name: name.toUpperCase(),
    lift(ctx, a) {
      setRd(ctx, a.rd, ctx.b.bin(op, ctx.reg(a.rn), ctx.reg(a.rm)));
    },
    dis: (a, d) => `${name}${d.cc} ${r(a.rd)}, ${r(a.rn)}, ${r(a.rm)}`,
  };
}

export const UDIV = div('udiv', Op.UDIV);
export const SDIV = div('sdiv', Op.SDIV);
