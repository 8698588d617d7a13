// A region's indirect-branch lookup: where a computed jump (bx lr, pop {pc}, ldr pc) finds its
// target among the region's own blocks before leaving through the dispatcher.

import type { IRBlock } from '../ir.js';
import { O, type FuncBody } from '../wasm/builder.js';

/**
 * The indirect-branch lookup, at the top level of the region loop: hashes the target PC into
 * a br_table of stubs, each comparing with the one region block that hashes there; a hit
 * restarts the loop at that block, a miss leaves through the epilogue.
 */
export function emitLookup(f: FuncBody, blocks: IRBlock[], pcL: number, tL: number, itL: number, scratch: number, keyL: number): void {
  let size = 8;
  while (size < 2 * blocks.length && size < 256) size *= 2;
  const hash = (pc: number) => ((pc >>> 1) ^ (pc >>> 7)) & (size - 1);
  // Each slot's blocks (colliding ones are compared in turn, in block order), as lists threaded
  // through `next` from `head[slot]` (-1: none).
  const head = new Int32Array(size).fill(-1);
  const next = new Int32Array(blocks.length);
  for (let j = blocks.length - 1; j >= 0; j--) {
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
  f.open(O.block); // $miss
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
  f.end(); // $miss: leave with NEXT (the instructions are already counted)
  f.br(2); // `exit` is 0: NEXT, nothing more to count
}
