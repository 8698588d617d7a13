// A region's indirect-branch lookup: where a computed jump (bx lr, pop {pc}, ldr pc) finds its
// target among the region's own blocks before leaving through the dispatcher.

import type { IRBlock } from '../ir.js';
import { O, type FuncBody } from '../wasm/builder.js';
import { emitEntryMismatch } from './dispatch.js';

/** The wasm dispatcher's table, for a region's lookup: its address, and whether its keys carry DISPATCH_CTX (system mode). */
export interface RegionDispatch {
  base: number;
  ctx: boolean;
}

/**
 * The indirect-branch lookup, at the top level of the region loop; a hit restarts the loop at
 * the target's block, a miss leaves through the epilogue, for the dispatcher.
 *
 * The region's own blocks (those on its first block's page) are found in the wasm dispatcher's
 * table (dispatch.ts), `dispatch`: a hit when the entry for the target PC matches it as the
 * dispatcher's own test would (PC, ITSTATE, T and, when its keys carry it, the state word
 * DISPATCH_CTX at `ctxAddr`: in system mode a slot of a retired region is given to a new one while entries of an older mapping
 * generation may still name it) and holds a block of this region (its funcref slot is the one
 * the region was called with: `selfL`, the slot + 1, 0 when unknown). Copies of other pages' blocks
 * (guests), which the table does not send here, and every block when there is no table, are
 * compared with the target in turn, behind a br_table on a hash of the PC.
 *
 * Until December 2026 every block was compared so: ~20 bytes of wasm per block, 11% of the
 * tier-1 benchmark's module bytes and 7-12% of V8's compile.
 */
export function emitLookup(
  f: FuncBody,
  blocks: IRBlock[],
  dispatch: RegionDispatch | undefined,
  ctxAddr: number,
  pcL: number,
  tL: number,
  itL: number,
  selfL: number,
  scratch: number,
  keyL: number,
  entryKeyL: number,
  /** `br` depth, from the region loop's top level, of the epilogue for a miss (NEXT, nothing more to count). */
  missDepth: number,
): void {
  const page = blocks.length ? blocks[0].pc >>> 12 : 0;
  const listed: number[] = [];
  for (let j = 0; j < blocks.length; j++) if (dispatch === undefined || blocks[j].pc >>> 12 !== page) listed.push(j);
  f.open(O.block); // $miss
  if (dispatch !== undefined) {
    // a hit when the entry is for the target and entry.slot == self - 1
    const base = dispatch.base;
    emitEntryMismatch(f, base, pcL, keyL, tL, () => f.get(itL), dispatch.ctx ? ctxAddr : -1, entryKeyL);
    f.get(keyL).mem(O.i32_load, 2, base + 8).get(selfL).i32(1).op(O.i32_sub).op(O.i32_ne).op(O.i32_or);
    f.op(O.i32_eqz).open(O.if);
    f.get(keyL).mem(O.i32_load, 2, base + 12).set(scratch).br(2); // to the region loop
    f.end();
  }
  if (listed.length) emitCompares(f, blocks, listed, pcL, tL, itL, scratch, keyL);
  f.end(); // $miss: leave with NEXT (the instructions are already counted)
  f.br(missDepth);
}

/**
 * Inside the lookup's $miss block: hashes the target PC into a br_table of stubs, each comparing
 * it with the `listed` blocks that hash there in turn; a hit restarts the loop at that block.
 */
function emitCompares(f: FuncBody, blocks: IRBlock[], listed: number[], pcL: number, tL: number, itL: number, scratch: number, keyL: number): void {
  let size = 8;
  while (size < 2 * listed.length && size < 256) size *= 2;
  const hash = (pc: number) => ((pc >>> 1) ^ (pc >>> 7)) & (size - 1);
  // Each slot's blocks (colliding ones are compared in turn, in block order), as lists threaded
  // through `next` from `head[slot]` (-1: none).
  const head = new Int32Array(size).fill(-1);
  const next = new Int32Array(blocks.length);
  for (let i = listed.length - 1; i >= 0; i--) {
    const j = listed[i];
    const h = hash(blocks[j].pc);
    next[j] = head[h];
    head[h] = j;
  }
  const key = (b: IRBlock) => (b.thumb ? 1 : 0) | ((b.thumb ? b.itstate : 0) << 1);
  // Stubs only for occupied slots, in slot order; the br_table sends empty ones straight to $miss.
  const targets: number[] = [];
  let k = 0;
  for (let h = 0; h < size; h++) targets.push(head[h] >= 0 ? k++ : -1);
  for (let h = 0; h < size; h++) if (targets[h] < 0) targets[h] = k;
  for (let i = k - 1; i >= 0; i--) f.open(O.block);
  f.get(tL).get(itL).i32(0xff).op(O.i32_and).i32(1).op(O.i32_shl).op(O.i32_or).set(keyL);
  f.get(pcL).i32(1).op(O.i32_shr_u).get(pcL).i32(7).op(O.i32_shr_u).op(O.i32_xor).i32(size - 1).op(O.i32_and);
  f.brTable(targets, k);
  for (let h = 0, i = 0; h < size; h++) {
    if (head[h] < 0) continue;
    f.end(); // stub i follows; enclosing: stubs i+1.., $miss, loop
    for (let j = head[h]; j >= 0; j = next[j]) {
      const b = blocks[j];
      f.get(pcL).i32(b.pc).op(O.i32_eq);
      if (key(b) === 0) f.get(keyL).op(O.i32_eqz);
      else f.get(keyL).i32(key(b)).op(O.i32_eq);
      f.op(O.i32_and);
      f.open(O.if).i32(j).set(scratch).br(k - i + 1).end();
    }
    f.br(k - 1 - i); // to $miss
    i++;
  }
}
