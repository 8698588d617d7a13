// --dump-region: a region's generated wasm as text, through wabt's wasm2wat (loaded lazily).

import type { IRBlock } from '../ir.js';
import { buildModule, type JitTarget } from './module.js';

/** The wasm features tier 1's modules use: exception handling (faults), threads (a shared memory). */
export const WABT_FEATURES = { exceptions: true, threads: true };

/** The text form of the module tier 1 builds for `blocks` (one region). */
export async function regionWat(blocks: IRBlock[], target: Pick<JitTarget, 'memory' | 'pages' | 'cpu' | 'strategy'>): Promise<string> {
  const { bytes } = buildModule([blocks], target);
  const wabt = await (await import('wabt')).default();
  const mod = wabt.readWasm(bytes, { readDebugNames: false, ...WABT_FEATURES });
  try {
    validate(mod);
    return mod.toText({ foldExprs: false, inlineExport: false });
  } finally {
    mod.destroy();
  }
}

/** Validates a module read by wabt under WABT_FEATURES (wabt.js's validate takes them; its typings omit the parameter). */
export function validate(mod: { validate(): void }): void {
  (mod.validate as (features: typeof WABT_FEATURES) => void).call(mod, WABT_FEATURES);
}
