// The lifter's per-instruction context: what a semantic routine uses to read and write guest
// registers, flags and memory as IR. It hides the encoding (ARM/Thumb PC offsets, the IT
// block, interworking rules) so one routine serves A32, T32 and T16.

import { Exit, IRBuilder, Mem, Op, type ExitReason } from '../ir.js';
import { W } from '../state.js';
import type { SysLift } from '../sys.js';
import type { CodeSource } from './block.js';

export type Temp = number;

/** Shift types of DecodeImmShift (ARM ARM A8.4.3). */
export const SRType = { LSL: 0, LSR: 1, ASR: 2, ROR: 3 } as const;

export class LiftCtx {
  /** Address of the instruction being lifted. */
  pc = 0;
  /** Encoding length in bytes (4 for A32/T32, 2 for T16). */
  len = 4;
  /** Condition the instruction executes under (14 = always). */
  cond = 14;
  /** Set when the routine wrote the PC (the block ends or side-exits). */
  pcWritten = false;
  /** ITSTATE after this instruction; stored on every exit in Thumb blocks. */
  itAfter = 0;
  /** Thumb blocks that saw or started in an IT block store ITSTATE on exit. */
  trackIT = false;
  /** ITSTATE of the instruction being lifted (Thumb). */
  itHere = 0;
  /** Set by IT: the new ITSTATE for the following instructions. */
  newIT: number | null = null;
  /**
   * FPSCR.LEN and STRIDE are known to be zero here: an earlier VFP data-processing instruction
   * of the block checked them unconditionally and nothing wrote FPSCR since (sem/vfp_dp.ts).
   */
  vecChecked = false;
  /** System mode: what the block is lifted for (privilege...); null in Linux user mode. */
  sys: SysLift | null = null;
  /** The code source, when it folds literal loads (CodeSource.literal); else null. */
  src: CodeSource | null = null;

  constructor(
    readonly b: IRBuilder,
    readonly thumb: boolean,
  ) {}

  /** The value of PC as an operand: this instruction + 8 (ARM) or + 4 (Thumb). */
  pcValue(): number {
    return (this.pc + (this.thumb ? 4 : 8)) >>> 0;
  }

  /** Reads Rn; R15 reads as pcValue(). */
  reg(n: number): Temp {
    return n === 15 ? this.b.const(this.pcValue()) : this.b.get(n);
  }

  /** Align(PC, 4): the base of literal loads and ADR. */
  alignedPC(): number {
    return this.pcValue() & ~3;
  }

  /** Writes Rn for n < 15. Use writePC for R15. */
  setReg(n: number, v: Temp): void {
    if (n === 15) throw new Error('setReg(15): use writePC');
    this.b.set(n, v);
  }

  /**
   * Writes R15 with the given rule, then exits the block (ARM ARM A2.3.1):
   *  'branch': BranchWritePC (ARM: addr & ~3, Thumb: addr & ~1)
   *  'bx'    : BXWritePC, interworking on bit 0 (also LoadWritePC)
   *  'alu'   : ALUWritePC (ARM: as bx; Thumb: as branch)
   */
  writePC(v: Temp, kind: 'branch' | 'bx' | 'alu'): void {
    const b = this.b;
    const interwork = kind === 'bx' || (kind === 'alu' && !this.thumb);
    if (interwork) {
      b.set(W.T, b.andi(v, 1));
      b.set(W.PC, b.andi(v, ~1));
    } else {
      b.set(W.PC, b.andi(v, this.thumb ? ~1 : ~3));
    }
    this.exit(Exit.NEXT);
    this.pcWritten = true;
  }

  /** A direct branch to a constant address; `toThumb` switches state (BLX imm). */
  branchTo(target: number, toThumb: boolean = this.thumb): void {
    const b = this.b;
    if (toThumb !== this.thumb) b.set(W.T, b.const(toThumb ? 1 : 0));
    b.set(W.PC, b.const(target >>> 0));
    this.exit(Exit.NEXT);
    this.pcWritten = true;
  }

  /** Ends the block with `reason`, storing ITSTATE first when the block tracks it. */
  exit(reason: ExitReason): void {
    if (this.trackIT) this.b.set(W.ITSTATE, this.b.const(this.itAfter));
    this.b.exit(reason);
  }

  /** Address of the next instruction. */
  nextPC(): number {
    return (this.pc + this.len) >>> 0;
  }

  /** UNDEFINED: PC stays at this instruction. */
  undef(): void {
    this.b.set(W.PC, this.b.const(this.pc));
    if (this.sys && this.trackIT) {
      // System mode: the exception saves this instruction's ITSTATE in the SPSR (B1.8.3).
      this.b.set(W.ITSTATE, this.b.const(this.itHere));
      this.b.exit(Exit.UNDEF);
    } else {
      this.exit(Exit.UNDEF);
    }
    this.pcWritten = true;
  }

