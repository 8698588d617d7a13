// Compares QEMU's and armvisor's end states of one case and formats a mismatch: the
// encoding, its disassembly, the start state and both end states, differing fields marked.

import { disassemble } from '../../translator/disasm.js';
import { itAdvance } from '../../translator/lift/block.js';
import { CODE_PAGE, SIG, SIG_NAMES } from './layout.js';
import type { Drawn } from './gen.js';
import type { CaseInput, CaseResult } from './wire.js';

/** CPSR bits user code can observe: N Z C V Q, IT[1:0], GE, IT[7:2], T. */
export const CPSR_MASK = 0xfe0ffc20;

const hex = (v: number, w = 8) => (v >>> 0).toString(16).padStart(w, '0');

const IT_BITS = 0x0600fc00;
const itOf = (cpsr: number) => ((cpsr >>> 25) & 3) | (((cpsr >>> 10) & 0x3f) << 2);

/**
 * QEMU keeps CPSR.IT in its CPU state lazily: an instruction that may trap from a helper
 * (coprocessor accesses) stores its own ITSTATE there, and when the IT block then ends,
 * nothing stores the new ITSTATE (0) again, so a later fetch fault reports the stale value
 * in the signal frame (real Linux reports 0). True when `q` shows exactly that and `a` the
 * right value: the case ended with a fetch fault after the IT block finished.
 */
export function qemuStaleIT(d: Drawn, q: CaseResult, a: CaseResult): boolean {
  if (!d.it || q.sig !== SIG.SEGV || q.addr !== q.r[15] || ((q.cpsr ^ a.cpsr) & CPSR_MASK & ~IT_BITS) !== 0) return false;
  let want = 0;
  const end = CODE_PAGE + 0x1000;
  if (q.r[15] === end) {
    // Fell through: the instruction, then the NOP if there is one, advanced ITSTATE.
    want = itAdvance(d.it);
    if (d.pc + d.target.len < end) want = itAdvance(want);
  }
  return want === 0 && itOf(a.cpsr) === 0 && itOf(q.cpsr) === d.it;
}

/** Names of the fields that differ (empty when the states agree); `d` enables the known-QEMU-quirk rules. */
export function diffFields(q: CaseResult, a: CaseResult, d?: Drawn): string[] {
  const out: string[] = [];
  if (q.sig !== a.sig) out.push('signal');
  else if ((q.sig === SIG.SEGV || q.sig === SIG.BUS) && q.addr !== a.addr) out.push('fault address');
  for (let i = 0; i < 16; i++) if (q.r[i] !== a.r[i]) out.push(regName(i));
  if (((q.cpsr ^ a.cpsr) & CPSR_MASK) !== 0 && !(d && qemuStaleIT(d, q, a))) out.push('cpsr');
  if (q.fpscr !== a.fpscr) out.push('fpscr');
  if (q.tpidrurw !== a.tpidrurw) out.push('tpidrurw');
  if (q.tpidruro !== a.tpidruro) out.push('tpidruro');
  for (let i = 0; i < 32; i++) if (q.d[2 * i] !== a.d[2 * i] || q.d[2 * i + 1] !== a.d[2 * i + 1]) out.push(`d${i}`);
  if (q.changes.length !== a.changes.length || q.changes.some((v, i) => v !== a.changes[i])) out.push('memory');
  return out;
}

const regName = (i: number) => (i === 13 ? 'sp' : i === 14 ? 'lr' : i === 15 ? 'pc' : `r${i}`);

function cpsrText(v: number): string {
  const f = (b: number, c: string) => ((v >>> b) & 1 ? c.toUpperCase() : c);
  const it = ((v >>> 25) & 3) | (((v >>> 10) & 0x3f) << 2);
  return `${hex(v)} ${f(31, 'n')}${f(30, 'z')}${f(29, 'c')}${f(28, 'v')}${f(27, 'q')} ge=${hex((v >>> 16) & 15, 1)} it=${hex(it, 2)} ${(v >>> 5) & 1 ? 'T' : 'A'}`;
}

