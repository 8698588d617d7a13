// Exact IEEE 754 binary floating point with ARM's rules (ARM ARM A2.7, B6.1 FPSCR; the
// pseudocode FPUnpack, FPRound, FPProcessNaNs): the slow but complete path. Values are raw
// bit patterns held in BigInt; every operation returns the result's bits and ORs the
// cumulative exception bits it raises into `env.flags` (FPSCR bit positions).
//
// ARM specifics implemented here: tininess is detected before rounding; with FZ, denormal
// inputs become zero (IDC) and results that are tiny before rounding become zero (UFC, not
// IXC); NaN operands propagate first-SNaN-then-first-QNaN, quietened; DN gives the default
// NaN; the alternative half-precision format (AHP) has no Inf/NaN.

/** FPSCR cumulative exception bits. */
export const IOC = 1,
  DZC = 2,
  OFC = 4,
  UFC = 8,
  IXC = 16,
  IDC = 128;

/** FPSCR.RMode values (ARM ARM A2.7.3). */
export const RNE = 0,
  RP = 1,
  RM = 2,
  RZ = 3;

export interface Fmt {
  /** Exponent bits, fraction bits, exponent bias. */
  E: number;
  F: number;
  bias: number;
  /** Alternative half precision: the top exponent is a normal binade, no Inf/NaN. */
  ahp: boolean;
}

export const F16: Fmt = { E: 5, F: 10, bias: 15, ahp: false };
export const AHP16: Fmt = { E: 5, F: 10, bias: 15, ahp: true };
export const F32: Fmt = { E: 8, F: 23, bias: 127, ahp: false };
export const F64: Fmt = { E: 11, F: 52, bias: 1023, ahp: false };

/** The FPSCR controls an operation runs under, and the flags it raised. */
export class FPEnv {
  rmode = RNE;
  fz = false;
  dn = false;
  ahp = false;
  flags = 0;
  /** Loads the control bits of an FPSCR value and clears the flags. */
  load(fpscr: number): this {
    this.rmode = (fpscr >>> 22) & 3;
    this.fz = ((fpscr >>> 24) & 1) === 1;
    this.dn = ((fpscr >>> 25) & 1) === 1;
    this.ahp = ((fpscr >>> 26) & 1) === 1;
    this.flags = 0;
    return this;
  }
}

export const enum Cls {
  Zero,
  Normal,
  Inf,
  QNaN,
  SNaN,
}

/** An unpacked operand: value = (-1)^sign * sig * 2^exp for Normal (denormals included). */
export interface Unp {
  cls: Cls;
  sign: number;
  exp: number;
  sig: bigint;
}

const ONE = 1n;

export function bitLength(x: bigint): number {
  // x > 0
  let n = 0;
  let v = x;
  while (v >= 0x100000000n) {
    v >>= 32n;
    n += 32;
  }
  return n + (32 - Math.clz32(Number(v)));
}

const expMask = (f: Fmt) => (ONE << BigInt(f.E)) - ONE;
const fracMask = (f: Fmt) => (ONE << BigInt(f.F)) - ONE;
const signBit = (f: Fmt) => ONE << BigInt(f.E + f.F);

export function isNaNBits(bits: bigint, f: Fmt): boolean {
  if (f.ahp) return false;
  return ((bits >> BigInt(f.F)) & expMask(f)) === expMask(f) && (bits & fracMask(f)) !== 0n;
}

/** FPUnpack: classifies; flushes a denormal to zero (raising IDC) when `flush`. */
export function unpack(bits: bigint, f: Fmt, env: FPEnv, flush: boolean): Unp {
  const sign = Number((bits >> BigInt(f.E + f.F)) & ONE);
  const be = Number((bits >> BigInt(f.F)) & expMask(f));
  const frac = bits & fracMask(f);
  if (be === (1 << f.E) - 1 && !f.ahp) {
    if (frac === 0n) return { cls: Cls.Inf, sign, exp: 0, sig: 0n };
    const q = (frac >> BigInt(f.F - 1)) & ONE;
    return { cls: q ? Cls.QNaN : Cls.SNaN, sign, exp: 0, sig: frac };
  }
  if (be === 0) {
    if (frac === 0n) return { cls: Cls.Zero, sign, exp: 0, sig: 0n };
    if (flush) {
      env.flags |= IDC;
      return { cls: Cls.Zero, sign, exp: 0, sig: 0n };
    }
    return { cls: Cls.Normal, sign, exp: 1 - f.bias - f.F, sig: frac };
  }
  return { cls: Cls.Normal, sign, exp: be - f.bias - f.F, sig: frac | (ONE << BigInt(f.F)) };
}

