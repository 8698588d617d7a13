// Tier 2: the hottest regions are rebuilt with binaryen's optimizer in a worker thread and
// swapped in when ready, so the guest never waits for it. `--tier2 off|on`. A user-mode run
// never returns to Node's event loop, so the replies come back over a MessagePort that the
// engine polls (receiveMessageOnPort) rather than as events.

import { Worker, MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BlockEntry, RegionGroup } from './jit.js';
import { buildModule, instantiate, type SiteTable, type JitTarget, type RegionFn } from './module.js';

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
  private worker: Worker | null = null;
  private port: MessagePort | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
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

  private start(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    const w = new Worker(Tier2.workerPath(), { workerData: { port: port2 }, transferList: [port2] });
    w.unref(); // never keeps the process alive
    port1.unref();
    w.on('error', () => {
      this.stats.failed += this.pending.size;
      this.pending.clear();
      this.worker = null;
      this.port = null;
    });
    this.worker = w;
    return (this.port = port1);
  }

  /** Queues region `group` (its live own blocks and guest copies) for optimization. */
  request(group: RegionGroup, entries: BlockEntry[], guests: BlockEntry[]): void {
    const { bytes, sites } = buildModule([[...entries, ...guests].map((e) => e.block)], this.target, false, true);
    const id = this.nextId++;
    this.pending.set(id, { group, entries, sites });
    this.stats.requested++;
    (this.port ?? this.start()).postMessage({ id, bytes, level: this.level });
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Takes the worker's replies so far, without waiting, and installs the rebuilt regions. */
  poll(): void {
    if (!this.port || this.pending.size === 0) return;
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) this.done(m.message as Reply);
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
    void this.worker?.terminate();
    this.worker = null;
    this.port = null;
  }
}
