// Data-processing operations (ARM ARM A5.2.1-A5.2.3, A6.3.1-A6.3.2, A6.2.1): one routine per
// operation and operand form, shared by A32, T32 and T16 rows.
//
// Argument sets (as QEMU's a32.decode names them):
//   rrri: s rd rn rm shim shty      operand2 = Rm shifted by an immediate
//   rrrr: s rd rn rm rs shty        operand2 = Rm shifted by Rs<7:0>
//   rri:  s rd rn imm rot           operand2 = imm (already expanded); rot != 0: carry = imm<31>

import type { Args, DisCtx, Sem } from '../decode/pattern.js';
import { Op, W, type LiftCtx, type Temp } from '../lift/ctx.js';
import { imm, mn, r, shiftImm, shiftReg } from './fmt.js';
import { exceptionReturn, isSysExcReturn } from './priv.js';

type Kind = 'logic' | 'arith' | 'test' | 'move';

interface DpOp {
  name: string;
  kind: Kind;
  /** Computes the result; for arith ops also the flags when `s`. */
  op(ctx: LiftCtx, n: Temp, m: Temp, s: boolean): Temp;
}

const C = (ctx: LiftCtx) => ctx.b.get(W.C);

const OPS: DpOp[] = [
  { name: 'and', kind: 'logic', op: (c, n, m) => c.b.and(n, m) },
  { name: 'eor', kind: 'logic', op: (c, n, m) => c.b.xor(n, m) },
  { name: 'sub', kind: 'arith', op: (c, n, m, s) => c.subWithCarry(n, m, 1, true, s) },
  { name: 'rsb', kind: 'arith', op: (c, n, m, s) => c.subWithCarry(m, n, 1, true, s) },
  { name: 'add', kind: 'arith', op: (c, n, m, s) => c.addWithCarry(n, m, 0, true, s) },
  { name: 'adc', kind: 'arith', op: (c, n, m, s) => c.addWithCarry(n, m, C(c), false, s) },
  { name: 'sbc', kind: 'arith', op: (c, n, m, s) => c.subWithCarry(n, m, C(c), false, s) },
  { name: 'rsc', kind: 'arith', op: (c, n, m, s) => c.subWithCarry(m, n, C(c), false, s) },
  { name: 'tst', kind: 'test', op: (c, n, m) => c.b.and(n, m) },
  { name: 'teq', kind: 'test', op: (c, n, m) => c.b.xor(n, m) },
  { name: 'cmp', kind: 'test', op: (c, n, m) => c.subWithCarry(n, m, 1, true, true) },
  { name: 'cmn', kind: 'test', op: (c, n, m) => c.addWithCarry(n, m, 0, true, true) },
  { name: 'orr', kind: 'logic', op: (c, n, m) => c.b.or(n, m) },
  { name: 'mov', kind: 'move', op: (_c, _n, m) => m },
  { name: 'bic', kind: 'logic', op: (c, n, m) => c.b.and(n, c.b.not(m)) },
  { name: 'mvn', kind: 'move', op: (c, _n, m) => c.b.not(m) },
  { name: 'orn', kind: 'logic', op: (c, n, m) => c.b.or(n, c.b.not(m)) },
];

const isArith = (name: string) => ['sub', 'rsb', 'add', 'adc', 'sbc', 'rsc', 'cmp', 'cmn'].includes(name);

/** Common tail: flags for logical ops, then the result to Rd (or the PC). */
function finish(ctx: LiftCtx, o: DpOp, a: Args, res: Temp, carry: Temp): void {
  const b = ctx.b;
  const s = o.kind === 'test' || a.s === 1;
  if (s && !isArith(o.name)) {
    ctx.setNZ(res);
    if (carry >= 0) b.set(W.C, carry);
  }
  if (o.kind === 'test') return;
  if (a.rd === 15) return ctx.writePC(res, 'alu');
  ctx.setReg(a.rd, res);
}

/**
 * SUBS PC, LR / MOVS PC, <op2> are exception returns (ARM ARM B9.3.20), UNPREDICTABLE in User
 * mode: QEMU makes them UNDEFINED, checked before anything changes. The other operations with
 * Rd = PC and S set the flags and write the PC with ALUWritePC, as QEMU does.
 */
const excReturn = (o: DpOp, a: Args) => a.rd === 15 && a.s === 1 && (o.name === 'sub' || o.name === 'mov');

