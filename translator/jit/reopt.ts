// Re-optimization (`--tier2 turbofan`): a region that keeps running is compiled again, from
// its own tier-1 bytes, by V8's optimizing compiler (TurboFan) instead of its baseline one
// (Liftoff), and the result is swapped in. Tier-1 code stays in Liftoff because TurboFan costs
// more than it saves on most regions (docs/ARCHITECTURE.md, "V8's tiers"); on a region that
// has already run millions of guest instructions the compile is paid back. V8 has no per-module
// choice of compiler, so the compile goes through a hook the CLI provides, which switches V8's
// flags around it (cli/v8flags.ts compileOptimized); the translator knows nothing of V8's flags.

import { withCustomSection } from '../wasm/builder.js';
import { buildModule, instantiate, type JitTarget, type RegionFn } from './module.js';
import type { BlockEntry } from './jit.js';

/** Compiles module bytes with V8's optimizing compiler (synchronously, on the calling thread). */
export type OptimizingCompile = (bytes: Uint8Array<ArrayBuffer>) => WebAssembly.Module;

export interface ReoptStats {
  /** Regions compiled again. */
  regions: number;
  /** Main-thread time those compiles and instantiations took, ms. */
  ms: number;
  /** Compiles that failed (the region keeps its tier-1 code). */
  failed: number;
}

export class Reopt {
  readonly stats: ReoptStats = { regions: 0, ms: 0, failed: 0 };
  private serial = 0;

  constructor(
    readonly target: JitTarget,
    readonly compile: OptimizingCompile,
  ) {}

  /**
   * The region function of own blocks `own` (entry i = block i) followed by their guest copies,
   * compiled by `compile`. The module carries a serial number in a custom section: V8 reuses the
   * compiled code of a module whose bytes it has seen (the tier-1 batch may have held this
   * region alone), which would bring back the Liftoff code.
   */
  build(own: BlockEntry[], guests: BlockEntry[]): RegionFn | null {
    const t = performance.now();
    const { bytes, sites } = buildModule([[...own, ...guests].map((e) => e.block)], this.target, false, true);
    const serial = this.serial++;
    const tagged = withCustomSection(bytes, 'armvisor.reopt', Uint8Array.of(serial & 0xff, (serial >>> 8) & 0xff, (serial >>> 16) & 0xff, serial >>> 24));
    let fn: RegionFn | null = null;
    try {
      [fn] = instantiate(this.compile(tagged), 1, this.target, sites);
      this.stats.regions++;
    } catch {
      // V8 refused the compile (out of memory, a flag it would not take): tier 1's code stays.
      this.stats.failed++;
    }
    this.stats.ms += performance.now() - t;
    return fn;
  }
}
