// Re-optimization (`--tier2 turbofan`): a region that keeps running is compiled again, from
// its own blocks in tier 2's form of code, by V8's optimizing compiler (TurboFan) instead of its
// baseline one (Liftoff), and the result is swapped in. Tier-1 code stays in Liftoff because
// TurboFan costs more than it saves on most regions (docs/ARCHITECTURE.md, "V8's tiers"); on a
// region that has already run millions of guest instructions the compile is paid back. The
// translator knows nothing of V8's flags; the CLI chooses one of two ways:
// - 'worker': V8 compiles function OPTIMIZED_FUNC_INDEX of every module with TurboFan (flags
//   set once for the whole run), so tier 2's module, with the region at that index, is compiled
//   on a worker thread (jit/compile-worker.ts) while the guest runs on, and installed when the
//   engine next polls (the run's first region is compiled on the main thread instead);
// - a function compiling the bytes on the calling thread, whose result is installed at once
//   (tests use one to see the bytes).

import { buildModule, instantiate, type JitTarget, type RegionFn, type SiteTable } from './module.js';
import { compileWorker, type CompileReply } from './compile-worker.js';
import type { PolledWorker } from './polled-worker.js';
import type { BlockEntry, RegionGroup } from './jit.js';

/** Compiles module bytes with V8's optimizing compiler (synchronously, on the calling thread). */
export type OptimizingCompile = (bytes: Uint8Array<ArrayBuffer>) => WebAssembly.Module;

/** How tier 2 compiles: on a worker thread (V8's flags optimize OPTIMIZED_FUNC_INDEX), or through a synchronous hook. */
export type Optimize = 'worker' | OptimizingCompile;

export interface ReoptStats {
  /** Regions compiled again and installed. */
  regions: number;
  /** Main-thread time: building the modules, compiling them (synchronous hook) and instantiating, ms. */
  ms: number;
  /** Compiles that failed (the region keeps its tier-1 code). */
  failed: number;
  /** Time the worker thread spent compiling, ms (the 'worker' way). */
  workerMs: number;
  /** Compiles whose region was retired before they came back (a write to one of its pages). */
  stale: number;
}

interface Pending {
  group: RegionGroup;
  own: BlockEntry[];
  sites: SiteTable;
}

export class Reopt {
  readonly stats: ReoptStats = { regions: 0, ms: 0, failed: 0, workerMs: 0, stale: 0 };
  private serial = 0;
  /** Regions sent to tier 2 so far. */
  private requested = 0;
  private readonly worker: PolledWorker<CompileReply> | null;
  private readonly pending = new Map<number, Pending>();

  constructor(
    readonly target: JitTarget,
    readonly optimize: Optimize,
    /** Makes the compiled function the region's code (Jit.installOptimized): false if the region was retired meanwhile. */
    readonly install: (group: RegionGroup, fn: RegionFn, own: BlockEntry[]) => boolean,
  ) {
    this.worker = optimize === 'worker' ? compileWorker(() => this.lost()) : null;
  }

  /** Regions sent to the worker and not back yet. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Compiles region `group` again: the function of own blocks `own` (entry i = block i)
   * followed by their guest copies. On the worker it is installed by a later poll(); the
   * first region of a run and the synchronous hook's are installed at once.
   */
  request(group: RegionGroup, own: BlockEntry[], guests: BlockEntry[]): void {
    const t = performance.now();
    const blocks = [[...own, ...guests].map((e) => e.block)];
    const compile = this.optimize;
    if (typeof compile === 'function') {
      // A serial number: V8 reuses the compiled code of a module whose bytes it has seen (the
      // tier-1 batch may have held this region alone), which would bring back Liftoff's code.
      const serial = this.serial++;
      const tag = Uint8Array.of(serial & 0xff, (serial >>> 8) & 0xff, (serial >>> 16) & 0xff, serial >>> 24);
      const { bytes, sites } = buildModule(blocks, this.target, false, true, false, [['armvisor.reopt', tag]]);
      this.finish({ group, own, sites }, () => compile(bytes));
    } else {
      let built: ReturnType<typeof buildModule> | null = null;
      try {
        built = buildModule(blocks, this.target, false, true, true);
      } catch {
        // Imports past OPTIMIZED_FUNC_INDEX (a region calling very many helpers): tier 1's code stays.
      }
      if (!built) this.stats.failed++;
      else if (this.requested++ === 0) {
        // The first region compiles here, on the main thread (V8's flags optimize its index
        // here too): one region's compile costs this thread less than starting the worker costs
        // the other core (~40 ms), and a run with one hot region (nbody) never starts it.
        const bytes = built.bytes;
        this.finish({ group, own, sites: built.sites }, () => new WebAssembly.Module(bytes));
      } else {
        const id = this.worker!.request({ bytes: built.bytes }, [built.bytes.buffer]);
        if (id < 0) this.stats.failed++;
        else this.pending.set(id, { group, own, sites: built.sites });
      }
    }
    this.stats.ms += performance.now() - t;
  }

  /** Installs what the worker has finished (cheap when nothing is in flight). */
  poll(): void {
    if (!this.worker || this.pending.size === 0) return;
    for (const r of this.worker.poll()) {
      const p = this.pending.get(r.id);
      if (!p) continue;
      this.pending.delete(r.id);
      this.stats.workerMs += r.ms;
      const t = performance.now();
      this.finish(p, () => r.module ?? null);
      this.stats.ms += performance.now() - t;
    }
  }

  private finish(p: Pending, compiled: () => WebAssembly.Module | null): void {
    let fn: RegionFn | null = null;
    try {
      const mod = compiled();
      if (mod) [fn] = instantiate(mod, 1, this.target, p.sites);
    } catch {
      // V8 refused the compile (out of memory, a flag it would not take): tier 1's code stays.
    }
    if (typeof fn !== 'function') this.stats.failed++;
    else if (this.install(p.group, fn, p.own)) this.stats.regions++;
    else this.stats.stale++;
  }

  /** The worker died: what it had will never come back. */
  private lost(): void {
    this.stats.failed += this.pending.size;
    this.pending.clear();
  }

  stop(): void {
    this.worker?.stop();
    this.pending.clear();
  }
}
