// Exclusive loads and stores and the local monitor (ARM ARM A3.4, A8.8.75-A8.8.78 LDREX*,
// A8.8.212-A8.8.215 STREX*, A8.8.32 CLREX), plus the deprecated SWP/SWPB (A8.8.229).
//
// The monitor is kept as QEMU linux-user keeps it: LDREX* records the address (W.EXCL_ADDR)
// and the value read (W.EXCL_VAL_LO/HI). STREX* succeeds when the address matches and memory
// still holds that value, a compare-and-swap. Like QEMU's cmpxchg, the store compares only the
// access size's low bits of the recorded value, while the status compares the whole recorded
// value (so STREXB after a word LDREX may store and still report failure). Either way the
// monitor is then open again (EXCL_ADDR = -1).
//
// Arguments: rt [rt2] rn [rd] imm (the T32 word forms' offset, already scaled; 0 elsewhere).
// Accesses are aligned to their size (LDREXD/STREXD to 8 bytes), else an alignment fault.

import type { Args, Sem } from '../decode/pattern.js';
import { Mem, Op, W, type LiftCtx, type Temp } from '../lift/ctx.js';
import { r } from './fmt.js';

type Size = 1 | 2 | 4 | 8;
const SUFFIX: Record<Size, string> = { 1: 'b', 2: 'h', 4: '', 8: 'd' };

function address(ctx: LiftCtx, a: Args): Temp {
  return ctx.b.addi(ctx.reg(a.rn), a.imm ?? 0);
}

const memText = (a: Args) => (a.imm ? `[${r(a.rn)}, #${a.imm}]` : `[${r(a.rn)}]`);

function ldrex(size: Size): Sem {
  const name = `ldrex${SUFFIX[size]}`;
  return {
    name: name.toUpperCase(),
    lift(ctx, a) {
      const b = ctx.b;
      if (a.rt === 15 || (size === 8 && a.rt2 === 15)) return ctx.undef();
      const addr = address(ctx, a);
      if (size === 8) {
        const lo = ctx.load(addr, 4, Mem.ALIGN8);
        const hi = ctx.load(b.addi(addr, 4), 4, Mem.ALIGN);
        b.set(W.EXCL_ADDR, addr);
        b.set(W.EXCL_VAL_LO, lo);
        b.set(W.EXCL_VAL_HI, hi);
        ctx.setReg(a.rt, lo);
        ctx.setReg(a.rt2, hi);
      } else {
        const v = ctx.load(addr, size, Mem.ALIGN);
        b.set(W.EXCL_ADDR, addr);
        b.set(W.EXCL_VAL_LO, v);
        ctx.setReg(a.rt, v);
      }
    },
    dis: (a, d) => `${name}${d.cc} ${r(a.rt)}${size === 8 ? `, ${r(a.rt2)}` : ''}, ${memText(a)}`,
  };
}

function strex(size: Size): Sem {
  const name = `strex${SUFFIX[size]}`;
  return {
    name: name.toUpperCase(),
    lift(ctx, a) {
      const b = ctx.b;
      if (a.rd === 15) return ctx.undef();
      const addr = address(ctx, a);
      const vt = ctx.reg(a.rt);
      const vt2 = size === 8 ? ctx.reg(a.rt2) : -1;
      const hit = b.bin(Op.EQ, b.get(W.EXCL_ADDR), addr);
      b.if(hit);
      {
        let same: Temp;
        let storeOk: Temp;
        if (size === 8) {
          const lo = ctx.load(addr, 4, Mem.ALIGN8);
          const hi = ctx.load(b.addi(addr, 4), 4, Mem.ALIGN);
          same = b.and(b.bin(Op.EQ, lo, b.get(W.EXCL_VAL_LO)), b.bin(Op.EQ, hi, b.get(W.EXCL_VAL_HI)));
          storeOk = same;
        } else {
          const cur = ctx.load(addr, size, Mem.ALIGN);
          const want = b.get(W.EXCL_VAL_LO);
          same = b.bin(Op.EQ, cur, want);
          storeOk = size === 4 ? same : b.bin(Op.EQ, cur, b.andi(want, size === 1 ? 0xff : 0xffff));
        }
        b.if(storeOk);
        if (size === 8) {
          ctx.store(addr, vt, 4, Mem.ALIGN8);
          ctx.store(b.addi(addr, 4), vt2, 4, Mem.ALIGN);
        } else {
          ctx.store(addr, vt, size, Mem.ALIGN);
        }
        b.endif();
        ctx.setReg(a.rd, b.xor(same, b.const(1)));
      }
      b.endif();
      b.if(b.xor(hit, b.const(1)));
      ctx.setReg(a.rd, b.const(1));
      b.endif();
      b.set(W.EXCL_ADDR, b.const(-1));
    },
    dis: (a, d) => `${name}${d.cc} ${r(a.rd)}, ${r(a.rt)}${size === 8 ? `, ${r(a.rt2)}` : ''}, ${memText(a)}`,
  };
}

export const LDREX = ldrex(4);
export const LDREXB = ldrex(1);
export const LDREXH = ldrex(2);
export const LDREXD = ldrex(8);
export const STREX = strex(4);
export const STREXB = strex(1);
export const STREXH = strex(2);
export const STREXD = strex(8);

/** CLREX: opens the local monitor. */
export const CLREX: Sem = {
  name: 'CLREX',
  lift(ctx) {
    ctx.b.set(W.EXCL_ADDR, ctx.b.const(-1));
  },
  dis: () => 'clrex',
};

/** SWP/SWPB: Rt = [Rn]; [Rn] = Rt2 (word form aligned, as QEMU's atomic exchange). */
function swp(byte: boolean): Sem {
  const name = byte ? 'swpb' : 'swp';
  return {
    name: name.toUpperCase(),
    lift(ctx, a) {
      if (a.rt === 15) return ctx.undef();
      const size = byte ? 1 : 4;
      const addr = ctx.reg(a.rn);
      const nv = ctx.reg(a.rt2);
      const old = ctx.load(addr, size, byte ? 0 : Mem.ALIGN);
      ctx.store(addr, nv, size, byte ? 0 : Mem.ALIGN);
      ctx.setReg(a.rt, old);
    },
    dis: (a, d) => `${name}${d.cc} ${r(a.rt)}, ${r(a.rt2)}, [${r(a.rn)}]`,
  };
}

export const SWP = swp(false);
export const SWPB = swp(true);

/** The UNPREDICTABLE register choices of the exclusive forms (A8.8.75 ff.); `thumb`: BadReg. */
export function validEx(kind: 'ld' | 'st', size: Size, thumb: boolean): (a: Args) => boolean {
  const bad = (x: number) => x === 15 || (thumb && x === 13);
  return (a) => {
    if (a.rn === 15 || bad(a.rt)) return false;
    if (size === 8) {
      if (bad(a.rt2)) return false;
      if (!thumb && (a.rt & 1 || a.rt === 14)) return false;
      if (kind === 'ld' && a.rt === a.rt2) return false;
    }
    if (kind === 'st') {
      if (bad(a.rd) || a.rd === a.rn || a.rd === a.rt) return false;
      if (size === 8 && a.rd === a.rt2) return false;
    }
    return true;
  };
}