function memText(ch: number[]): string {
  if (ch.length === 0) return 'unchanged';
  const parts = ch.slice(0, 24).map((e) => `${(e >>> 30) === 0 ? 'code' : 'scr'}+${hex((e >>> 8) & 0x3fff, 4)}=${hex(e & 0xff, 2)}`);
  return parts.join(' ') + (ch.length > 24 ? ` ... (${ch.length} bytes)` : '');
}

export function describeInsn(d: Drawn): string {
  const t = d.target;
  const pc = d.pc;
  const enc = t.len === 2 ? hex(d.insn, 4) : t.thumb ? `${hex(d.insn >>> 16, 4)} ${hex(d.insn & 0xffff, 4)}` : hex(d.insn);
  let dis: string;
  try {
    dis = disassemble(d.insn, t.len, t.thumb, pc, d.it);
  } catch (e) {
    dis = `<disassembler threw: ${(e as Error).message}>`;
  }
  const it = d.itInsn ? `, after IT ${hex(d.itInsn, 4)} (itstate ${hex(d.it, 2)})` : '';
  const nop = d.pc + t.len < CODE_PAGE + 0x1000 ? ', then a NOP' : '';
  return `${t.table}:${t.c.row.name}  ${enc}  "${dis}"  (${t.thumb ? 'Thumb' : 'ARM'} at ${hex(d.pc)}${it}${nop})`;
}

export function formatMismatch(
  d: Drawn,
  c: CaseInput,
  q: CaseResult,
  a: CaseResult,
  fields: string[],
  replay: string,
  names: [string, string] = ['qemu', 'armvisor'],
): string {
  const lines: string[] = [];
  lines.push(`MISMATCH ${describeInsn(d)}`);
  lines.push(`  differs: ${fields.join(', ')}`);
  lines.push(`  replay:  ${replay}`);
  const rs = Array.from(c.r, (v, i) => `${regName(i)}=${hex(v)}`);
  lines.push(`  start:   ${rs.slice(0, 8).join(' ')}`);
  lines.push(`           ${rs.slice(8).join(' ')}`);
  lines.push(`           apsr=${cpsrText(c.apsr)} fpscr=${hex(c.fpscr)} tpidrurw=${hex(c.tpidrurw)} memseed=${hex(c.memSeed)}`);
  const dStart = (i: number) => `${hex(c.d[2 * i + 1])}${hex(c.d[2 * i])}`;
  const row = (mark: boolean, name: string, qv: string, av: string) =>
    `  ${mark ? '!' : ' '} ${name.padEnd(14)} ${qv.padEnd(34)} ${av}`;
  lines.push(row(false, 'field', names[0], names[1]));
  const has = (f: string) => fields.includes(f);
  lines.push(row(has('signal'), 'signal', SIG_NAMES[q.sig] ?? String(q.sig), SIG_NAMES[a.sig] ?? `exit ${a.sig - 1000}`));
  lines.push(row(has('fault address'), 'fault address', hex(q.addr), hex(a.addr)));
  for (let i = 0; i < 16; i++) lines.push(row(has(regName(i)), regName(i), hex(q.r[i]), hex(a.r[i])));
  lines.push(row(has('cpsr'), 'cpsr', cpsrText(q.cpsr), cpsrText(a.cpsr)));
  lines.push(row(has('fpscr'), 'fpscr', hex(q.fpscr), hex(a.fpscr)));
  lines.push(row(has('tpidrurw'), 'tpidrurw', hex(q.tpidrurw), hex(a.tpidrurw)));
  if (has('tpidruro')) lines.push(row(true, 'tpidruro', hex(q.tpidruro), hex(a.tpidruro)));
  for (let i = 0; i < 32; i++) {
    const qv = `${hex(q.d[2 * i + 1])}${hex(q.d[2 * i])}`;
    const av = `${hex(a.d[2 * i + 1])}${hex(a.d[2 * i])}`;
    if (has(`d${i}`) || qv !== dStart(i)) lines.push(row(has(`d${i}`), `d${i}`, qv, av) + `   (start ${dStart(i)})`);
  }
  lines.push(row(has('memory'), 'memory', '', ''));
  if (q.changes.length || a.changes.length) {
    lines.push(`      ${(names[0] + ':').padEnd(10)}${memText(q.changes)}`);
    lines.push(`      ${(names[1] + ':').padEnd(10)}${memText(a.changes)}`);
  }
  return lines.join('\n');
}
