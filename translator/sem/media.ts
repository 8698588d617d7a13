// Bit and byte manipulation (ARM ARM A8.8.33 CLZ, A8.8.144 RBIT, A8.8.145-147 REV/REV16/REVSH,
// A8.8.164/A8.8.246 SBFX/UBFX, A8.8.19/A8.8.20 BFC/BFI, A8.8.228-233 SXT*, A8.8.271-276 UXT*).
// Extend args: rd rm rot [rn: the accumulate forms when rn != 15].

import type { Sem } from '../decode/pattern.js';
import { Op, type LiftCtx, type Temp } from '../lift/ctx.js';
import { r } from './fmt.js';
import { setRd } from './rd.js';

function un(name: string, f: (ctx: LiftCtx, m: Temp) => Temp): Sem {
  return {
    name: name.toUpperCase(),
    lift(ctx, a) {
      setRd(ctx, a.rd, f(ctx, ctx.reg(a.rm)));
    },
    dis: (a, d) => `${name}${d.cc}${a.w ? '.w' : ''} ${r(a.rd)}, ${r(a.rm)}`,
  };
}

export const CLZ = un('clz', (c, m) => c.b.un(Op.CLZ, m));
export const REV = un('rev', (c, m) => c.b.un(Op.BSWAP, m));
export const REV16 = un('rev16', (c, m) => c.b.rori(c.b.un(Op.BSWAP, m), 16));
export const REVSH = un('revsh', (c, m) => c.b.un(Op.SEXT16, c.b.shri(c.b.un(Op.BSWAP, m), 16)));
export const RBIT = un('rbit', (c, m) => {
  const b = c.b;
  // Swap bits within bytes by masks, then the bytes.
  let v = m;
  for (const [mask, sh] of [
    [0x55555555, 1],
    [0x33333333, 2],
    [0x0f0f0f0f, 4],
  ] as const) {
    v = b.or(b.andi(b.shri(v, sh), mask), b.shli(b.andi(v, mask), sh));
  }
  return b.un(Op.BSWAP, v);
});

/** SBFX/UBFX: args rd rn lsb widthm1. */
function bfx(name: string, signed: boolean): Sem {
  return {
    name: name.toUpperCase(),
    lift(ctx, a) {
      const b = ctx.b;
      const msb = a.lsb + a.widthm1;
      if (msb > 31) return ctx.undef(); // UNPREDICTABLE; QEMU: UNDEFINED
      const up = b.shli(ctx.reg(a.rn), 31 - msb);
      setRd(ctx, a.rd, signed ? b.sari(up, 31 - a.widthm1) : b.shri(up, 31 - a.widthm1));
    },
    dis: (a, d) => `${name}${d.cc} ${r(a.rd)}, ${r(a.rn)}, #${a.lsb}, #${a.widthm1 + 1}`,
  };
}
export const SBFX = bfx('sbfx', true);
export const UBFX = bfx('ubfx', false);

/** BFI (rn != 15) and BFC (rn == 15): args rd rn lsb msb. */
export const BFI: Sem = {
  name: 'BFI',
  lift(ctx, a) {
    const b = ctx.b;
    if (a.msb < a.lsb) return ctx.undef(); // UNPREDICTABLE; QEMU: UNDEFINED
    const width = a.msb - a.lsb + 1;
    const mask = (width === 32 ? -1 : ((1 << width) - 1) << a.lsb) | 0;
    const src = a.rn === 15 ? b.const(0) : b.andi(b.shli(ctx.reg(a.rn), a.lsb), mask);
    setRd(ctx, a.rd, b.or(b.andi(ctx.reg(a.rd), ~mask), src));
  },
  dis: (a, d) => (a.rn === 15 ? `bfc${d.cc} ${r(a.rd)}, #${a.lsb}, #${a.msb - a.lsb + 1}` : `bfi${d.cc} ${r(a.rd)}, ${r(a.rn)}, #${a.lsb}, #${a.msb - a.lsb + 1}`),
};

type Ext = 'b' | 'h' | 'b16';

/** SXTB/SXTH/UXTB/UXTH/SXTB16/UXTB16 and the accumulating SXTAB, UXTAH... forms. */
function extend(signed: boolean, kind: Ext): Sem {
  const base = `${signed ? 's' : 'u'}xt`;
  return {
    name: `${base}${kind}`.toUpperCase(),
    lift(ctx, a) {
      const b = ctx.b;
      const m = b.rori(ctx.reg(a.rm), (a.rot ?? 0) * 8);
      const acc = a.rn !== undefined && a.rn !== 15 ? ctx.reg(a.rn) : -1;
      let v: Temp;
      if (kind === 'b16') {
        // Bytes 0 and 2, each extended to a halfword; the accumulate adds per halfword.
        let lo = b.andi(m, 0xff);
        let hi = b.andi(b.shri(m, 16), 0xff);
        if (signed) {
          lo = b.un(Op.SEXT8, lo);
          hi = b.un(Op.SEXT8, hi);
        }
        if (acc >= 0) {
          lo = b.add(lo, acc);
          hi = b.add(hi, b.shri(acc, 16));
        }
        v = b.or(b.andi(lo, 0xffff), b.shli(hi, 16));
      } else {
        if (kind === 'b') v = signed ? b.un(Op.SEXT8, m) : b.andi(m, 0xff);
        else v = signed ? b.un(Op.SEXT16, m) : b.andi(m, 0xffff);
        if (acc >= 0) v = b.add(acc, v);
      }
      setRd(ctx, a.rd, v);
    },
    dis: (a, d) => {
      const acc = a.rn !== undefined && a.rn !== 15;
      // objdump spells `ROR #24` in capitals in A32 UXTAB16; T32 accumulate forms have no `.w`.
      const rot = a.rot ? `, ${acc && !signed && kind === 'b16' && !d.thumb && a.rot === 3 ? 'ROR' : 'ror'} #${a.rot * 8}` : '';
      return `${base}${acc ? 'a' : ''}${kind}${d.cc}${a.w && !acc ? '.w' : ''} ${r(a.rd)}, ${acc ? `${r(a.rn)}, ` : ''}${r(a.rm)}${rot}`;
    },
  };
}

export const SXTB = extend(true, 'b');
export const SXTH = extend(true, 'h');
export const SXTB16 = extend(true, 'b16');
export const UXTB = extend(false, 'b');
export const UXTH = extend(false, 'h');
export const UXTB16 = extend(false, 'b16');