/**
 * System mode at PL1: every A32 `<op>S PC, ...` is an exception return (B9.3.20): the result
 * goes to the PC and the SPSR to the CPSR, no flags are set. Returns the arguments to lift the
 * operation with (S cleared), or null for the ordinary rules.
 */
function sysReturnArgs(ctx: LiftCtx, o: DpOp, a: Args): Args | null {
  return o.kind !== 'test' && isSysExcReturn(ctx, a) ? { ...a, s: 0 } : null;
}

function operands(o: DpOp, a: Args, m: string): string {
  if (o.kind === 'test') return `${r(a.rn)}, ${m}`;
  if (o.kind === 'move') return `${r(a.rd)}, ${m}`;
  // T16 two-operand forms (`adds r1, #5`, `ands r0, r5`) print Rdn once, as objdump does.
  if (a.two) return `${r(a.rd)}, ${m}`;
  return `${r(a.rd)}, ${r(a.rn)}, ${m}`;
}

/**
 * Mnemonic: S and condition suffixes, `.w` when the row sets `w` (T32 encodings of operations
 * that also have a T16 form, as objdump marks them), `w` for ADDW/SUBW (row sets `w12`).
 */
const name = (o: DpOp, a: Args, cc: string, base = o.name) =>
  mn(base + (a.w12 ? 'w' : ''), o.kind === 'test' ? 0 : a.s, cc) + (a.w ? '.w' : '');

const SHIFT_MN = ['lsl', 'lsr', 'asr', 'ror'];

/**
 * The disassembly of a data-processing operation with an immediate operand. A32 prints a
 * rotated immediate as `#imm8, rot` when the encoding's rotation is not the smallest one that
 * gives the value (ARM ARM A5.2.4; objdump's convention); T32 prints values unsigned.
 */
function immText(a: Args, d: DisCtx): string {
  if (d.thumb) return `#${a.imm >>> 0}`;
  const v = a.imm >>> 0;
  if (a.rot) {
    let i = 0;
    while (i < 32 && ((v << i) | (v >>> ((32 - i) & 31))) >>> 0 > 0xff) i += 2;
    if (i !== a.rot) return `#${((v << a.rot) | (v >>> (32 - a.rot))) >>> 0 & 0xff}, ${a.rot}`;
  }
  return imm(v);
}

/** MOV with a shift prints as the shift (`lsls r0, r1, #3`, `rrx r0, r1`) except in T32 immediate shifts. */
function movShiftImm(o: DpOp, a: Args, d: DisCtx): string | null {
  // T16 MOV r8, r8 (0x46c0) is the traditional NOP.
  if (o.name === 'mov' && d.len === 2 && a.rd === 8 && a.rm === 8 && !a.s) return `nop${d.cc}`;
  if (o.name !== 'mov' || (a.shty === 0 && a.shim === 0) || (d.thumb && d.len === 4)) return null;
  const n = a.shim === 0 && (a.shty === 1 || a.shty === 2) ? 32 : a.shim;
  if (a.shty === 3 && a.shim === 0) return `${name(o, a, d.cc, 'rrx')} ${r(a.rd)}, ${r(a.rm)}`;
  return `${name(o, a, d.cc, SHIFT_MN[a.shty])} ${r(a.rd)}, ${r(a.rm)}, #${n}`;
}

function rrri(o: DpOp): Sem {
  return {
    name: `${o.name.toUpperCase()}_rrri`,
    lift(ctx, a) {
      const ret = sysReturnArgs(ctx, o, a);
      if (ret) a = ret;
      else if (excReturn(o, a)) return ctx.undef();
      const wantCarry = (a.s === 1 || o.kind === 'test') && !isArith(o.name);
      const [m, carry] = ctx.shiftImmC(ctx.reg(a.rm), a.shty, a.shim, wantCarry);
      const n = o.kind === 'move' ? -1 : ctx.reg(a.rn);
      const res = o.op(ctx, n, m, a.s === 1 || o.kind === 'test');
      if (ret) return exceptionReturn(ctx, res);
      finish(ctx, o, a, res, carry);
    },
    dis: (a, d) => movShiftImm(o, a, d) ?? `${name(o, a, d.cc)} ${operands(o, a, r(a.rm) + shiftImm(a.shty, a.shim))}`,
  };
}

