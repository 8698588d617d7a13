// Tier 2: the hottest regions are rebuilt with binaryen's optimizer in a worker thread and
// swapped in when ready, so the guest never waits for it. `--tier2 off|on`. The replies come
// back over a MessagePort that the engine polls (polled-worker.ts).

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BlockEntry, RegionGroup } from './jit.js';
import { buildModule, instantiate, type SiteTable, type JitTarget, type RegionFn } from './module.js';
import { PolledWorker } from './polled-worker.js';

export interface Tier2Stats {
  requested: number;
  installed: number;
  failed: number;
  workerMs: number;
}

interface Pending {
  group: RegionGroup;
  /** The region's own blocks when it was sent (the function's first entries; its guests follow). */
  entries: BlockEntry[];
  /** The module's slow-path sites (module.ts buildModule): binaryen keeps the call sites' ids. */
  sites: SiteTable;
}

interface Reply {
  id: number;
  bytes?: Uint8Array;
  error?: string;
  ms?: number;
}

export class Tier2 {
  private readonly worker = new PolledWorker<Reply>(Tier2.workerPath(), undefined, () => {
    this.stats.failed += this.pending.size;
    this.pending.clear();
  });
  private readonly pending = new Map<number, Pending>();
  readonly stats: Tier2Stats = { requested: 0, installed: 0, failed: 0, workerMs: 0 };

  constructor(
    readonly target: JitTarget,
    /** Swaps the optimized function in for the region's blocks `own` (Jit.installOptimized): false if the region was retired meanwhile. */
    readonly install: (group: RegionGroup, fn: RegionFn, own: BlockEntry[]) => boolean,
    readonly level = 2,
  ) {}

  /**
   * The compiled worker script: beside this module in dist/translator/jit/, or under it when
   * this code runs from the bundle dist/armvisor-core.cjs; from the TS sources under jest, dist's copy.
   */
  static workerPath(): string {
    const here = fileURLToPath(new URL('./tier2-worker.js', import.meta.url));
    if (existsSync(here)) return here;
    const fromBundle = fileURLToPath(new URL('./translator/jit/tier2-worker.js', import.meta.url));
    if (existsSync(fromBundle)) return fromBundle;
    return here.replace(/([\\/])translator([\\/])jit([\\/])/, '$1dist$1translator$2jit$3');
  }

  /** Queues region `group` (its live own blocks and guest copies) for optimization. */
  request(group: RegionGroup, entries: BlockEntry[], guests: BlockEntry[]): void {
    const { bytes, sites } = buildModule([[...entries, ...guests].map((e) => e.block)], this.target, false, true);
    this.stats.requested++;
    const id = this.worker.request({ bytes, level: this.level });
    if (id < 0) this.stats.failed++; // no worker could be started
    else this.pending.set(id, { group, entries, sites });
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Takes the worker's replies so far, without waiting, and installs the rebuilt regions. */
  poll(): void {
    if (this.pending.size === 0) return;
    for (const m of this.worker.poll()) this.done(m);
  }

  private done(m: Reply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (!m.bytes) {
      this.stats.failed++;
      return;
    }
    this.stats.workerMs += m.ms ?? 0;
    let fns: RegionFn[];
    try {
      fns = instantiate(m.bytes, 1, this.target, p.sites);
    } catch {
      this.stats.failed++; // binaryen's module did not compile: tier 1's code stays
      return;
    }
    if (this.install(p.group, fns[0], p.entries)) this.stats.installed++;
  }

  stop(): void {
    this.worker.stop();
  }
}
