// --dump-region: a region's generated wasm as text, through wabt's wasm2wat (loaded lazily).

import { HELPERS } from '../helpers.js';
import type { IRBlock } from '../ir.js';
import { buildModule, type JitTarget } from './module.js';

/** The wasm features tier 1's modules use: exception handling (faults), threads (a shared memory). */
export const WABT_FEATURES = { exceptions: true, threads: true };

/**
 * The block table of a region as wat comments: the region function's parameter (its
 * `br_table` index) for each block, with the block's guest address, instruction set, length
 * and, when `name` knows it, the function it lies in ("name+0x1c").
 */
export function regionBlockTable(blocks: readonly IRBlock[], name?: (pc: number) => string | null): string {
  const lines = [`;; region of ${blocks.length} block${blocks.length === 1 ? '' : 's'}; the function's parameter selects where it starts:`];
  blocks.forEach((b, i) => {
    const at = `0x${(b.pc >>> 0).toString(16).padStart(8, '0')}`;
    const fn = name?.(b.pc);
    const it = b.thumb && b.itstate ? ` ITSTATE 0x${b.itstate.toString(16)}` : '';
    lines.push(`;;   ${String(i).padStart(3)}: ${at} ${b.thumb ? 'Thumb' : 'A32'}${it}, ${b.ninsns} insn${b.ninsns === 1 ? '' : 's'}${fn ? `  ${fn}` : ''}`);
  });
  return lines.join('\n') + '\n';
}

/** The text form of the module tier 1 builds for `blocks` (one region). */
export async function regionWat(blocks: IRBlock[], target: Pick<JitTarget, 'memory' | 'pages' | 'cpu' | 'strategy' | 'dispatchBase' | 'dispatchCtx'>): Promise<string> {
  // The module as the JIT builds it, with a name section: locals read as $r0, $sp, $n...
  const { bytes } = buildModule([blocks], target, true);
  const wabt = await (await import('wabt')).default();
  const mod = wabt.readWasm(bytes, { readDebugNames: true, ...WABT_FEATURES });
  try {
    validate(mod);
    mod.applyNames();
    return nameHelperCalls(markBlocks(mod.toText({ foldExprs: false, inlineExport: false }), blocks));
  } finally {
    mod.destroy();
  }
}

/** Validates a module read by wabt under WABT_FEATURES (wabt.js's validate takes them; its typings omit the parameter). */
export function validate(mod: { validate(): void }): void {
  (mod.validate as (features: typeof WABT_FEATURES) => void).call(mod, WABT_FEATURES);
}

/**
 * The region function's text with a comment where each block's code begins. The function
 * opens its epilogue `block`, its `try` and its dispatcher `loop`, then one `block` per region
 * block and one for the indirect-branch lookup, innermost first in `br_table` order
 * (codegen.ts gen); block k's code follows the `end` of the k-th innermost. wat2wasm's text
 * indents by nesting, so that `end` is the first at its `block` line's indentation.
 */
export function markBlocks(text: string, blocks: readonly IRBlock[]): string {
  const lines = text.split('\n');
  const loop = lines.findIndex((l) => /^\s*loop\b/.test(l));
  const n = blocks.length;
  if (loop < 0 || loop + n + 1 >= lines.length) return text;
  const opens = lines.slice(loop + 1, loop + n + 2);
  if (!opens.every((l) => /^\s*block\b/.test(l))) return text;
  // indent -> what begins after the `end` at that indentation
  const marks = new Map<number, string>();
  opens.forEach((l, j) => {
    const k = n - j;
    const b = blocks[k];
    const what = k === n ? 'the indirect-branch lookup' : `block ${k}: 0x${(b.pc >>> 0).toString(16).padStart(8, '0')} ${b.thumb ? 'Thumb' : 'A32'}, ${b.ninsns} insn${b.ninsns === 1 ? '' : 's'}`;
    marks.set(l.length - l.trimStart().length, what);
  });
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    out.push(lines[i]);
    if (i <= loop + n + 1 || marks.size === 0 || lines[i].trim() !== 'end') continue;
    const indent = lines[i].length - lines[i].trimStart().length;
    const what = marks.get(indent);
    if (what === undefined) continue;
    marks.delete(indent);
    out.push(`${' '.repeat(indent)};; ${what}`);
  }
  return out.join('\n');
}


/**
 * A comment naming the helper of each helper call: generated code calls helpers through the
 * helper table (helper-table.ts), `i32.const id` then `call_indirect`, so the text has no
 * function name to show.
 */
export function nameHelperCalls(text: string): string {
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    if (!/^\s*call_indirect\b/.test(lines[i])) continue;
    const id = /^\s*i32\.const (\d+)\s*$/.exec(lines[i - 1]);
    const name = id ? HELPERS[Number(id[1])]?.name : undefined;
    if (name) lines[i] += `  ;; helper ${name}`;
  }
  return lines.join('\n');
}
