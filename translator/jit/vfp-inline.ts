// Tier 1's inline VFP code: the VFP helper calls (vfp/helpers.ts) that generated code can do
// with the host's IEEE arithmetic, as wasm f64/f32 instructions on the register file in the
// state block, falling back to the helper call itself whenever the result might differ from
// the ARM rules in any bit of the register or of FPSCR (ARM ARM A2.7, floating-point
// exceptions and the FPRound pseudocode).
//
// When the host result is exact by construction:
// - Round to nearest and no flush-to-zero (FPSCR.RMode = 0, FZ = 0): the host rounds the same
//   way and treats subnormal operands as ARM does with FZ = 0 (no IDC).
// - Products, quotients and narrowing conversions: the result is normal and above the lowest
//   binade (ARM detects tininess before rounding, so a result that rounded up to the smallest
//   normal may have underflowed), or an exact zero (an operand was zero). Sums and square roots:
//   the result is finite (a subnormal sum is exact). Infinities, NaNs and possible underflows
//   take the helper, so OFC, UFC, DZC, IOC and ARM's NaN rules stay the helper's.
// - IXC: an inexact result must set it. Arithmetic takes the fast path only when IXC is
//   already set (it is sticky: after a program's first inexact operation it stays set unless
//   the program clears it); conversions compute exactness and set it themselves.
// Fused multiply-add, half precision and the fixed-point conversions always call the helper.
//
// In tier 2's code, double-precision arithmetic and compares read D registers from f64 locals
// (`dLocal`, genstate.ts) and write them through; every other form works on the state block.

import { Op } from '../ir.js';
import { W, wD, wS } from '../state.js';
import { Cvt, H, VOp } from '../vfp/helpers.js';
import { F32, F64, I32, O, OF, fconst, type FuncBody } from '../wasm/builder.js';

// FPSCR fields (ARM ARM: the Floating-point Status and Control Register).
const IXC = 1 << 4;
const RMODE = 3 << 22;
const FZ = 1 << 24;
/** The state of FPSCR under which arithmetic may run inline: RMode = RN, FZ = 0, IXC = 1. */
const ARITH_MASK = RMODE | FZ | IXC;
const ARITH_WANT = IXC;

/** The instructions of one precision. */
interface Prec {
  dp: boolean;
  type: typeof F32 | typeof F64;
  load: number;
  store: number;
  align: number;
  add: number;
  sub: number;
  mul: number;
  div: number;
  sqrt: number;
  abs: number;
  neg: number;
  eq: number;
  lt: number;
  gt: number;
  /** State word of register n. */
  word(n: number): number;
}

const P64: Prec = {
  dp: true,
  type: F64,
  load: OF.f64_load,
  store: OF.f64_store,
  align: 3,
  add: OF.f64_add,
  sub: OF.f64_sub,
  mul: OF.f64_mul,
  div: OF.f64_div,
  sqrt: OF.f64_sqrt,
  abs: OF.f64_abs,
  neg: OF.f64_neg,
  eq: OF.f64_eq,
  lt: OF.f64_lt,
  gt: OF.f64_gt,
  word: wD,
};

const P32: Prec = {
  dp: false,
  type: F32,
  load: OF.f32_load,
  store: OF.f32_store,
  align: 2,
  add: OF.f32_add,
  sub: OF.f32_sub,
  mul: OF.f32_mul,
  div: OF.f32_div,
  sqrt: OF.f32_sqrt,
  abs: OF.f32_abs,
  neg: OF.f32_neg,
  eq: OF.f32_eq,
  lt: OF.f32_lt,
  gt: OF.f32_gt,
  word: wS,
};

/** VfpInliner.stamp of the inliner whose CALL at each arena op index set the arithmetic guard. */
let guardMark = new Int32Array(4096);
let lastStamp = 0;

function markGuard(at: number, stamp: number): void {
  if (at >= guardMark.length) {
    const m = new Int32Array(Math.max(at + 1, 2 * guardMark.length));
    m.set(guardMark);
    guardMark = m;
  }
  guardMark[at] = stamp;
}

/**
 * Emits VFP helper calls of one region as inline code where it can. The codegen asks `emit`
 * at each CALL; scratch locals are declared on first use and shared by the whole region.
 */
