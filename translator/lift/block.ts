// Lifts one guest basic block to IR. This loop is the only place that knows about
// conditions and IT blocks: each instruction's routine is wrapped in IF(ConditionPassed).
// A conditional PC write is a side exit and translation goes on; an unconditional one,
// a trap, the end of the 4 KiB page or the size cap ends the block.

import { Exit, IRBuilder, type IRBlock } from '../ir.js';
import { W } from '../state.js';
import { LiftCtx, condTemp } from './ctx.js';
import { decodeArm, decodeThumbAt, isThumb32, itPosition, type DecodedInsn } from '../decode/tables.js';
import type { SysLift } from '../sys.js';

/** Where the lifter reads guest code. Returns -1 when the halfword cannot be fetched. */
export interface CodeSource {
  fetch16(addr: number): number;
  /**
   * Optional: the `size`-byte value at `addr` (zero-extended), read at translation time for
   * a load from the page the instruction being lifted is on, or undefined when the page is not
   * readable. A source provides it only when every write to a page it has fetched code from
   * (a store, a syscall, munmap, mprotect, a debugger) drops the blocks lifted from that page:
   * the value then holds for as long as the block does (Linux user mode's flat memory).
   */
  literal?(addr: number, size: 1 | 2 | 4): number | undefined;
}

export interface LiftOptions {
  /** Most guest instructions in one block. */
  maxInsns: number;
  /**
   * Ends the block before an instruction (not the first) at which another block starts, so
   * a region holds each instruction once and branches into the other block instead.
   */
  stopAt?: (pc: number, thumb: boolean) => boolean;
  /** System mode: the privilege level and state the block is lifted for (sys.ts). */
  sys?: SysLift;
}

export const DEFAULT_LIFT: LiftOptions = { maxInsns: 64 };

const PAGE = 4096;

/** ITAdvance() (ARM ARM A2.5.2). */
export function itAdvance(it: number): number {
  if ((it & 7) === 0) return 0;
  return (it & 0xe0) | ((it << 1) & 0x1f);
}

/** The condition of the current instruction inside an IT block. */
export function itCond(it: number): number {
  return (it >>> 4) & 0xf;
}

/** Fetches the instruction at pc: [encoding, length] or null when not fetchable. */
export function fetchInsn(src: CodeSource, pc: number, thumb: boolean): [number, number] | null {
  if (!thumb) {
    const lo = src.fetch16(pc);
    const hi = lo < 0 ? -1 : src.fetch16(pc + 2);
    if (hi < 0) return null;
    return [((hi << 16) | lo) >>> 0, 4];
  }
  const hw1 = src.fetch16(pc);
  if (hw1 < 0) return null;
  if (!isThumb32(hw1)) return [hw1, 2];
  const hw2 = src.fetch16(pc + 2);
  if (hw2 < 0) return null;
  return [((hw1 << 16) | hw2) >>> 0, 4];
}

/** Decodes the instruction at pc for the given IT state (null = UNDEFINED). */
export function decodeAt(insn: number, len: number, thumb: boolean, it: number): DecodedInsn | null {
  return thumb ? decodeThumbAt(insn, len, itPosition(it)) : decodeArm(insn);
}

/**
 * fetchInsn without the array: the encoding (>= 0, as an unsigned number) or -1 when not
 * fetchable; its length is 4 unless Thumb with a 16-bit first halfword (`< 0x10000`).
 */
function fetchEncoding(src: CodeSource, pc: number, thumb: boolean): number {
  const lo = src.fetch16(pc);
  if (lo < 0) return -1;
  if (thumb && !isThumb32(lo)) return lo;
  const hi = src.fetch16(pc + 2);
  if (hi < 0) return -1;
  return thumb ? ((lo << 16) | hi) >>> 0 : ((hi << 16) | lo) >>> 0;
}

export function liftBlock(src: CodeSource, pc: number, thumb: boolean, itstate: number, opts: LiftOptions = DEFAULT_LIFT): IRBlock {
  const b = new IRBuilder();
  const ctx = new LiftCtx(b, thumb);
  if (src.literal) ctx.src = src;
  const sys = opts.sys ?? null;
  ctx.sys = sys;
  const start = pc >>> 0;
  let it = thumb ? itstate & 0xff : 0;
  ctx.trackIT = thumb && it !== 0;
  let n = 0;
  let ended = false;
  let usesVfp = false;

  while (!ended) {
    if (n > 0 && opts.stopAt && opts.stopAt(pc, thumb)) {
      ctx.itAfter = it;
      b.set(W.PC, b.const(pc));
      ctx.exit(Exit.NEXT);
      break;
    }
    const insn = fetchEncoding(src, pc, thumb);
    if (insn < 0) {
      if (n === 0) {
        b.insn(pc, thumb ? 2 : 4);
        b.set(W.PC, b.const(pc));
        ctx.itAfter = it;
        ctx.exit(Exit.PREFETCH_ABORT);
        n = 1;
      } else {
        ctx.itAfter = it;
        b.set(W.PC, b.const(pc));
        ctx.exit(Exit.NEXT);
      }
      break;
    }
    const len = thumb && insn < 0x10000 ? 2 : 4;
    const d = decodeAt(insn, len, thumb, it);
    ctx.pc = pc;
    ctx.len = len;
    ctx.pcWritten = false;
    ctx.newIT = null;
    b.insn(pc, len, thumb ? it : -1);
    n++;

    // Condition: the IT block's in Thumb, else the cond field (A32 rows, Thumb B<c>).
    let cond = 14;
    const inIT = (it & 0xf) !== 0;
    if (inIT) cond = itCond(it);
    else if (d && d.cond >= 0) cond = d.cond;
    else if (!d && !thumb && insn >>> 28 !== 15) cond = insn >>> 28; // QEMU: an UNDEFINED A32 encoding traps only if its condition passes
    if (d && d.unconditional) cond = 14; // BKPT, IT itself... execute regardless
    ctx.cond = cond;
    const itNext = thumb ? itAdvance(it) : 0;
    ctx.itAfter = itNext;
    ctx.itHere = it;

    const conditional = cond < 14;
    if (conditional) b.if(condTemp(b, cond));
    if (sys && d && d.vfp) usesVfp = true;
    if (!d) ctx.undef();
    else if (sys && !sys.vfp && d.vfp && d.row.name !== 'VMSR_VMRS') ctx.undef(); // CPACR cp10/cp11 access and FPEXC.EN
    else d.sem.lift(ctx, d.args);
    if (conditional) b.endif();

    if (ctx.newIT !== null) {
      // IT: the following instructions run under the new state; remember to store it.
      it = ctx.newIT;
      ctx.trackIT = true;
    } else {
      it = itNext;
    }
    pc = (pc + len) >>> 0;

    if (ctx.pcWritten && !conditional) {
      ended = true;
      break;
    }
    const nextPage = Math.floor(pc / PAGE) !== Math.floor(start / PAGE);
    if (n >= opts.maxInsns || nextPage) {
      ctx.itAfter = it;
      b.set(W.PC, b.const(pc));
      ctx.exit(Exit.NEXT);
      ended = true;
    }
  }
  const block = b.finish(start, thumb, itstate & 0xff, n, pc);
  if (sys) {
    block.pl = sys.pl;
    block.usesVfp = usesVfp;
  }
  return block;
}
