// Cutting a lifted block short where another block of its region begins, so that a region holds
// one copy of each instruction (the JIT's regions, jit.ts). The result is what the lifter
// produces with a `stopAt` there, without decoding and lifting the instructions again: the ops
// before the instruction, then PC (and, in an IT block, ITSTATE) set to it and EXIT NEXT.

import { Exit, IRInsn, Op, type IRBlock } from '../ir.js';
import { W } from '../state.js';

/**
 * The block ended before its first instruction after the first at which `stop` says another
 * block starts; `block` itself when there is none.
 */
export function truncateBlock(block: IRBlock, stop: (pc: number, thumb: boolean) => boolean): IRBlock {
  const ops = block.ops;
  let seen = 0;
  // The lifter stores ITSTATE at exits once the block has been in an IT block: some
  // instruction up to here then has a non-zero ITSTATE (the one after an IT does).
  let itTracked = false;
  for (let k = 0; k < ops.length; k++) {
    const o = ops[k];
    if (o.op !== Op.INSN) continue;
    if (block.thumb && o.c > 0) itTracked = true;
    const pc = o.imm >>> 0;
    if (seen > 0 && stop(pc, block.thumb)) {
      // INSN ops sit at the top level (an instruction's IF opens after its INSN).
      const out = ops.slice(0, k);
      // The builder numbers temps in order, so the next one is one past the last defined.
      let t = 0;
      for (const x of out) if (x.d >= t) t = x.d + 1;
      out.push(new IRInsn(Op.CONST, t, -1, -1, -1, pc | 0, null));
      out.push(new IRInsn(Op.SET, -1, t++, -1, -1, W.PC, null));
      if (itTracked) {
        // The instruction's ITSTATE is what the lifter's `itAfter` holds at this point.
        out.push(new IRInsn(Op.CONST, t, -1, -1, -1, o.c, null));
        out.push(new IRInsn(Op.SET, -1, t++, -1, -1, W.ITSTATE, null));
      }
      out.push(new IRInsn(Op.EXIT, -1, -1, -1, -1, Exit.NEXT, null));
      // The fields in IRBuilder.finish's order: one object shape for every block (ir.ts).
      return { pc: block.pc, thumb: block.thumb, itstate: block.itstate, ops: out, ntemps: t, ninsns: seen, end: pc, pl: block.pl, usesVfp: block.usesVfp };
    }
    seen++;
  }
  return block;
}