  /** A trap that reports `imm`; SVC resumes after the instruction, BKPT at it. */
  trap(reason: ExitReason, imm: number): void {
    const b = this.b;
    b.set(W.TRAP_IMM, b.const(imm));
    b.set(W.PC, b.const(reason === Exit.SVC ? this.nextPC() : this.pc));
    this.exit(reason);
    this.pcWritten = true;
  }

  // ---- flags ---------------------------------------------------------------

  flag(w: number): Temp {
    return this.b.get(w);
  }
  setN(res: Temp): void {
    this.b.set(W.N, this.b.shri(res, 31));
  }
  setZ(res: Temp): void {
    this.b.set(W.Z, this.b.bin(Op.EQ, res, this.b.imm(0)));
  }
  setNZ(res: Temp): void {
    this.setN(res);
    this.setZ(res);
  }

  /**
   * AddWithCarry(x, y, carry_in) (ARM ARM A2.2.1): returns the sum; sets N Z C V when asked.
   * `cin` is a constant 0/1 or a temp holding 0/1.
   */
  addWithCarry(x: Temp, y: Temp, cin: Temp | 0 | 1, cinIsConst: boolean, setflags: boolean): Temp {
    const b = this.b;
    const k = setflags && cinIsConst && cin === 0 ? b.constValue(y) : undefined;
    let res: Temp;
    if (cinIsConst) res = cin === 0 ? b.add(x, y) : b.add(b.add(x, y), b.const(1));
    else res = b.add(b.add(x, y), cin);
    if (setflags) {
      this.setNZ(res);
      let c: Temp;
      if (cinIsConst) c = b.bin(cin === 0 ? Op.LTU : Op.LEU, res, x);
      else c = b.select(cin, b.bin(Op.LEU, res, x), b.bin(Op.LTU, res, x));
      b.set(W.C, c);
      if (k !== undefined) b.set(W.V, this.overflowAddConst(x, k));
      else b.set(W.V, b.shri(b.and(b.xor(x, res), b.xor(y, res)), 31));
    }
    return res;
  }

  /**
   * The V flag of x + k for a constant k in [-2^31 + 1, 2^31] (not wrapped to 32 bits): x + k
   * overflows when x > INT_MAX - k (k > 0) or x < INT_MIN - k (k < 0), one comparison.
   */
  private overflowAddConst(x: Temp, k: number): Temp {
    const b = this.b;
    if (k === 0) return b.const(0);
    return k > 0 ? b.bin(Op.LTS, b.const(0x7fffffff - k), x) : b.bin(Op.LTS, x, b.const(-0x80000000 - k));
  }

  /** x - y (with borrow when `cin` is C): AddWithCarry(x, NOT(y), cin). */
  subWithCarry(x: Temp, y: Temp, cin: Temp | 0 | 1, cinIsConst: boolean, setflags: boolean): Temp {
    if (!cinIsConst || cin !== 1) return this.addWithCarry(x, this.b.not(y), cin, cinIsConst, setflags);
    // SUB, RSB, CMP: x + NOT(y) + 1 is x - y; its carry is NOT borrow (x >= y unsigned) and it
    // overflows when x and y differ in sign and the result's sign differs from x's (one op
    // where AddWithCarry's form took three, and two fewer for the flags).
    const b = this.b;
    const k = setflags ? b.constValue(y) : undefined;
    // CMP x, #0 (a common test): x itself, no borrow.
    const res = k === 0 ? x : b.sub(x, y);
    if (setflags) {
      this.setNZ(res);
      b.set(W.C, k === 0 ? b.const(1) : b.bin(Op.LEU, y, x));
      // x - k is x + (-k), with -k taken exactly (2^31 for k = INT_MIN).
      if (k !== undefined) b.set(W.V, this.overflowAddConst(x, -k));
      else b.set(W.V, b.shri(b.and(b.xor(x, y), b.xor(x, res)), 31));
    }
    return res;
  }

  // ---- shifter (ARM ARM A8.4.3) ----------------------------------------------

  /** Shift_C(m, type, amount) for a constant amount from DecodeImmShift; returns [result, carry]. */
  shiftImmC(m: Temp, type: number, imm5: number, wantCarry: boolean): [Temp, Temp] {
    const b = this.b;
    switch (type) {
      case SRType.LSL:
        if (imm5 === 0) return [m, wantCarry ? b.get(W.C) : -1];
        return [b.shli(m, imm5), wantCarry ? b.bit(m, 32 - imm5) : -1];
      case SRType.LSR:
        if (imm5 === 0) return [b.const(0), wantCarry ? b.shri(m, 31) : -1];
        return [b.shri(m, imm5), wantCarry ? b.bit(m, imm5 - 1) : -1];
      case SRType.ASR: {
        const n = imm5 === 0 ? 32 : imm5;
        return [b.sari(m, n === 32 ? 31 : n), wantCarry ? b.bit(m, n - 1) : -1];
      }
      default:
        if (imm5 === 0) {
          // RRX
          const res = b.or(b.shli(b.get(W.C), 31), b.shri(m, 1));
          return [res, wantCarry ? b.andi(m, 1) : -1];
        }
        {
          const res = b.rori(m, imm5);
          return [res, wantCarry ? b.shri(res, 31) : -1];
        }
    }
  }

