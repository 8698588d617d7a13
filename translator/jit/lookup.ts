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
  // Each slot's blocks (colliding ones are compared in turn).
  const slot: number[][] = Array.from({ length: size }, () => []);
  blocks.forEach((b, j) => slot[hash(b.pc)].push(j));
  const key = (b: IRBlock) => (b.thumb ? 1 : 0) | ((b.thumb ? b.itstate : 0) << 1);
  // Stubs only for occupied slots; the br_table sends empty ones straight to $miss.
  const occupied = slot.map((l, h) => (l.length ? h : -1)).filter((h) => h >= 0);
  const k = occupied.length;
  const stubOf = new Map(occupied.map((h, i) => [h, i]));
  f.open(O.block); // $miss
  for (let i = k - 1; i >= 0; i--) f.open(O.block);
  f.get(tL).get(itL).i32(0xff).op(O.i32_and).i32(1).op(O.i32_shl).op(O.i32_or).set(keyL);
  f.get(pcL).i32(1).op(O.i32_shr_u).get(pcL).i32(7).op(O.i32_shr_u).op(O.i32_xor).i32(size - 1).op(O.i32_and);
  f.brTable(
    slot.map((_, h) => stubOf.get(h) ?? k),
    k,
  );
  for (let i = 0; i < k; i++) {
    f.end(); // stub i follows; enclosing: stubs i+1.., $miss, loop
    for (const j of slot[occupied[i]]) {
      const b = blocks[j];
      f.get(pcL).i32(b.pc).op(O.i32_eq);
      if (key(b) === 0) f.get(keyL).op(O.i32_eqz);
      else f.get(keyL).i32(key(b)).op(O.i32_eq);
      f.op(O.i32_and);
      f.open(O.if).i32(j).set(scratch).br(k - i + 1).end();
    }
    f.br(k - 1 - i); // to $miss
  }
  f.end(); // $miss: leave with NEXT (the instructions are already counted)
  f.br(2); // `exit` is 0: NEXT, nothing more to count
}