export class VfpInliner {
  private readonly scratch = new Map<number, number[]>();
  /**
   * The CALLs (arena op indices) whose inline code stored the arithmetic guard in the i32
   * scratch local 2: those whose guardMark entry is this inliner's stamp. (A Set had cost 2% of
   * the tier-1 benchmark's code generation: arithGuard asks it of every op it walks back over.)
   */
  private readonly stamp = ++lastStamp;
  /** The region's packed ops (genstate.ts's arena), the block's first op and the index in it of the CALL being emitted. */
  private C: Int32Array = new Int32Array(0);
  private b0 = 0;
  private at = -1;
  /**
   * D registers kept in f64 locals by the region (genstate.ts: dLocal[n], -1 when in the state
   * block), and whether the CALL being emitted may use them (its form is `cachedForm`): other
   * forms work on the state block, which the code generator makes current around them.
   */
  dLocal: Int32Array = new Int32Array(32).fill(-1);
  useLocals = false;
  /**
   * The shared form (vfp-calls.ts): -1, or the local holding the packed register numbers, the
   * helper's first argument, which the code then reads at run time: one function serves every
   * CALL of its helper and second argument in a module.
   */
  packedLocal = -1;

  constructor(
    private readonly f: FuncBody,
    private readonly stateBase: number,
  ) {}

  /** May helper `id` have an inline form (emit may still decline it)? */
  static inlines(id: number): boolean {
    return id === H.dpD || id === H.dpS || id === H.cmp || id === H.cvt || id === H.toInt || id === H.fromInt;
  }

  /**
   * The D registers that the inline form of helper `id` with constant arguments `a`, `b`
   * reads (`out[0..r)`) and writes (`out[r..]`, `out` after the reads), when it is one that
   * works on registers kept in locals: double-precision arithmetic (not fused) and compares.
   * Returns the number read, -1 for any other form (which works on the state block).
   */
  static cachedForm(id: number, a: number, b: number, out: number[]): number {
    out.length = 0;
    if (id === H.dpD) {
      if ((b >= VOp.FMA && b <= VOp.FNMS) || b > VOp.SQRT) return -1;
      const d = a & 0xff;
      if (b !== VOp.SQRT) out.push((a >>> 8) & 0xff);
      out.push((a >>> 16) & 0xff);
      if (b >= VOp.MLA && b <= VOp.NMLS) out.push(d);
      const reads = out.length;
      out.push(d);
      return reads;
    }
    if (id === H.cmp && b & 4) {
      out.push(a & 0xff);
      if (!(b & 2)) out.push((a >>> 8) & 0xff);
      return out.length;
    }
    return -1;
  }

  /** Memarg offset (from address 0) of state word `w`. */
  private addr(w: number): number {
    return this.stateBase + 4 * w;
  }

  /**
   * The register number in bits `shift`.. of `packed` (the helper's first argument), or in the
   * shared form a reference to those bits of packedLocal, read at run time (-1 - shift).
   */
  private field(packed: number, shift: number): number {
    return this.packedLocal >= 0 ? -1 - shift : (packed >>> shift) & 0xff;
  }

  /**
   * Pushes the address operand of register `r` (a number or a field reference: field()), a D
   * register if `dp` else an S register, and returns the memarg offset that goes with it.
   */
  private regAddr(dp: boolean, r: number): number {
    const f = this.f;
    if (r >= 0) {
      f.i32(0);
      return this.addr(dp ? wD(r) : wS(r));
    }
    const shift = -1 - r;
    f.get(this.packedLocal);
    if (shift) f.i32(shift).op(O.i32_shr_u);
    f.i32(0xff).op(O.i32_and).i32(dp ? 3 : 2).op(O.i32_shl);
    return this.addr(dp ? wD(0) : wS(0));
  }

  /** Scratch local `i` of `type`. */
  private local(type: typeof I32 | typeof F32 | typeof F64, i: number): number {
    let ls = this.scratch.get(type);
    if (!ls) this.scratch.set(type, (ls = []));
    while (ls.length <= i) ls.push(this.f.local(type));
    return ls[i];
  }