  /** Shift_C(m, type, Rs<7:0>) for a register-specified amount; returns [result, carry]. */
  shiftRegC(m: Temp, type: number, rs: Temp, wantCarry: boolean): [Temp, Temp] {
    const b = this.b;
    const amt = b.andi(rs, 0xff);
    const k32 = b.const(32);
    const zero = b.const(0);
    const isZero = b.bin(Op.EQ, amt, zero);
    const lt32 = b.bin(Op.LTU, amt, k32);
    let res: Temp;
    let carry: Temp = -1;
    switch (type) {
      case SRType.LSL:
        res = b.select(lt32, b.bin(Op.SHL, m, amt), zero);
        if (wantCarry) {
          const c = b.andi(b.bin(Op.SHR, m, b.sub(k32, amt)), 1);
          carry = b.select(isZero, b.get(W.C), b.select(b.bin(Op.LEU, amt, k32), c, zero));
        }
        break;
      case SRType.LSR:
        res = b.select(lt32, b.bin(Op.SHR, m, amt), zero);
        if (wantCarry) {
          const c = b.andi(b.bin(Op.SHR, m, b.addi(amt, -1)), 1);
          carry = b.select(isZero, b.get(W.C), b.select(b.bin(Op.LEU, amt, k32), c, zero));
        }
        break;
      case SRType.ASR:
        res = b.bin(Op.SAR, m, b.select(lt32, amt, b.const(31)));
        if (wantCarry) {
          const c = b.andi(b.bin(Op.SHR, m, b.select(lt32, b.addi(amt, -1), b.const(31))), 1);
          carry = b.select(isZero, b.get(W.C), c);
        }
        break;
      default:
        res = b.bin(Op.ROR, m, amt);
        if (wantCarry) carry = b.select(isZero, b.get(W.C), b.shri(res, 31));
        break;
    }
    return [res, carry];
  }

  // ---- memory ------------------------------------------------------------------

  load(addr: Temp, size: 1 | 2 | 4, flags = 0): Temp {
    if (this.src !== null) {
      const v = this.literal(addr, size, flags);
      if (v !== undefined) return this.b.const(v);
    }
    return this.b.load(addr, size | flags);
  }

  /**
   * A load from a constant address on the page of the instruction (a literal pool: LDR, LDRD,
   * VLDR with Rn = PC) folded to its value, when the code source vouches that any write to
   * the page drops this block (CodeSource.literal). Not after a STORE of the block: the block
   * runs to its end after a store to its own page, and the load must see what was stored.
   */
  private literal(addr: Temp, size: 1 | 2 | 4, flags: number): number | undefined {
    if (flags & ~(Mem.SIGNED | Mem.ALIGN)) return undefined;
    const a = this.b.constAddress(addr);
    if (a === undefined || a >>> 12 !== this.pc >>> 12 || ((a + size - 1) >>> 12) !== a >>> 12) return undefined;
    if (flags & Mem.ALIGN && a & (size - 1)) return undefined;
    if (this.b.hasStore()) return undefined;
    const v = this.src!.literal!(a, size);
    if (v === undefined || !(flags & Mem.SIGNED) || size === 4) return v;
    return size === 1 ? (v << 24) >> 24 : (v << 16) >> 16;
  }
  store(addr: Temp, v: Temp, size: 1 | 2 | 4, flags = 0): void {
    this.b.store(addr, v, size | flags);
  }
}

export { Mem, Op, Exit, W };

/**
 * ConditionPassed() for cond (ARM ARM A8.3): a 0/1 temp. Not called for AL.
 */
export function condTemp(b: IRBuilder, cond: number): Temp {
  // The flags are 0/1 words, so each condition is one or two ops: HI (C && !Z) is Z < C, and
  // LE (Z || N != V) is Z | (N ^ V).
  const not = (t: Temp) => b.bin(Op.EQ, t, b.imm(0));
  const inv = (cond & 1) !== 0;
  switch (cond >> 1) {
    case 0: // EQ, NE
      return inv ? not(b.get(W.Z)) : b.get(W.Z);
    case 1: // CS, CC
      return inv ? not(b.get(W.C)) : b.get(W.C);
    case 2: // MI, PL
      return inv ? not(b.get(W.N)) : b.get(W.N);
    case 3: // VS, VC
      return inv ? not(b.get(W.V)) : b.get(W.V);
    case 4: // HI, LS
      return inv ? b.bin(Op.LEU, b.get(W.C), b.get(W.Z)) : b.bin(Op.LTU, b.get(W.Z), b.get(W.C));
    case 5: // GE, LT
      return b.bin(inv ? Op.NE : Op.EQ, b.get(W.N), b.get(W.V));
    case 6: {
      // GT, LE
      const le = b.or(b.get(W.Z), b.xor(b.get(W.N), b.get(W.V)));
      return inv ? le : not(le);
    }
    default:
      return b.const(1); // AL
  }
}

export const COND_NAMES = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', '', ''];
