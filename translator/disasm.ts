// The disassembler: the same decode tables, each routine's `dis`.

import { COND_NAMES } from './lift/ctx.js';
import { decodeAt, fetchInsn, itCond, type CodeSource } from './lift/block.js';

const hex = (v: number, w: number) => (v >>> 0).toString(16).padStart(w, '0');

/** Disassembles one encoding; returns the text (e.g. "addeq r0, r1, #3"). */
export function disassemble(insn: number, len: number, thumb: boolean, pc: number, it = 0): string {
  const d = decodeAt(insn, len, thumb, it);
  if (!d) return 'udf (undefined)';
  let cond = 14;
  if (thumb && (it & 0xf) !== 0) cond = itCond(it);
  else if (d.cond >= 0) cond = d.cond;
  if (d.unconditional) cond = 14;
  return d.sem.dis(d.args, { pc, thumb, cc: COND_NAMES[cond] ?? '', len });
}

/** "0000823c: e2810003  add r0, r1, #3" for the instruction at pc. */
export function disassembleAt(src: CodeSource, pc: number, thumb: boolean, it = 0): string {
  const f = fetchInsn(src, pc, thumb);
  if (!f) return `${hex(pc, 8)}: <unreadable>`;
  const [insn, len] = f;
  const enc = len === 2 ? hex(insn, 4).padEnd(8) : thumb ? `${hex(insn >>> 16, 4)} ${hex(insn & 0xffff, 4)}` : hex(insn, 8);
  return `${hex(pc, 8)}: ${enc.padEnd(9)}  ${disassemble(insn, len, thumb, pc, it)}`;
}