  /**
   * Emits helper `id` with constant first arguments `a`, `b` (undefined: not a constant) as inline
   * code that calls `slow` (the helper call with its spills) when the fast path does not
   * apply. Returns false, having emitted nothing, when the helper has no inline form.
   * Op `at` of the block whose ops start at arena op `b0` of `C` is the CALL (earlier guards
   * of the block may be reused).
   */
  emit(id: number, a: number | undefined, b: number | undefined, slow: () => void, C: Int32Array, b0: number, at: number): boolean {
    this.C = C;
    this.b0 = b0;
    this.at = at;
    if (a === undefined || b === undefined) return false;
    // (short, with no slow path: never a shared function)
    if (id === H.fromInt && this.packedLocal < 0 && this.fromIntExact(a, b)) return true;
    let body: (() => void) | null = null;
    switch (id) {
      case H.dpD:
      case H.dpS:
        body = this.arith(id === H.dpD ? P64 : P32, a, b);
        break;
      case H.cmp:
        body = this.cmp(a, b);
        break;
      case H.cvt:
        body = this.cvt(a, b);
        break;
      case H.toInt:
        body = this.toInt(a, b);
        break;
      case H.fromInt:
        body = this.fromInt(a, b);
        break;
    }
    if (!body) return false;
    // block $done { block $slow { fast path, br_if 0 to go slow; br 1 } slow path }
    const f = this.f;
    f.open(O.block).open(O.block);
    body();
    f.br(1).end();
    slow();
    f.end();
    return true;
  }

  /** Leaves for the slow path unless (FPSCR & mask) == want. */
  private guard(mask: number, want: number): void {
    this.f.i32(0).mem(O.i32_load, 2, this.addr(W.FPSCR)).i32(mask).op(O.i32_and);
    if (want) this.f.i32(want).op(O.i32_ne);
    this.f.brIf(0);
  }

  /**
   * The arithmetic guard, (FPSCR & ARITH_MASK) == ARITH_WANT, computed once per stretch of a
   * block: it stays true until FPSCR is written (SET; the helpers only add flags, so a false
   * one stays conservative), so an earlier inline arithmetic CALL of the block that dominates
   * this one (at the same or an enclosing IF level) left the answer in a local.
   */
  private arithGuard(): void {
    const f = this.f;
    if (this.packedLocal >= 0) return this.guard(ARITH_MASK, ARITH_WANT); // one CALL per function
    const g = this.local(I32, 2);
    const C = this.C;
    const me = this.b0 + this.at;
    let depth = 0;
    for (let j = this.at - 1; j >= 0; j--) {
      const q = (this.b0 + j) * 6;
      const op = C[q];
      if (op === Op.SET && C[q + 5] === W.FPSCR) break;
      if (op === Op.ENDIF) depth++;
      else if (op === Op.IF) depth = Math.max(0, depth - 1);
      else if (depth === 0 && guardMark[this.b0 + j] === this.stamp) {
        markGuard(me, this.stamp);
        f.get(g).op(O.i32_eqz).brIf(0);
        return;
      }
    }
    f.i32(0).mem(O.i32_load, 2, this.addr(W.FPSCR)).i32(ARITH_MASK).op(O.i32_and).i32(ARITH_WANT).op(O.i32_eq).tee(g);
    f.op(O.i32_eqz).brIf(0);
    markGuard(me, this.stamp);
  }

  /** Leaves for the slow path if the i32 on the stack is 0. */
  private unless(): void {
    this.f.op(O.i32_eqz).brIf(0);
  }

  /** The f64 local holding register n of precision p, when the CALL being emitted may use it (useLocals), else -1. */
  private regLocal(p: Prec, n: number): number {
    return p.dp && this.useLocals ? this.dLocal[n] : -1;
  }

  private loadReg(p: Prec, n: number): void {
    const l = this.regLocal(p, n);
    if (l >= 0) this.f.get(l);
    else this.f.mem(p.load, p.align, this.regAddr(p.dp, n));
  }

  /** FPSCR.IXC |= the i32 (0/1) on the stack. */
  private orIXC(): void {
    const f = this.f;
    f.i32(4).op(O.i32_shl).set(this.local(I32, 0));
    f.i32(0).i32(0).mem(O.i32_load, 2, this.addr(W.FPSCR)).get(this.local(I32, 0)).op(O.i32_or).mem(O.i32_store, 2, this.addr(W.FPSCR));
  }