export function defaultNaN(f: Fmt): bigint {
  return (expMask(f) << BigInt(f.F)) | (ONE << BigInt(f.F - 1));
}

export function quiet(bits: bigint, f: Fmt): bigint {
  return bits | (ONE << BigInt(f.F - 1));
}

export function zero(sign: number, f: Fmt): bigint {
  return sign ? signBit(f) : 0n;
}

export function inf(sign: number, f: Fmt): bigint {
  return (sign ? signBit(f) : 0n) | (expMask(f) << BigInt(f.F));
}

function maxNormal(sign: number, f: Fmt): bigint {
  const top = f.ahp ? expMask(f) : expMask(f) - ONE;
  return (sign ? signBit(f) : 0n) | (top << BigInt(f.F)) | fracMask(f);
}

const isNaN_ = (u: Unp) => u.cls === Cls.QNaN || u.cls === Cls.SNaN;

/** FPProcessNaNs for operands (a, b): first SNaN, then first QNaN; IOC on any SNaN. */
function pickNaN2(a: bigint, ua: Unp, b: bigint, ub: Unp, f: Fmt, env: FPEnv): bigint {
  if (ua.cls === Cls.SNaN || ub.cls === Cls.SNaN) env.flags |= IOC;
  let r: bigint;
  if (ua.cls === Cls.SNaN) r = quiet(a, f);
  else if (ub.cls === Cls.SNaN) r = quiet(b, f);
  else if (ua.cls === Cls.QNaN) r = a;
  else r = b;
  return env.dn ? defaultNaN(f) : r;
}

function invalid(f: Fmt, env: FPEnv): bigint {
  env.flags |= IOC;
  return defaultNaN(f);
}

/**
 * FPRound: rounds (-1)^sign * sig * 2^exp (sig > 0; `sticky`: the true value lies strictly
 * above that, below the next unit, and sig then has at least F+3 bits) to format f.
 * `flushOut`: FZ applies to a tiny result. `rmode` overrides the environment's.
 */
export function roundPack(sign: number, exp: number, sig: bigint, sticky: boolean, f: Fmt, env: FPEnv, flushOut: boolean, rmode = env.rmode): bigint {
  if (sticky) {
    sig = (sig << 2n) | ONE;
    exp -= 2;
  }
  const n = bitLength(sig);
  const e = exp + n - 1;
  const emin = 1 - f.bias;
  const tiny = e < emin;
  if (tiny && flushOut) {
    env.flags |= UFC;
    return zero(sign, f);
  }
  let q = tiny ? emin - f.F : e - f.F;
  let m: bigint;
  let inexact = false;
  if (q <= exp) {
    m = sig << BigInt(exp - q);
  } else {
    const sh = BigInt(q - exp);
    m = sig >> sh;
    const rem = sig & ((ONE << sh) - ONE);
    if (rem !== 0n) {
      inexact = true;
      const half = ONE << (sh - ONE);
      let up = false;
      switch (rmode) {
        case RNE:
          up = rem > half || (rem === half && (m & ONE) === ONE);
          break;
        case RP:
          up = sign === 0;
          break;
        case RM:
          up = sign === 1;
          break;
        default:
          up = false;
      }
      if (up) m += ONE;
    }
  }
  if (m === ONE << BigInt(f.F + 1)) {
    m >>= ONE;
    q++;
  }
  const be = m >= ONE << BigInt(f.F) ? q + f.F + f.bias : 0;
  const maxBe = f.ahp ? (1 << f.E) - 1 : (1 << f.E) - 2;
  if (be > maxBe) {
    if (f.ahp) {
      env.flags |= IOC; // no infinity: the largest value, Invalid only
      return maxNormal(sign, f);
    }
    env.flags |= OFC | IXC;
    const toInf = rmode === RNE || (rmode === RP && sign === 0) || (rmode === RM && sign === 1);
    return toInf ? inf(sign, f) : maxNormal(sign, f);
  }
  if (inexact) env.flags |= tiny ? UFC | IXC : IXC;
  return (sign ? signBit(f) : 0n) | (BigInt(be) << BigInt(f.F)) | (m & fracMask(f));
}

