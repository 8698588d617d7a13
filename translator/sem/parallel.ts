// Parallel add and subtract (ARM ARM A4.4.4; A8.8.x SADD16 ... UHSUB8), SEL and USAD8/USADA8.
// Prefixes: S (modulo, sets GE), Q (signed saturating), SH (signed halving), U (modulo, sets
// GE), UQ (unsigned saturating), UH (unsigned halving). Each (prefix, operation) is one helper
// over the two operand words; the S and U forms also write APSR.GE.
//
// UADD8, USUB8, UQSUB8 and SEL are lifted to IR instead (byte lanes in one word, SWAR): glibc's string
// functions (strlen, strcmp, memchr...) run them once per word they scan, and as helper calls
// each left generated code for JavaScript: a qsort of 40,000 strings with strcmp made 657,000
// calls of each.

import type { Sem } from '../decode/pattern.js';
import { defineHelper } from '../helpers.js';
import { Op, type IRBuilder } from '../ir.js';
import type { Temp } from '../lift/ctx.js';
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

/** Bit 7 of every byte. */
const HIGH = 0x80808080 | 0;
const LOW7 = 0x7f7f7f7f;

/** 0xff in each byte whose bit 0 is set in `bits` (which has no other bits set), else 0. */
function byteMask(b: IRBuilder, bits: Temp): Temp {
  return b.bin(Op.MUL, bits, b.const(0xff));
}

/** GE[3:0] from bit 7 of each byte of `c` (which has no other bits set). */
function geOfBytes(b: IRBuilder, c: Temp): Temp {
  const x = b.shri(c, 7);
  return b.andi(b.or(b.or(x, b.shri(x, 7)), b.or(b.shri(x, 14), b.shri(x, 21))), 0xf);
}

/**
 * UADD8: each byte of n + m, and GE[i] = its carry out. The low seven bits of each
 * byte add without reaching the next byte; bit 7 is a7 ^ b7 ^ (carry into it), and the carry out
 * is (a7 & b7) | ((a7 | b7) & ~result7).
 */
function uadd8(b: IRBuilder, n: Temp, m: Temp): [Temp, Temp] {
  const res = b.xor(b.add(b.andi(n, LOW7), b.andi(m, LOW7)), b.andi(b.xor(n, m), HIGH));
  const carry = b.andi(b.or(b.and(n, m), b.and(b.or(n, m), b.not(res))), HIGH);
  return [res, geOfBytes(b, carry)];
}

/**
 * USUB8: each byte of n - m, and GE[i] = 1 when it does not borrow (n[i] >= m[i]).
 * With bit 7 of each byte of n set, the low seven bits subtract without borrowing from the next
 * byte; bit 7 is then fixed up, and the borrow out is (~a7 & b7) | (~(a7 ^ b7) & result7).
 */
function usub8(b: IRBuilder, n: Temp, m: Temp): [Temp, Temp] {
  const [res, noBorrow] = bytesMinus(b, n, m);
  return [res, geOfBytes(b, noBorrow)];
}

/** Each byte of n - m (mod 256), and bit 7 of each byte set where it did not borrow (see usub8). */
function bytesMinus(b: IRBuilder, n: Temp, m: Temp): [Temp, Temp] {
  const res = b.xor(b.sub(b.or(n, b.const(HIGH)), b.andi(m, LOW7)), b.andi(b.xor(n, b.not(m)), HIGH));
  const borrow = b.andi(b.or(b.and(b.not(n), m), b.and(b.not(b.xor(n, m)), res)), HIGH);
  return [res, b.xor(borrow, b.const(HIGH))];
}

/**
 * UQSUB8: each byte of n - m, 0 where it would borrow; GE unchanged (the
 * returned GE is null). glibc's memchr and strchr run it per word.
 */
function uqsub8(b: IRBuilder, n: Temp, m: Temp): [Temp, Temp | null] {
  const [res, noBorrow] = bytesMinus(b, n, m);
  return [b.and(res, byteMask(b, b.shri(noBorrow, 7))), null];
}

const LIFTED: Partial<Record<string, (b: IRBuilder, n: Temp, m: Temp) => [Temp, Temp | null]>> = { uadd8, usub8, uqsub8 };

/** Args: rd rn rm. */
export function parallel(p: Prefix, op: POp): Sem {
  const id = ids.get(p + op)!;
  const name = `${p}${op}`;
  const lifted = LIFTED[name];
  return {
    name: name.toUpperCase(),
    lift(ctx, a) {
      const b = ctx.b;
      if (lifted) {
        const [res, ge] = lifted(b, ctx.reg(a.rn), ctx.reg(a.rm));
        if (ge !== null) b.set(W.GE, ge);
        setRd(ctx, a.rd, res);
      } else setRd(ctx, a.rd, b.call(id, [ctx.reg(a.rn), ctx.reg(a.rm)]));
    },
    dis: (a, d) => `${name}${d.cc} ${r(a.rd)}, ${r(a.rn)}, ${r(a.rm)}`,
  };
}

/**
 * SEL Rd, Rn, Rm: byte i from Rn if GE[i] else from Rm (A8.8.159). GE[i] is spread to bit 8i
 * and multiplied by 0xff into a byte mask; the result is Rm ^ ((Rn ^ Rm) & mask).
 */
export const SEL: Sem = {
  name: 'SEL',
  lift(ctx, a) {
    const b = ctx.b;
    const n = ctx.reg(a.rn);
    const m = ctx.reg(a.rm);
    const x = b.andi(b.get(W.GE), 0xf);
    const spread = b.andi(b.or(b.or(x, b.shli(x, 7)), b.or(b.shli(x, 14), b.shli(x, 21))), 0x01010101);
    setRd(ctx, a.rd, b.xor(m, b.and(b.xor(n, m), byteMask(b, spread))));
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