  /**
   * Pushes 1 if local `r` is normal, not in the lowest binade (so |r| > the smallest normal:
   * ARM detects tininess before rounding) and finite, else 0. On the bits, with the sign
   * shifted out: exponent in [2, max - 1]. Integer compares: Liftoff's float compares cost
   * a branch each. A double's test reads bits 31-62 (the exponent at 21-31): 32-bit
   * constants, which x86 compares take as immediates (64-bit ones TurboFan kept in registers
   * or reloaded from its constant pool at every test).
   */
  private normal(p: Prec, r: number): void {
    const f = this.f;
    f.get(r);
    if (p.dp) {
      f.op(OF.i64_reinterpret_f64).i64(31).op(O.i64_shr_u).op(O.i32_wrap_i64);
      f.i32(2 << 21).op(O.i32_sub).i32(0x7fd << 21).op(O.i32_lt_u);
    } else {
      f.op(OF.i32_reinterpret_f32).i32(1).op(O.i32_shl);
      f.i32(2 << 24).op(O.i32_sub).i32(0xfd << 24).op(O.i32_lt_u);
    }
  }

  /** Pushes 1 if local `r` is finite (not NaN, not infinite): exponent below the maximum. */
  private finite(p: Prec, r: number): void {
    const f = this.f;
    f.get(r);
    if (p.dp) {
      f.op(OF.i64_reinterpret_f64).i64(31).op(O.i64_shr_u).op(O.i32_wrap_i64).i32(0x7ff << 21).op(O.i32_lt_u);
    } else {
      f.op(OF.i32_reinterpret_f32).i32(1).op(O.i32_shl).i32(0xff << 24).op(O.i32_lt_u);
    }
  }

  /**
   * Pushes 1 if register n (in the state block) or local r holds a zero of either sign: its
   * bits without the sign are 0, as integers (a register in the state block loaded as one).
   * A float compare with a zero constant took 6-10 bytes more (the constant's 4 or 8) and,
   * under Liftoff, a branch.
   */
  private regIsZero(p: Prec, n: number): void {
    const l = this.regLocal(p, n);
    if (l >= 0) return this.isZero(p, l);
    this.f.mem(p.dp ? O.i64_load : O.i32_load, p.align, this.regAddr(p.dp, n));
    this.bitsAreZero(p);
  }
  private isZero(p: Prec, x: number): void {
    this.f.get(x).op(p.dp ? OF.i64_reinterpret_f64 : OF.i32_reinterpret_f32);
    this.bitsAreZero(p);
  }
  /** Consumes a register's bits (i64 or i32) and pushes 1 if all but the sign are 0. */
  private bitsAreZero(p: Prec): void {
    if (p.dp) this.f.i64(1).op(O.i64_shl).op(O.i64_eqz);
    else this.f.i32(1).op(O.i32_shl).op(O.i32_eqz);
  }

  /**
   * Local r = Rn * Rm. Unless it is normal, goes slow unless it is an exact zero (an operand
   * was zero; a product that underflowed to zero is not). Emitted inside $slow's block.
   */
  private product(p: Prec, n: number, m: number, r: number): void {
    const f = this.f;
    this.loadReg(p, n);
    this.loadReg(p, m);
    f.op(p.mul).set(r);
    this.normal(p, r);
    f.op(O.i32_eqz).open(O.if);
    this.isZero(p, r);
    this.regIsZero(p, n);
    this.regIsZero(p, m);
    f.op(O.i32_or).op(O.i32_and);
    f.op(O.i32_eqz).brIf(1);
    f.end();
  }