/** Packs an operand that is already representable (no rounding, no flags but FZ's). */
function repack(u: Unp, f: Fmt, env: FPEnv): bigint {
  if (u.cls === Cls.Zero) return zero(u.sign, f);
  if (u.cls === Cls.Inf) return inf(u.sign, f);
  return roundPack(u.sign, u.exp, u.sig, false, f, env, env.fz);
}

const exactZeroSign = (env: FPEnv) => (env.rmode === RM ? 1 : 0);

/** FPAdd / FPSub (b's sign inverted for the arithmetic only, as in FPSub). */
export function add(a: bigint, b: bigint, f: Fmt, env: FPEnv, subtract = false): bigint {
  const ua = unpack(a, f, env, env.fz);
  const ub = unpack(b, f, env, env.fz);
  if (isNaN_(ua) || isNaN_(ub)) return pickNaN2(a, ua, b, ub, f, env);
  const sb = ub.sign ^ (subtract ? 1 : 0);
  if (ua.cls === Cls.Inf || ub.cls === Cls.Inf) {
    if (ua.cls === Cls.Inf && ub.cls === Cls.Inf) return ua.sign === sb ? inf(sb, f) : invalid(f, env);
    return ua.cls === Cls.Inf ? inf(ua.sign, f) : inf(sb, f);
  }
  if (ua.cls === Cls.Zero && ub.cls === Cls.Zero) return zero(ua.sign === sb ? sb : exactZeroSign(env), f);
  if (ub.cls === Cls.Zero) return repack(ua, f, env);
  if (ua.cls === Cls.Zero) return repack({ ...ub, sign: sb }, f, env);
  const e = Math.min(ua.exp, ub.exp);
  let va = ua.sig << BigInt(ua.exp - e);
  let vb = ub.sig << BigInt(ub.exp - e);
  if (ua.sign) va = -va;
  if (sb) vb = -vb;
  const s = va + vb;
  if (s === 0n) return zero(exactZeroSign(env), f);
  return s < 0n ? roundPack(1, e, -s, false, f, env, env.fz) : roundPack(0, e, s, false, f, env, env.fz);
}

export function mul(a: bigint, b: bigint, f: Fmt, env: FPEnv): bigint {
  const ua = unpack(a, f, env, env.fz);
  const ub = unpack(b, f, env, env.fz);
  if (isNaN_(ua) || isNaN_(ub)) return pickNaN2(a, ua, b, ub, f, env);
  const s = ua.sign ^ ub.sign;
  if (ua.cls === Cls.Inf || ub.cls === Cls.Inf) {
    if (ua.cls === Cls.Zero || ub.cls === Cls.Zero) return invalid(f, env);
    return inf(s, f);
  }
  if (ua.cls === Cls.Zero || ub.cls === Cls.Zero) return zero(s, f);
  return roundPack(s, ua.exp + ub.exp, ua.sig * ub.sig, false, f, env, env.fz);
}

export function div(a: bigint, b: bigint, f: Fmt, env: FPEnv): bigint {
  const ua = unpack(a, f, env, env.fz);
  const ub = unpack(b, f, env, env.fz);
  if (isNaN_(ua) || isNaN_(ub)) return pickNaN2(a, ua, b, ub, f, env);
  const s = ua.sign ^ ub.sign;
  if (ua.cls === Cls.Inf) return ub.cls === Cls.Inf ? invalid(f, env) : inf(s, f);
  if (ub.cls === Cls.Inf) return zero(s, f);
  if (ub.cls === Cls.Zero) {
    if (ua.cls === Cls.Zero) return invalid(f, env);
    env.flags |= DZC;
    return inf(s, f);
  }
  if (ua.cls === Cls.Zero) return zero(s, f);
  const k = Math.max(0, f.F + 4 + bitLength(ub.sig) - bitLength(ua.sig));
  const num = ua.sig << BigInt(k);
  const q = num / ub.sig;
  const r = num - q * ub.sig;
  return roundPack(s, ua.exp - ub.exp - k, q, r !== 0n, f, env, env.fz);
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = ONE << BigInt(Math.ceil(bitLength(n) / 2));
  for (;;) {
    const y = (x + n / x) >> ONE;
    if (y >= x) return x;
    x = y;
  }
}

