// Load/store multiple (ARM ARM A8.8.58-A8.8.61 LDM*, A8.8.199-A8.8.202 STM*, PUSH/POP):
// one routine each for LDM and STM, the addressing mode in the arguments.
//
// Arguments: rn list w  b (before: IB/DB) i (increment: IA/IB), like QEMU's ldst_block.
// Every word access must be word aligned (qemu-arm raises SIGBUS otherwise).
// LDM with the PC in the list interworks (LoadWritePC). With the base in the list and
// write-back, STM stores the original base and LDM keeps the loaded value (what QEMU does;
// the architecture calls the first UNKNOWN unless the base is lowest, the second UNPREDICTABLE).

import type { Args, Sem } from '../decode/pattern.js';
import { Mem, type LiftCtx, type Temp } from '../lift/ctx.js';
import { r, regList } from './fmt.js';

export const bitCount = (v: number): number => {
  let n = 0;
  for (let x = v >>> 0; x; x &= x - 1) n++;
  return n;
};

/** Lowest address accessed, and the written-back base (also LDM/STM ^, sem/priv.ts). */
export function blockFrame(ctx: LiftCtx, a: Args): [Temp, Temp] {
  const b = ctx.b;
  const n = bitCount(a.list);
  const rn = ctx.reg(a.rn);
  let lo: Temp;
  if (a.i) lo = a.b ? b.addi(rn, 4) : rn;
  else lo = b.addi(rn, a.b ? -4 * n : -4 * n + 4);
  const wb = b.addi(rn, a.i ? 4 * n : -4 * n);
  return [lo, wb];
}

/** Loads the listed registers' words upwards from `lo`: the values by register number. */
export function loadBlock(ctx: LiftCtx, list: number, lo: Temp): Temp[] {
  const vals: Temp[] = [];
  let off = 0;
  for (let i = 0; i < 16; i++) {
    if (!((list >>> i) & 1)) continue;
    vals[i] = ctx.load(ctx.b.addi(lo, off), 4, Mem.ALIGN);
    off += 4;
  }
  return vals;
}

/** Stores `value(i)` of each listed register upwards from `lo`. */
export function storeBlock(ctx: LiftCtx, list: number, lo: Temp, value: (i: number) => Temp): void {
  let off = 0;
  for (let i = 0; i < 16; i++) {
    if (!((list >>> i) & 1)) continue;
    ctx.store(ctx.b.addi(lo, off), value(i), 4, Mem.ALIGN);
    off += 4;
  }
}

const suffix = (a: Args) => (a.i ? 'i' : 'd') + (a.b ? 'b' : 'a');

/** Disassembly of `name` (ldm/stm); `user` adds the ^ of the user-register forms. */
export function blockDis(name: 'ldm' | 'stm', user = false) {
  return (a: Args, d: { cc: string }) => {
    if (!user && a.rn === 13 && a.w && ((name === 'ldm' && a.i && !a.b) || (name === 'stm' && !a.i && a.b)))
      return `${name === 'ldm' ? 'pop' : 'push'}${d.cc} ${regList(a.list)}`;
    const mode = a.i && !a.b ? '' : suffix(a);
    return `${name}${mode}${d.cc} ${r(a.rn)}${a.w ? '!' : ''}, ${regList(a.list)}${user ? '^' : ''}`;
  };
}

export const LDM: Sem = {
  name: 'LDM',
  lift(ctx, a) {
    const b = ctx.b;
    if (a.list === 0 || a.rn === 15) return ctx.undef();
    const [lo, wb] = blockFrame(ctx, a);
    const vals = loadBlock(ctx, a.list, lo);
    if (a.w) ctx.setReg(a.rn, wb);
    for (let i = 0; i < 15; i++) if (vals[i] !== undefined) ctx.setReg(i, vals[i]);
    if (vals[15] !== undefined) ctx.writePC(vals[15], 'bx');
  },
  dis: blockDis('ldm'),
};

export const STM: Sem = {
  name: 'STM',
  lift(ctx, a) {
    const b = ctx.b;
    if (a.list === 0 || a.rn === 15) return ctx.undef();
    const [lo, wb] = blockFrame(ctx, a);
    storeBlock(ctx, a.list, lo, (i) => ctx.reg(i));
    if (a.w) ctx.setReg(a.rn, wb);
  },
  dis: blockDis('stm'),
};

/** A32 rule (A8.8.58, A8.8.199): list not empty, Rn != PC, no base in list when LDM writes back. */
export function validA32(load: boolean): (a: Args) => boolean {
  return (a) => {
    if (a.rn === 15 || a.list === 0) return false;
    const inList = ((a.list >>> a.rn) & 1) === 1;
    if (!a.w || !inList) return true;
    if (load) return false;
    return (a.list & ((1 << a.rn) - 1)) === 0; // STM: only the lowest register is defined
  };
}