  /** VADD ... VNMLS, VSQRT (vfp_dp_s/vfp_dp_d): packed d | n << 8 | m << 16, op a VOp. */
  private arith(p: Prec, packed: number, op: number): (() => void) | null {
    const d = this.field(packed, 0);
    const n = this.field(packed, 8);
    const m = this.field(packed, 16);
    if (op >= VOp.FMA && op <= VOp.FNMS) return null; // fused: one rounding, not the host's two
    if (op > VOp.SQRT) return null;
    return () => {
      const f = this.f;
      const r = this.local(p.type, 0);
      this.arithGuard();
      let negate = false;
      switch (op) {
        case VOp.ADD:
        case VOp.SUB:
          // A sum is exact when it is subnormal (both operands are multiples of the least
          // subnormal), so only overflow and NaN go slow.
          this.loadReg(p, n);
          this.loadReg(p, m);
          f.op(op === VOp.ADD ? p.add : p.sub).set(r);
          this.finite(p, r);
          this.unless();
          break;
        case VOp.MUL:
        case VOp.NMUL:
          this.product(p, n, m, r);
          negate = op === VOp.NMUL;
          break;
        case VOp.DIV:
          this.loadReg(p, n);
          this.loadReg(p, m);
          f.op(p.div).set(r);
          this.normal(p, r);
          f.op(O.i32_eqz).open(O.if);
          // 0 / y: an exact zero (0/0 is NaN, not zero); x / 0 (DZC) and underflow go slow.
          this.isZero(p, r);
          this.regIsZero(p, n);
          f.op(O.i32_and).op(O.i32_eqz).brIf(1);
          f.end();
          break;
        case VOp.SQRT:
          // The square root of a normal or subnormal is normal; of a zero, that zero.
          this.loadReg(p, m);
          f.op(p.sqrt).set(r);
          this.finite(p, r);
          this.unless();
          break;
        default: {
          // VMLA, VMLS, VNMLA, VNMLS: Dd = (+-Dd) + (+-(Dn*Dm)), the product rounded first
          // (ARM ARM A8.8.337: not fused).
          const negProduct = op === VOp.MLS || op === VOp.NMLA;
          const negAcc = op === VOp.NMLA || op === VOp.NMLS;
          this.product(p, n, m, r);
          this.loadReg(p, d);
          if (negAcc) f.op(p.neg);
          f.get(r);
          if (negProduct) f.op(p.neg);
          f.op(p.add).set(r);
          this.finite(p, r);
          this.unless();
        }
      }
      const l = this.regLocal(p, d);
      const at = this.regAddr(p.dp, d);
      f.get(r);
      if (negate) f.op(p.neg);
      if (l >= 0) f.tee(l); // and written through to the state block
      f.mem(p.store, p.align, at);
    };
  }

  /**
   * VCMP/VCMPE (vfp_cmp): packed d | m << 8; flags E | with-zero << 1 | double << 2. Ordered
   * operands raise nothing (VCMPE signals only on NaNs); FZ = 1 would flush subnormal ones
   * (IDC), so it goes slow. FPSCR.NZCV = 1000 (less), 0110 (equal), 0010 (greater).
   */
  private cmp(packed: number, flags: number): () => void {
    const p = flags & 4 ? P64 : P32;
    const d = this.field(packed, 0);
    const m = this.field(packed, 8);
    const withZero = (flags & 2) !== 0;
    return () => {
      const f = this.f;
      const x = this.local(p.type, 0);
      const y = this.local(p.type, 1);
      this.guard(FZ, 0);
      this.loadReg(p, d);
      f.tee(x).get(x).op(p.eq);
      if (withZero) fconst(f, 0, p.dp).set(y);
      else {
        this.loadReg(p, m);
        f.tee(y).get(y).op(p.eq).op(O.i32_and);
      }
      this.unless();
      f.i32(0);
      f.i32(0x80000000).i32(0x60000000).i32(0x20000000);
      f.get(x).get(y).op(p.eq).op(O.select);
      f.get(x).get(y).op(p.lt).op(O.select);
      f.i32(0).mem(O.i32_load, 2, this.addr(W.FPSCR)).i32(0x0fffffff).op(O.i32_and).op(O.i32_or);
      f.mem(O.i32_store, 2, this.addr(W.FPSCR));
    };
  }

  /** VCVT between F32 and F64 (vfp_cvt): packed d | m << 8; the half-precision kinds go slow. */
  private cvt(packed: number, kind: number): (() => void) | null {
    const d = this.field(packed, 0);
    const m = this.field(packed, 8);
    if (kind === Cvt.F64_F32) {
      // Exact for every non-NaN single (FZ = 0: subnormals too).
      return () => {
        const f = this.f;
        const x = this.local(F32, 0);
        this.guard(FZ, 0);
        this.loadReg(P32, m);
        f.tee(x).get(x).op(OF.f32_eq);
        this.unless();
        const at = this.regAddr(true, d);
        f.get(x).op(OF.f64_promote_f32).mem(OF.f64_store, 3, at);
      };
    }
    if (kind === Cvt.F32_F64) {
      return () => {
        const f = this.f;
        const x = this.local(F64, 0);
        const r = this.local(F32, 2);
        this.guard(RMODE | FZ, 0);
        this.loadReg(P64, m);
        f.tee(x).op(OF.f32_demote_f64).set(r);
        this.normal(P32, r);
        this.isZero(P64, x);
        f.op(O.i32_or);
        this.unless();
        const at = this.regAddr(false, d);
        f.get(r).mem(OF.f32_store, 2, at);
        f.get(r).op(OF.f64_promote_f32).get(x).op(OF.f64_ne);
        this.orIXC();
      };
    }
    return null;
  }

