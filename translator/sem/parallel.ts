// Parallel add and subtract (ARM ARM A4.4.4; A8.8.x SADD16 ... UHSUB8), SEL and USAD8/USADA8.
// Prefixes: S (modulo, sets GE), Q (signed saturating), SH (signed halving), U (modulo, sets
// GE), UQ (unsigned saturating), UH (unsigned halving). Each (prefix, operation) is one helper
// over the two operand words; the S and U forms also write APSR.GE.

import type { Sem } from '../decode/pattern.js';
import { defineHelper } from '../helpers.js';
import { W } from '../state.js';
import type { CpuState } from '../state.js';
import { r } from './fmt.js';
import { setRd } from './rd.js';

export const PREFIXES = ['s', 'q', 'sh', 'u', 'uq', 'uh'] as const;
export const OPS = ['add16', 'asx', 'sax', 'sub16', 'add8', 'sub8'] as const;
export type Prefix = (typeof PREFIXES)[number];
export type POp = (typeof OPS)[number];

const signed = (p: Prefix) => p === 's' || p === 'q' || p === 'sh';

/** One lane: x op y with the prefix's rule; returns [lane result, GE bit]. */
function lane(p: Prefix, x: number, y: number, sub: boolean, bits: number): [number, number] {
  const v = sub ? x - y : x + y;
  const mask = (1 << bits) - 1;
  switch (p) {
    case 's':
      return [v & mask, v >= 0 ? 1 : 0];
    case 'u':
      return [v & mask, sub ? (v >= 0 ? 1 : 0) : v >= 1 << bits ? 1 : 0];
    case 'q': {
      const max = (1 << (bits - 1)) - 1;
      const min = -(1 << (bits - 1));
      return [Math.min(max, Math.max(min, v)) & mask, 0];
    }
    case 'uq':
      return [Math.min(mask, Math.max(0, v)), 0];
    default:
      // halving: the 1-bit-wider result shifted down
      return [(v >> 1) & mask, 0];
  }
}

function run(p: Prefix, op: POp, a: number, b: number): [number, number] {
  const bits = op === 'add8' || op === 'sub8' ? 8 : 16;
  const lanes = 32 / bits;
  const ext = (v: number, i: number) => {
    const x = (v >>> (i * bits)) & ((1 << bits) - 1);
    return signed(p) && x & (1 << (bits - 1)) ? x - (1 << bits) : x;
  };
  let res = 0;
  let ge = 0;
  for (let i = 0; i < lanes; i++) {
    let x = ext(a, i);
    let y: number;
    let sub: boolean;
    if (op === 'asx') {
      // low: a.lo - b.hi, high: a.hi + b.lo
      y = ext(b, 1 - i);
      sub = i === 0;
    } else if (op === 'sax') {
      y = ext(b, 1 - i);
      sub = i === 1;
    } else {
      y = ext(b, i);
      sub = op === 'sub16' || op === 'sub8';
    }
    const [v, g] = lane(p, x, y, sub, bits);
    x = v;
    res |= x << (i * bits);
    if (g) ge |= (bits === 16 ? 3 : 1) << (i * (bits / 8));
  }
  return [res | 0, ge];
}

const ids = new Map<string, number>();
for (const p of PREFIXES)
  for (const op of OPS) {
    const setsGE = p === 's' || p === 'u';
    ids.set(
      p + op,
      defineHelper(
        `par_${p}${op}`,
        (cpu: CpuState, a: number, b: number) => {
          const [res, ge] = run(p, op, a, b);
          if (setsGE) cpu.i32[W.GE] = ge;
          return res;
        },
        true,
        setsGE ? [W.GE] : [],
      ),
    );
  }

/** Args: rd rn rm. */
export function parallel(p: Prefix, op: POp): Sem {
  const id = ids.get(p + op)!;
  const name = `${p}${op}`;
  return {
    name: name.toUpperCase(),
    lift(ctx, a) {
      setRd(ctx, a.rd, ctx.b.call(id, [ctx.reg(a.rn), ctx.reg(a.rm)]));
    },
    dis: (a, d) => `${name}${d.cc} ${r(a.rd)}, ${r(a.rn)}, ${r(a.rm)}`,
  };
}

const SEL_ID = defineHelper(
  'sel',
  (cpu: CpuState, n: number, m: number) => {
    const ge = cpu.i32[W.GE];
    let res = 0;
    for (let i = 0; i < 4; i++) res |= ((ge >>> i) & 1 ? n : m) & (0xff << (8 * i));
    return res;
  },
  true,
  [],
);

/** SEL Rd, Rn, Rm: byte i from Rn if GE[i] else from Rm (A8.8.159). */
export const SEL: Sem = {
  name: 'SEL',
  lift(ctx, a) {
    setRd(ctx, a.rd, ctx.b.call(SEL_ID, [ctx.reg(a.rn), ctx.reg(a.rm)]));
  },
  dis: (a, d) => `sel${d.cc} ${r(a.rd)}, ${r(a.rn)}, ${r(a.rm)}`,
};

const USAD8_ID = defineHelper(
  'usad8',
  (_cpu: CpuState, n: number, m: number) => {
    let s = 0;
    for (let i = 0; i < 4; i++) s += Math.abs(((n >>> (8 * i)) & 0xff) - ((m >>> (8 * i)) & 0xff));
    return s;
  },
  false,
);

/** USAD8 / USADA8 (ra != 15): sum of absolute byte differences (A8.8.253). */
export const USAD8: Sem = {
  name: 'USAD8',
  lift(ctx, a) {
    const b = ctx.b;
    const s = b.call(USAD8_ID, [ctx.reg(a.rn), ctx.reg(a.rm)]);
    setRd(ctx, a.rd, a.ra === 15 ? s : b.add(s, ctx.reg(a.ra)));
  },
  dis: (a, d) => (a.ra === 15 ? `usad8${d.cc} ${r(a.rd)}, ${r(a.rn)}, ${r(a.rm)}` : `usada8${d.cc} ${r(a.rd)}, ${r(a.rn)}, ${r(a.rm)}, ${r(a.ra)}`),
};
