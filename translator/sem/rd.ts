// Register writes of the integer and media routines where the ARM ARM calls Rd = PC
// UNPREDICTABLE (MUL PC, ..., REV PC, ...): as QEMU does, such a write is a branch that
// ignores bit 0 in Thumb and bits 1:0 in ARM (BranchWritePC, ARM ARM A2.3.1), and ends the block.

import type { LiftCtx, Temp } from '../lift/ctx.js';

/** Writes Rd; Rd = PC branches (see above). */
export function setRd(ctx: LiftCtx, rd: number, v: Temp): void {
  if (rd === 15) ctx.writePC(v, 'branch');
  else ctx.setReg(rd, v);
}

/**
 * Writes several registers in the architectural order; a PC write among them is done last
 * (it ends the block), with the value of the last write to the PC.
 */
export function setRegs(ctx: LiftCtx, writes: [number, Temp][]): void {
  let pc: Temp | null = null;
  for (const [n, v] of writes) {
    if (n === 15) pc = v;
    else ctx.setReg(n, v);
  }
  if (pc !== null) ctx.writePC(pc, 'branch');
}