  /**
   * VCVT{R}.S32/U32.F32/F64 (vfp_to_int) with no fraction bits: packed d | m << 8 |
   * (fbits + 64) << 16; flags double | unsigned << 1 | round-to-zero << 2 (| 16-bit << 3 |
   * double destination << 4: fixed point, slow). In range: exact but for IXC, set here.
   */
  private toInt(packed: number, flags: number): (() => void) | null {
    const d = this.field(packed, 0);
    const m = this.field(packed, 8);
    if (((packed >>> 16) & 0xff) !== 64 || flags & 0x18) return null;
    const p = flags & 1 ? P64 : P32;
    const unsigned = (flags & 2) !== 0;
    const rz = (flags & 4) !== 0;
    return () => {
      const f = this.f;
      const x = this.local(F64, 0);
      const t = this.local(F64, 1);
      this.guard(rz ? FZ : RMODE | FZ, 0);
      this.loadReg(p, m);
      if (!p.dp) f.op(OF.f64_promote_f32);
      f.tee(x).op(rz ? OF.f64_trunc : OF.f64_nearest).tee(t);
      fconst(f, unsigned ? 0 : -(2 ** 31), true).op(OF.f64_ge);
      f.get(t);
      fconst(f, unsigned ? 2 ** 32 - 1 : 2 ** 31 - 1, true).op(OF.f64_le).op(O.i32_and);
      this.unless();
      const at = this.regAddr(false, d);
      f.get(t).op(unsigned ? OF.i32_trunc_f64_u : OF.i32_trunc_f64_s).mem(O.i32_store, 2, at);
      f.get(t).get(x).op(OF.f64_ne);
      this.orIXC();
    };
  }

  /**
   * VCVT.F64.S32/U32 (vfp_from_int, no fraction bits, double destination): always exact,
   * no exception, so no slow path. Returns false for the other forms.
   */
  fromIntExact(packed: number, flags: number): boolean {
    if (((packed >>> 16) & 0xff) !== 64 || flags & 0x18 || !(flags & 1)) return false;
    const f = this.f;
    f.i32(0).i32(0).mem(O.i32_load, 2, this.addr(wS((packed >>> 8) & 0xff)));
    f.op(flags & 2 ? OF.f64_convert_i32_u : OF.f64_convert_i32_s).mem(OF.f64_store, 3, this.addr(wD(packed & 0xff)));
    return true;
  }

  /**
   * VCVT.F32.S32/U32 (vfp_from_int) with no fraction bits: packed as toInt; flags double
   * destination | unsigned << 1 | ... | round to nearest << 5. Rounded by the host (round to
   * nearest only); IXC when that changed the value.
   */
  private fromInt(packed: number, flags: number): (() => void) | null {
    const d = this.field(packed, 0);
    const m = this.field(packed, 8);
    if (((packed >>> 16) & 0xff) !== 64 || flags & 0x19) return null;
    const unsigned = (flags & 2) !== 0;
    return () => {
      const f = this.f;
      const v = this.local(I32, 1);
      const r = this.local(F32, 2);
      if (!(flags & 32)) this.guard(RMODE, 0);
      f.mem(O.i32_load, 2, this.regAddr(false, m)).tee(v);
      f.op(unsigned ? OF.f32_convert_i32_u : OF.f32_convert_i32_s).set(r);
      const at = this.regAddr(false, d);
      f.get(r).mem(OF.f32_store, 2, at);
      f.get(r).op(OF.f64_promote_f32).get(v).op(unsigned ? OF.f64_convert_i32_u : OF.f64_convert_i32_s).op(OF.f64_ne);
      this.orIXC();
    };
  }
}