export function sqrt(a: bigint, f: Fmt, env: FPEnv): bigint {
  const ua = unpack(a, f, env, env.fz);
  if (isNaN_(ua)) {
    if (ua.cls === Cls.SNaN) env.flags |= IOC;
    return env.dn ? defaultNaN(f) : quiet(a, f);
  }
  if (ua.cls === Cls.Zero) return zero(ua.sign, f);
  if (ua.sign) return invalid(f, env);
  if (ua.cls === Cls.Inf) return inf(0, f);
  let sig = ua.sig;
  let exp = ua.exp;
  if (exp & 1) {
    sig <<= ONE;
    exp -= 1;
  }
  // root needs F+4 bits: radicand at least 2(F+4) bits, an even shift keeps exp even
  let k = Math.max(0, 2 * (f.F + 4) - bitLength(sig) + 1);
  if (k & 1) k++;
  const n = sig << BigInt(k);
  const r = isqrt(n);
  return roundPack(0, (exp - k) / 2, r, r * r !== n, f, env, env.fz);
}

/**
 * FPMulAdd: (a * b) + c with one rounding, NaN selection as the ARM ARM orders it
 * (addend first) and (Inf * 0) + QNaN giving the default NaN with Invalid.
 */
export function muladd(a: bigint, b: bigint, c: bigint, f: Fmt, env: FPEnv): bigint {
  const ua = unpack(a, f, env, env.fz);
  const ub = unpack(b, f, env, env.fz);
  const uc = unpack(c, f, env, env.fz);
  const infzero = (ua.cls === Cls.Inf && ub.cls === Cls.Zero) || (ua.cls === Cls.Zero && ub.cls === Cls.Inf);
  if (isNaN_(ua) || isNaN_(ub) || isNaN_(uc)) {
    if (ua.cls === Cls.SNaN || ub.cls === Cls.SNaN || uc.cls === Cls.SNaN) env.flags |= IOC;
    if (infzero && uc.cls === Cls.QNaN) return invalid(f, env);
    let r: bigint;
    if (uc.cls === Cls.SNaN) r = quiet(c, f);
    else if (ua.cls === Cls.SNaN) r = quiet(a, f);
    else if (ub.cls === Cls.SNaN) r = quiet(b, f);
    else if (uc.cls === Cls.QNaN) r = c;
    else if (ua.cls === Cls.QNaN) r = a;
    else r = b;
    return env.dn ? defaultNaN(f) : r;
  }
  if (infzero) return invalid(f, env);
  const ps = ua.sign ^ ub.sign;
  if (ua.cls === Cls.Inf || ub.cls === Cls.Inf) {
    if (uc.cls === Cls.Inf && uc.sign !== ps) return invalid(f, env);
    return inf(ps, f);
  }
  if (uc.cls === Cls.Inf) return inf(uc.sign, f);
  const pzero = ua.cls === Cls.Zero || ub.cls === Cls.Zero;
  if (pzero) {
    if (uc.cls === Cls.Zero) return zero(ps === uc.sign ? ps : exactZeroSign(env), f);
    return repack(uc, f, env);
  }
  const pe = ua.exp + ub.exp;
  let p = ua.sig * ub.sig;
  if (uc.cls === Cls.Zero) return roundPack(ps, pe, p, false, f, env, env.fz);
  const e = Math.min(pe, uc.exp);
  p <<= BigInt(pe - e);
  let cv = uc.sig << BigInt(uc.exp - e);
  if (ps) p = -p;
  if (uc.sign) cv = -cv;
  const s = p + cv;
  if (s === 0n) return zero(exactZeroSign(env), f);
  return s < 0n ? roundPack(1, e, -s, false, f, env, env.fz) : roundPack(0, e, s, false, f, env, env.fz);
}

/**
 * FPCompare: FPSCR NZCV as a 4-bit value (equal 0110, less 1000, greater 0010, unordered
 * 0011). Invalid on a signaling NaN, or on any NaN when `signalQNaN` (VCMPE).
 */
