// --dump-region: a region's generated wasm as text, through wabt's wasm2wat (loaded lazily).

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
export async function regionWat(blocks: IRBlock[], target: Pick<JitTarget, 'memory' | 'pages' | 'cpu' | 'strategy'>): Promise<string> {
  // The module as the JIT builds it, with a name section: locals read as $r0, $sp, $n...
  const { bytes } = buildModule([blocks], target, true);
  const wabt = await (await import('wabt')).default();
  const mod = wabt.readWasm(bytes, { readDebugNames: true, ...WABT_FEATURES });
  try {
    validate(mod);
    mod.applyNames();
    return mod.toText({ foldExprs: false, inlineExport: false });
  } finally {
    mod.destroy();
  }
}

/** Validates a module read by wabt under WABT_FEATURES (wabt.js's validate takes them; its typings omit the parameter). */
export function validate(mod: { validate(): void }): void {
  (mod.validate as (features: typeof WABT_FEATURES) => void).call(mod, WABT_FEATURES);
}