function rrrr(o: DpOp): Sem {
  return {
    name: `${o.name.toUpperCase()}_rrrr`,
    lift(ctx, a) {
      const ret = sysReturnArgs(ctx, o, a);
      if (ret) a = ret;
      else if (excReturn(o, a)) return ctx.undef();
      const wantCarry = (a.s === 1 || o.kind === 'test') && !isArith(o.name);
      const [m, carry] = ctx.shiftRegC(ctx.reg(a.rm), a.shty, ctx.reg(a.rs), wantCarry);
      const n = o.kind === 'move' ? -1 : ctx.reg(a.rn);
      const res = o.op(ctx, n, m, a.s === 1 || o.kind === 'test');
      if (ret) return exceptionReturn(ctx, res);
      finish(ctx, o, a, res, carry);
    },
    dis: (a, d) => {
      if (o.name !== 'mov') return `${name(o, a, d.cc)} ${operands(o, a, r(a.rm) + shiftReg(a.shty, a.rs))}`;
      // MOV Rd, Rm, <shift> Rs prints as the shift; T16 as `lsls rdn, rs`.
      const mnem = name(o, a, d.cc, SHIFT_MN[a.shty]);
      return d.thumb && d.len === 2 ? `${mnem} ${r(a.rd)}, ${r(a.rs)}` : `${mnem} ${r(a.rd)}, ${r(a.rm)}, ${r(a.rs)}`;
    },
  };
}

function rri(o: DpOp): Sem {
  return {
    name: `${o.name.toUpperCase()}_rri`,
    lift(ctx, a) {
      const ret = sysReturnArgs(ctx, o, a);
      if (ret) a = ret;
      else if (excReturn(o, a)) return ctx.undef();
      const b = ctx.b;
      const s = a.s === 1 || o.kind === 'test';
      const m = b.const(a.imm);
      const carry = s && !isArith(o.name) && a.rot !== 0 ? b.const(a.imm >>> 31) : -1;
      // ADR-style reads of the PC use Align(PC, 4) in Thumb (ARM ARM A8.8.12).
      const n = o.kind === 'move' ? -1 : a.rn === 15 && ctx.thumb ? b.const(ctx.alignedPC()) : ctx.reg(a.rn);
      const res = o.op(ctx, n, m, s);
      if (ret) return exceptionReturn(ctx, res);
      finish(ctx, o, a, res, carry);
    },
    dis: (a, d) => {
      // T16 RSBS Rd, Rn, #0 is NEGS Rd, Rn.
      if (o.name === 'rsb' && d.thumb && d.len === 2) return `${name(o, a, d.cc, 'neg')} ${r(a.rd)}, ${r(a.rn)}`;
      return `${name(o, a, d.cc)} ${operands(o, a, immText(a, d))}`;
    },
  };
}

export type DpSems = { rrri: Sem; rrrr: Sem; rri: Sem };

/** Routines by operation name: DP.add.rrri and so on. */
export const DP: Record<string, DpSems> = Object.fromEntries(OPS.map((o) => [o.name, { rrri: rrri(o), rrrr: rrrr(o), rri: rri(o) }]));

/** The A32 opcode field (bits 24:21) order of the 16 data-processing operations. */
export const A32_DP_ORDER = ['and', 'eor', 'sub', 'rsb', 'add', 'adc', 'sbc', 'rsc', 'tst', 'teq', 'cmp', 'cmn', 'orr', 'mov', 'bic', 'mvn'];

/** MOVW / MOVT (ARM ARM A8.8.102, A8.8.106): args rd, imm (16 bits). */
export const MOVW: Sem = {
  name: 'MOVW',
  lift(ctx, a) {
    // Rd = PC is UNPREDICTABLE; QEMU writes the PC as a branch.
    if (a.rd === 15) return ctx.writePC(ctx.b.const(a.imm), 'branch');
    ctx.setReg(a.rd, ctx.b.const(a.imm));
  },
  dis: (a, d) => `movw${d.cc} ${r(a.rd)}, #${a.imm}`,
};
export const MOVT: Sem = {
  name: 'MOVT',
  lift(ctx, a) {
    const b = ctx.b;
    const v = b.or(b.andi(ctx.reg(a.rd), 0xffff), b.const(a.imm << 16));
    // Rd = PC is UNPREDICTABLE; QEMU writes the PC as a branch.
    if (a.rd === 15) return ctx.writePC(v, 'branch');
    ctx.setReg(a.rd, v);
  },
  dis: (a, d) => `movt${d.cc} ${r(a.rd)}, #${a.imm}`,
};

export { Op };
