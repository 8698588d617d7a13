// Fast paths for the common case of VFP arithmetic: round-to-nearest, normal (or zero)
// operands and a normal result well inside the range. The host's binary64 arithmetic gives
// the correctly rounded result; an error-free transformation (TwoSum, Dekker's TwoProduct
// with Veltkamp splitting, as JS has no fma) tells whether it was exact, so Inexact comes
// out right. Single precision goes through binary64 then Math.fround: double rounding is
// innocuous for + - * / sqrt since 53 >= 2*24 + 2. Anything else returns false and the
// caller takes the exact path in softfloat.ts.

const SPLIT = 134217729; // 2^27 + 1
const MIN64 = 2 ** -1022;
const MIN32 = 2 ** -126;
const HI_LIMIT = 2 ** 995; // Veltkamp splitting must not overflow
const LO_LIMIT = 2 ** -900; // the error terms must not underflow

/** The result of the last successful fast operation. */
export const fastOut = { v: 0, inexact: false };

/** Rounding error of s = fl(a + b) (TwoSum, Knuth). */
function sumErr(a: number, b: number, s: number): number {
  const bb = s - a;
  return a - (s - bb) + (b - bb);
}

/** Rounding error of p = fl(a * b) (Dekker TwoProduct); |a|, |b| < 2^995. */
function prodErr(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/** Whether the binary64 operation op(x, y) (0 add, 1 sub, 2 mul, 3 div) is fast and what it gives. */
export function fast64(op: number, x: number, y: number): boolean {
  let r: number;
  let inexact: boolean;
  switch (op) {
    case 0:
    case 1: {
      if (op === 1) y = -y;
      r = x + y;
      if (r === 0) {
        inexact = false;
        break;
      }
      const ar = Math.abs(r);
      if (!(ar > MIN64 && ar < HI_LIMIT)) return false;
      inexact = sumErr(x, y, r) !== 0;
      break;
    }
    case 2: {
      r = x * y;
      if (x === 0 || y === 0) {
        inexact = false;
        break;
      }
      const ar = Math.abs(r);
      if (!(ar > LO_LIMIT && ar < HI_LIMIT && Math.abs(x) < HI_LIMIT && Math.abs(y) < HI_LIMIT)) return false;
      inexact = prodErr(x, y, r) !== 0;
      break;
    }
    default: {
      if (y === 0) return false;
      r = x / y;
      if (x === 0) {
        inexact = false;
        break;
      }
      const ar = Math.abs(r);
      if (!(ar > LO_LIMIT && ar < HI_LIMIT && Math.abs(x) > LO_LIMIT && Math.abs(x) < HI_LIMIT && Math.abs(y) < HI_LIMIT)) return false;
      const p = r * y;
      inexact = x - p !== prodErr(r, y, p);
      break;
    }
  }
  fastOut.v = r;
  fastOut.inexact = inexact;
  return true;
}

export function fastSqrt64(x: number): boolean {
  if (x === 0) {
    fastOut.v = x;
    fastOut.inexact = false;
    return true;
  }
  if (!(x > LO_LIMIT && x < HI_LIMIT)) return false;
  const r = Math.sqrt(x);
  const p = r * r;
  fastOut.v = r;
  fastOut.inexact = p !== x || prodErr(r, r, p) !== 0;
  return true;
}

/** Binary32 op(x, y) through binary64; x, y are binary32 values (normal or zero). */
export function fast32(op: number, x: number, y: number): boolean {
  let r64: number;
  let inexact = false;
  switch (op) {
    case 0:
    case 1:
      if (op === 1) y = -y;
      r64 = x + y;
      inexact = r64 !== 0 && sumErr(x, y, r64) !== 0;
      break;
    case 2:
      r64 = x * y; // 24 x 24 bits: exact
      break;
    default:
      if (y === 0) return false;
      r64 = x / y;
      if (x !== 0) {
        const p = r64 * y;
        inexact = x - p !== prodErr(r64, y, p);
      }
      break;
  }
  return finish32(r64, inexact, x === 0 || y === 0 || (op < 2 && r64 === 0));
}

export function fastSqrt32(x: number): boolean {
  if (x < 0) return false;
  const r64 = Math.sqrt(x);
  let inexact = false;
  if (x !== 0) {
    const p = r64 * r64;
    inexact = p !== x || prodErr(r64, r64, p) !== 0;
  }
  return finish32(r64, inexact, x === 0);
}

function finish32(r64: number, inexact64: boolean, zeroOk: boolean): boolean {
  const r = Math.fround(r64);
  if (r === 0) {
    if (!zeroOk || r64 !== 0) return false;
  } else {
    const ar = Math.abs(r);
    if (!(ar > MIN32 && ar !== Infinity)) return false;
  }
  fastOut.v = r;
  fastOut.inexact = inexact64 || r !== r64;
  return true;
}
