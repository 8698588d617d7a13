// Single loads and stores (ARM ARM A8.8.62-A8.8.88 loads, A8.8.203-A8.8.219 stores): word,
// byte, halfword, signed byte/halfword, dual, and the unprivileged (T) forms. One routine per
// operation and offset form, shared by A32, T32 and T16 rows.
//
// Argument set (as QEMU's a32.decode names it, ldst_ri / ldst_rr):
//   rt [rt2] rn  p u w  imm            offset = imm (unsigned, u says add or subtract)
//   rt [rt2] rn  p u w  rm shty shim   offset = Shift(Rm, shty, shim)
// p = index (offset applied before the access), w = write back. Rows of post-indexed forms
// set p=0 w=0 (post-indexing always writes back), T forms set `user`.
// Rn = 15 (literal) uses Align(PC, 4) as the base (A8.8.65).

import type { Args, DisCtx, Sem } from '../decode/pattern.js';
import { Mem, type LiftCtx, type Temp } from '../lift/ctx.js';
import { hex, r, shiftImm } from './fmt.js';

export interface LdstOp {
  name: string;
  load: boolean;
  size: 1 | 2 | 4;
  signed: boolean;
  /** LDRT and friends: an unprivileged access (same as a normal one at PL0). */
  user: boolean;
}

const OPS: LdstOp[] = [];
for (const user of [false, true]) {
  const t = user ? 't' : '';
  OPS.push(
    { name: `ldr${t}`, load: true, size: 4, signed: false, user },
    { name: `ldrb${t}`, load: true, size: 1, signed: false, user },
    { name: `ldrh${t}`, load: true, size: 2, signed: false, user },
    { name: `ldrsb${t}`, load: true, size: 1, signed: true, user },
    { name: `ldrsh${t}`, load: true, size: 2, signed: true, user },
    { name: `str${t}`, load: false, size: 4, signed: false, user },
    { name: `strb${t}`, load: false, size: 1, signed: false, user },
    { name: `strh${t}`, load: false, size: 2, signed: false, user },
  );
}

/** True when the form writes the base register back (post-indexed or W set). */
export const wback = (a: Args): boolean => a.p === 0 || a.w === 1;

/** Base register value: Align(PC, 4) for Rn = 15 (literal forms), else Rn. */
function base(ctx: LiftCtx, rn: number): Temp {
  return rn === 15 ? ctx.b.const(ctx.alignedPC()) : ctx.b.get(rn);
}

/** [access address, offset address] for an immediate or register offset. */
export function effAddr(ctx: LiftCtx, a: Args, offset: Temp | null): [Temp, Temp] {
  const b = ctx.b;
  const n = base(ctx, a.rn);
  let off: Temp;
  if (offset === null) off = a.rn === 15 ? b.const(ctx.alignedPC() + (a.u ? a.imm : -a.imm)) : b.addi(n, a.u ? a.imm : -a.imm);
  else off = a.u ? b.add(n, offset) : b.sub(n, offset);
  return [a.p ? off : n, off];
}

function regOffset(ctx: LiftCtx, a: Args): Temp {
  return ctx.shiftImmC(ctx.reg(a.rm), a.shty ?? 0, a.shim ?? 0, false)[0];
}

/** Writes the base back; R15 as a write-back base is UNPREDICTABLE (rows mark it invalid). */
function writeBack(ctx: LiftCtx, a: Args, off: Temp): void {
  if (wback(a)) ctx.setReg(a.rn, off);
}

function flags(o: LdstOp): number {
  return (o.signed ? Mem.SIGNED : 0) | (o.user ? Mem.USER : 0);
}

function lift(ctx: LiftCtx, o: LdstOp, a: Args, offset: Temp | null): void {
  if (wback(a) && a.rn === 15) return ctx.undef();
  if (o.load && a.rt === 15 && o.size !== 4) return ctx.undef();
  const [addr, off] = effAddr(ctx, a, offset);
  if (o.load) {
    const v = ctx.load(addr, o.size, flags(o));
    writeBack(ctx, a, off);
    if (a.rt === 15) ctx.writePC(v, 'bx'); // LoadWritePC (A2.3.1)
    else ctx.setReg(a.rt, v);
  } else {
    const v = ctx.reg(a.rt);
    ctx.store(addr, v, o.size, flags(o));
    writeBack(ctx, a, off);
  }
}

