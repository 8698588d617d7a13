// The JIT's decisions: which blocks are hot, when to compile, and batching them into modules.
// (Code generation is codegen.ts, the byte writer wasm/builder.ts.)

import type { IRBlock } from '../ir.js';
import { compileBlocks, type BlockFn, type JitTarget } from './module.js';

export interface JitOptions {
  /** Interpreted executions of a block before it is queued for compilation. */
  threshold: number;
  /** Blocks compiled together in one module. */
  batch: number;
}

export const DEFAULT_JIT: JitOptions = { threshold: 50, batch: 32 };

/** A cached block with its execution count and, once compiled, its wasm function. */
export interface BlockEntry {
  block: IRBlock;
  hits: number;
  fn: BlockFn | null;
  /** Dropped (its page was written): a pending compile must not install it. */
  dead: boolean;
}

export interface JitStats {
  modules: number;
  blocks: number;
  guestInsns: number;
  wasmBytes: number;
  compileMs: number;
}

export class Jit {
  private queue: BlockEntry[] = [];
  readonly stats: JitStats = { modules: 0, blocks: 0, guestInsns: 0, wasmBytes: 0, compileMs: 0 };

  constructor(
    readonly target: JitTarget,
    readonly opts: JitOptions = DEFAULT_JIT,
  ) {}

  /** Counts one interpreted run of `e`; queues it when hot and compiles a full batch. */
  noteRun(e: BlockEntry): void {
    if (++e.hits !== this.opts.threshold) return;
    this.queue.push(e);
    if (this.queue.length >= this.opts.batch) this.flush();
  }

  /** Compiles every queued block now. */
  flush(): void {
    const q = this.queue.filter((e) => !e.dead && !e.fn);
    this.queue = [];
    if (!q.length) return;
    const t0 = performance.now();
    const { fns, bytes } = compileBlocks(
      q.map((e) => e.block),
      this.target,
    );
    this.stats.compileMs += performance.now() - t0;
    this.stats.modules++;
    this.stats.blocks += q.length;
    this.stats.wasmBytes += bytes.length;
    q.forEach((e, i) => {
      this.stats.guestInsns += e.block.ninsns;
      if (!e.dead) e.fn = fns[i];
    });
  }
}
