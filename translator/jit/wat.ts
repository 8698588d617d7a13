// --dump-region: a region's generated wasm as text, through wabt's wasm2wat (loaded lazily).

import type { IRBlock } from '../ir.js';
import { buildModule, type JitTarget } from './module.js';

/** The text form of the module tier 1 builds for `blocks` (one region). */
export async function regionWat(blocks: IRBlock[], target: Pick<JitTarget, 'pages' | 'cpu' | 'strategy'>): Promise<string> {
  const { bytes } = buildModule([blocks], target);
  const wabt = await (await import('wabt')).default();
  const mod = wabt.readWasm(bytes, { readDebugNames: false, exceptions: true });
  try {
    mod.validate();
    return mod.toText({ foldExprs: false, inlineExport: false });
  } finally {
    mod.destroy();
  }
}