/** "[r1, #4]!", "[r1], #-4", "[pc, #8]" for immediate forms. */
export function addrImm(a: Args, d: DisCtx): string {
  const n = r(a.rn);
  const imm = `#${a.u ? '' : '-'}${a.imm}`;
  if (a.p === 0) return `[${n}], ${imm}`;
  const lit = a.rn === 15 ? `\t@ ${hex(((d.pc + (d.thumb ? 4 : 8)) & ~3) + (a.u ? a.imm : -a.imm))}` : '';
  if (a.w) return `[${n}, ${imm}]!`;
  return (a.imm === 0 && a.u ? `[${n}]` : `[${n}, ${imm}]`) + lit;
}

/** "[r1, -r2, lsl #2]!" and friends for register forms. */
export function addrReg(a: Args): string {
  const m = `${a.u ? '' : '-'}${r(a.rm)}${shiftImm(a.shty ?? 0, a.shim ?? 0)}`;
  if (a.p === 0) return `[${r(a.rn)}], ${m}`;
  return `[${r(a.rn)}, ${m}]${a.w ? '!' : ''}`;
}

function semImm(o: LdstOp): Sem {
  return {
    name: `${o.name.toUpperCase()}_i`,
    lift: (ctx, a) => lift(ctx, o, a, null),
    dis: (a, d) => `${o.name}${d.cc} ${r(a.rt)}, ${addrImm(a, d)}`,
  };
}

function semReg(o: LdstOp): Sem {
  return {
    name: `${o.name.toUpperCase()}_r`,
    lift: (ctx, a) => lift(ctx, o, a, regOffset(ctx, a)),
    dis: (a, d) => `${o.name}${d.cc} ${r(a.rt)}, ${addrReg(a)}`,
  };
}

/** Routines by operation: LDST.ldr.i, LDST.strbt.r and so on. */
export const LDST: Record<string, { op: LdstOp; i: Sem; r: Sem }> = Object.fromEntries(
  OPS.map((o) => [o.name, { op: o, i: semImm(o), r: semReg(o) }]),
);

// ---- LDRD / STRD (A8.8.72-A8.8.74, A8.8.210-A8.8.211) ---------------------------------------
// Two word accesses, each word-aligned (qemu-arm raises SIGBUS otherwise, as with SCTLR.A=1).

function liftDual(ctx: LiftCtx, load: boolean, a: Args, offset: Temp | null): void {
  if ((wback(a) && a.rn === 15) || a.rt === 15 || a.rt2 === 15) return ctx.undef();
  const b = ctx.b;
  const [addr, off] = effAddr(ctx, a, offset);
  const addr2 = b.addi(addr, 4);
  if (load) {
    const lo = ctx.load(addr, 4, Mem.ALIGN);
    const hi = ctx.load(addr2, 4, Mem.ALIGN);
    writeBack(ctx, a, off);
    ctx.setReg(a.rt, lo);
    ctx.setReg(a.rt2, hi);
  } else {
    const lo = ctx.reg(a.rt);
    const hi = ctx.reg(a.rt2);
    ctx.store(addr, lo, 4, Mem.ALIGN);
    ctx.store(addr2, hi, 4, Mem.ALIGN);
    writeBack(ctx, a, off);
  }
}

function dualSem(load: boolean, form: 'i' | 'r'): Sem {
  const name = load ? 'ldrd' : 'strd';
  return {
    name: `${name.toUpperCase()}_${form}`,
    lift: (ctx, a) => liftDual(ctx, load, a, form === 'i' ? null : regOffset(ctx, a)),
    dis: (a, d) => `${name}${d.cc} ${r(a.rt)}, ${r(a.rt2)}, ${form === 'i' ? addrImm(a, d) : addrReg(a)}`,
  };
}

export const LDRD = { i: dualSem(true, 'i'), r: dualSem(true, 'r') };
export const STRD = { i: dualSem(false, 'i'), r: dualSem(false, 'r') };

/** PLD / PLDW / PLI (A8.8.126-A8.8.131): hints with no architectural effect, never fault. */
export function preload(name: string, form: 'i' | 'r'): Sem {
  return {
    name: `${name.toUpperCase()}_${form}`,
    lift: () => {},
    dis: (a, d) =>
      `${name}${d.cc} ${form === 'i' ? addrImm({ ...a, p: 1, w: 0 }, d) : addrReg({ ...a, p: 1, w: 0 })}`,
  };
}
