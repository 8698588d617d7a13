// VFP operations on raw register bits: binary32 values as uint32 numbers, binary64 values as
// (hi, lo) word pairs. Each tries the fast path (fast.ts) and falls back to the exact one
// (softfloat.ts). Flags go to the FPEnv passed in.

import { fast32, fast64, fastOut, fastSqrt32, fastSqrt64 } from './fast.js';
import * as sf from './softfloat.js';
import { F32, F64, IXC, RNE, type FPEnv } from './softfloat.js';

const f64s = new Float64Array(1);
const u64s = new Uint32Array(f64s.buffer);
const f32s = new Float32Array(1);
const u32s = new Uint32Array(f32s.buffer);

/** The last binary64 result (hi, lo words). */
export const R64 = { hi: 0, lo: 0 };

export function bitsToF32(b: number): number {
  u32s[0] = b;
  return f32s[0];
}
export function f32ToBits(v: number): number {
  f32s[0] = v;
  return u32s[0];
}
export function wordsToF64(hi: number, lo: number): number {
  u64s[0] = lo;
  u64s[1] = hi;
  return f64s[0];
}
function setF64(v: number): void {
  f64s[0] = v;
  R64.lo = u64s[0] | 0;
  R64.hi = u64s[1] | 0;
}
export const toBig64 = (hi: number, lo: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
export function setBig64(v: bigint): void {
  R64.hi = Number(v >> 32n) | 0;
  R64.lo = Number(v & 0xffffffffn) | 0;
}

/** Normal or zero (not denormal, Inf, NaN). */
export function plain32(b: number): boolean {
  const e = (b >>> 23) & 0xff;
  return e !== 0xff && (e !== 0 || (b & 0x7fffff) === 0);
}
export function plain64(hi: number, lo: number): boolean {
  const e = (hi >>> 20) & 0x7ff;
  return e !== 0x7ff && (e !== 0 || ((hi & 0xfffff) | lo) === 0);
}

export const OP_ADD = 0,
  OP_SUB = 1,
  OP_MUL = 2,
  OP_DIV = 3;

/** a op b in binary32. */
export function arith32(op: number, a: number, b: number, env: FPEnv): number {
  if (env.rmode === RNE && plain32(a) && plain32(b) && fast32(op, bitsToF32(a), bitsToF32(b))) {
    if (fastOut.inexact) env.flags |= IXC;
    return f32ToBits(fastOut.v);
  }
  const A = BigInt(a >>> 0);
  const B = BigInt(b >>> 0);
  let r: bigint;
  if (op <= OP_SUB) r = sf.add(A, B, F32, env, op === OP_SUB);
  else if (op === OP_MUL) r = sf.mul(A, B, F32, env);
  else r = sf.div(A, B, F32, env);
  return Number(r) | 0;
}

/** a op b in binary64; result in R64. */
export function arith64(op: number, ah: number, al: number, bh: number, bl: number, env: FPEnv): void {
  if (env.rmode === RNE && plain64(ah, al) && plain64(bh, bl)) {
    const x = wordsToF64(ah, al);
    if (fast64(op, x, wordsToF64(bh, bl))) {
      if (fastOut.inexact) env.flags |= IXC;
      setF64(fastOut.v);
      return;
    }
  }
  const A = toBig64(ah, al);
  const B = toBig64(bh, bl);
  let r: bigint;
  if (op <= OP_SUB) r = sf.add(A, B, F64, env, op === OP_SUB);
  else if (op === OP_MUL) r = sf.mul(A, B, F64, env);
  else r = sf.div(A, B, F64, env);
  setBig64(r);
}

export function sqrt32(a: number, env: FPEnv): number {
  if (env.rmode === RNE && plain32(a) && fastSqrt32(bitsToF32(a))) {
    if (fastOut.inexact) env.flags |= IXC;
    return f32ToBits(fastOut.v);
  }
  return Number(sf.sqrt(BigInt(a >>> 0), F32, env)) | 0;
}

export function sqrt64(ah: number, al: number, env: FPEnv): void {
  if (env.rmode === RNE && plain64(ah, al) && ah >= 0) {
    if (fastSqrt64(wordsToF64(ah, al))) {
      if (fastOut.inexact) env.flags |= IXC;
      setF64(fastOut.v);
      return;
    }
  }
  setBig64(sf.sqrt(toBig64(ah, al), F64, env));
}

/** Fused (a * b) + c in binary32 (always exact path: double rounding is not innocuous here). */
export function muladd32(a: number, b: number, c: number, env: FPEnv): number {
  return Number(sf.muladd(BigInt(a >>> 0), BigInt(b >>> 0), BigInt(c >>> 0), F32, env)) | 0;
}

export function muladd64(ah: number, al: number, bh: number, bl: number, ch: number, cl: number, env: FPEnv): void {
  setBig64(sf.muladd(toBig64(ah, al), toBig64(bh, bl), toBig64(ch, cl), F64, env));
}