export function compare(a: bigint, b: bigint, f: Fmt, env: FPEnv, signalQNaN: boolean): number {
  const ua = unpack(a, f, env, env.fz);
  const ub = unpack(b, f, env, env.fz);
  if (isNaN_(ua) || isNaN_(ub)) {
    if (signalQNaN || ua.cls === Cls.SNaN || ub.cls === Cls.SNaN) env.flags |= IOC;
    return 0x3;
  }
  const key = (u: Unp, bits: bigint): bigint => {
    if (u.cls === Cls.Zero) return 0n;
    const mag = bits & (signBit(f) - ONE);
    return u.sign ? -mag : mag;
  };
  const ka = key(ua, a);
  const kb = key(ub, b);
  return ka === kb ? 0x6 : ka < kb ? 0x8 : 0x2;
}

/**
 * FPConvert between formats. `flushIn`/`flushOut` say whether FZ applies to the source and
 * to the result (half precision is never flushed on the A15).
 */
export function convert(a: bigint, from: Fmt, to: Fmt, env: FPEnv, flushIn: boolean, flushOut: boolean): bigint {
  const u = unpack(a, from, env, flushIn && env.fz);
  if (isNaN_(u)) {
    if (u.cls === Cls.SNaN || to.ahp) env.flags |= IOC;
    if (to.ahp) return zero(u.sign, to);
    if (env.dn) return defaultNaN(to);
    // keep the top fraction bits of the payload, quietened
    const frac = from.F >= to.F ? u.sig >> BigInt(from.F - to.F) : u.sig << BigInt(to.F - from.F);
    return (u.sign ? signBit(to) : 0n) | (expMask(to) << BigInt(to.F)) | frac | (ONE << BigInt(to.F - 1));
  }
  if (u.cls === Cls.Inf) {
    if (to.ahp) {
      env.flags |= IOC;
      return maxNormal(u.sign, to);
    }
    return inf(u.sign, to);
  }
  if (u.cls === Cls.Zero) return zero(u.sign, to);
  return roundPack(u.sign, u.exp, u.sig, false, to, env, flushOut && env.fz);
}

/**
 * FPToFixed: the value times 2^fbits, rounded with `rmode` to an integer of `bits` bits
 * (signed or unsigned), saturating with Invalid (and no Inexact) when out of range; a NaN
 * gives 0 with Invalid. Returns the integer as a JS number.
 */
export function toFixed(a: bigint, f: Fmt, env: FPEnv, fbits: number, bits: 16 | 32, unsigned: boolean, rmode: number): number {
  const max = unsigned ? 2 ** bits - 1 : 2 ** (bits - 1) - 1;
  const min = unsigned ? 0 : -(2 ** (bits - 1));
  if (isNaNBits(a, f)) {
    env.flags |= IOC;
    return 0;
  }
  const u = unpack(a, f, env, env.fz);
  if (u.cls === Cls.Zero) return 0;
  if (u.cls === Cls.Inf) {
    env.flags |= IOC;
    return u.sign ? min : max;
  }
  const exp = u.exp + fbits;
  let mag: bigint;
  let inexact = false;
  if (exp >= 0) {
    mag = exp > 64 ? ONE << 64n : u.sig << BigInt(exp);
  } else {
    const sh = BigInt(-exp);
    mag = u.sig >> sh;
    const rem = u.sig & ((ONE << sh) - ONE);
    if (rem !== 0n) {
      inexact = true;
      const half = ONE << (sh - ONE);
      let up = false;
      if (rmode === RNE) up = rem > half || (rem === half && (mag & ONE) === ONE);
      else if (rmode === RP) up = u.sign === 0;
      else if (rmode === RM) up = u.sign === 1;
      if (up) mag += ONE;
    }
  }
  const v = u.sign ? -Number(mag > 1n << 64n ? 1n << 64n : mag) : Number(mag > 1n << 64n ? 1n << 64n : mag);
  if (v > max || v < min) {
    env.flags |= IOC;
    return v > max ? max : min;
  }
  if (inexact) env.flags |= IXC;
  return v === 0 ? 0 : v;
}

/** FixedToFP: integer v (a JS number) times 2^-fbits, rounded to f with `rmode`. */
export function fromFixed(v: number, fbits: number, f: Fmt, env: FPEnv, rmode: number): bigint {
  if (v === 0) return 0n;
  const sign = v < 0 ? 1 : 0;
  return roundPack(sign, -fbits, BigInt(Math.abs(v)), false, f, env, env.fz, rmode);
}
