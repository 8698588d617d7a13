// Cutting a lifted block short where another block of its region begins, so that a region holds
// one copy of each instruction (the JIT's regions, jit.ts). The result is what the lifter
// produces with a `stopAt` there, without decoding and lifting the instructions again: the ops
// before the instruction, then PC (and, in an IT block, ITSTATE) set to it and EXIT NEXT.

import { Exit, F_C, F_D, F_IMM, OP_WORDS, Op, type IRBlock } from '../ir.js';
import { W } from '../state.js';

/**
 * The block ended before its first instruction after the first at which `stop` says another
 * block starts; `block` itself when there is none.
 */
export function truncateBlock(block: IRBlock, stop: (pc: number, thumb: boolean) => boolean): IRBlock {
  const code = block.code;
  let seen = 0;
  // The lifter stores ITSTATE at exits once the block has been in an IT block: some
  // instruction up to here then has a non-zero ITSTATE (the one after an IT does).
  let itTracked = false;
  for (let i = 0; i < block.nops; i++) {
    const k = i * OP_WORDS;
    if (code[k] !== Op.INSN) continue;
    if (block.thumb && code[k + F_C] > 0) itTracked = true;
    const pc = code[k + F_IMM] >>> 0;
    if (seen > 0 && stop(pc, block.thumb)) {
      // INSN ops sit at the top level (an instruction's IF opens after its INSN).
      const n = i + (itTracked ? 5 : 3);
      const out = code.slice(0, k);
      // The builder numbers temps in order, so the next one is one past the last defined.
      let t = 0;
      for (let j = F_D; j < k; j += OP_WORDS) if (code[j] >= t) t = code[j] + 1;
      const put = (op: number, d: number, a: number, imm: number) => out.push(op, d, a, -1, -1, imm);
      put(Op.CONST, t, -1, pc | 0);
      put(Op.SET, -1, t++, W.PC);
      if (itTracked) {
        // The instruction's ITSTATE is what the lifter's `itAfter` holds at this point.
        put(Op.CONST, t, -1, code[k + F_C]);
        put(Op.SET, -1, t++, W.ITSTATE);
      }
      put(Op.EXIT, -1, -1, Exit.NEXT);
      return block.withCode(out, n, t, seen, pc);
    }
    seen++;
  }
  return block;
}
