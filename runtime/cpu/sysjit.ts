// The tier-1 JIT of a system-mode vCPU: heat, regions and their retirement, over the shared
// code generator (translator/jit/module.ts) with the softmmu memory strategy.
//
// A block's translation context is (virtual page, lift environment, physical page): the CPU
// looks blocks up by virtual PC and lift environment and verifies the physical page on every
// entry, so a region (the live blocks of one context, compiled together) is entered only while
// the mapping it was compiled under holds, and its direct branches stay inside the context.
// Blocks end on every change of mode, masks or regime (Exit.SYNC), and TLB maintenance makes
// running code return at its next branch (ArmCpu zeroes BUDGET), so a region never runs on
// under a mapping it was not entered with. Unlike user mode there are no neighbouring-page
// guest blocks. Regions go from one to the next through the wasm dispatcher (dispatch.ts),
// whose key holds the lift environment and a generation that ArmCpu bumps at every TLB flush
// (a mapping may have changed), so it never enters a region compiled for another environment
// or mapping: entries are installed by ArmCpu after it verified the block.

import type { IRBlock } from '../../translator/ir.js';
import { compileCounted, DEFAULT_JIT, type JitOptions } from '../../translator/jit/jit.js';
import { type JitTarget, type RegionFn } from '../../translator/jit/module.js';
import { Dispatcher } from '../../translator/jit/dispatch.js';
import { truncateBlock } from '../../translator/opt/truncate.js';

/** A cached system-mode block and, once compiled, the region that runs it. */
export interface SysBlock {
  block: IRBlock;
  /** The physical page of its first instruction. */
  paPage: number;
  /** Its translation context (see contextKey), or -1 when it is not cached. */
  ctx: number;
  /** The environment code of its context (contextKey), or -1 when it is not cached. */
  env: number;
  dead: boolean;
  region: RegionFn | null;
  /** Its index in the region function. */
  index: number;
  group: SysGroup | null;
  /** Its region's funcref slot in the dispatcher, or -1. */
  slot: number;
  /** The dispatcher key it was last installed under (0: none). */
  dkey: number;
  /** Another block for the same virtual PC and environment under another mapping. */
  next: SysBlock | null;
}

interface SysGroup {
  entries: SysBlock[];
  /** Its function's dispatcher slot, or -1. */
  slot: number;
  /** Retired or superseded: its slot waits for releaseSlots(). */
  retired: boolean;
}

/**
 * The translation context of a block: physical page, virtual page, and its environment code:
 * 0-7 the lift environment (PL, cp10, VFP) of a block with VFP instructions, 8 + PL for one
 * without (the same translation under every VFP state of that PL).
 */
export function contextKey(paPage: number, pc: number, env: number): number {
  return (paPage * 0x100000 + (pc >>> 12)) * 16 + env;
}

const NO_OPS: IRBlock['ops'] = Object.freeze([]) as unknown as IRBlock['ops'];

/**
 * A compiled block keeps only its header: it never runs interpreted (it is entered through its
 * region until it dies) and is not compiled again, while the IR of every block compiled during
 * a kernel boot (~20,000 blocks, ~200 MB of op objects) made each young-generation GC copy
 * and promote it.
 */
function withoutOps(b: IRBlock): IRBlock {
  return { pc: b.pc, thumb: b.thumb, itstate: b.itstate, ops: NO_OPS, ntemps: 0, ninsns: b.ninsns, end: b.end, pl: b.pl, usesVfp: b.usesVfp };
}

export interface SysJitStats {
  /** Guest instructions run by the interpreter (the rest ran in generated code). */
  interpInsns: number;
  /** Entries into generated code from the CPU loop, and how many of them ended in a dispatcher miss. */
  entries: number;
  misses: number;
  modules: number;
  regions: number;
  blocks: number;
  wasmBytes: number;
  compileMs: number;
}

export class SysJit {
  readonly opts: JitOptions;
  private readonly heat = new Map<number, number>();
  /** The cached blocks of each context (dead ones are dropped when it compiles). */
  private readonly byCtx = new Map<number, SysBlock[]>();
  private queue: number[] = [];
  private age = 0;
  readonly stats: SysJitStats = { interpInsns: 0, entries: 0, misses: 0, modules: 0, regions: 0, blocks: 0, wasmBytes: 0, compileMs: 0 };
  readonly dispatcher: Dispatcher | null;
  /** Regions retired since the last new generation (their slots not yet released). */
  get retiredBacklog(): number {
    return this.retiredSlots.length;
  }
  /** Blocks compiled since the CPU last took them (takeCompiled), to be installed in the dispatcher. */
  private compiled: SysBlock[] = [];
  /** Slots of retired and superseded regions, released at the next mapping generation. */
  private retiredSlots: number[] = [];

  constructor(
    readonly target: JitTarget,
    opts: Partial<JitOptions> = {},
  ) {
    this.opts = { ...DEFAULT_JIT, ...opts };
    this.dispatcher = target.dispatchBase !== undefined ? new Dispatcher(target.memory, target.pages, target.cpu.base, target.dispatchBase, true) : null;
  }

  /** A block entered the CPU's cache. */
  add(b: SysBlock): void {
    let l = this.byCtx.get(b.ctx);
    if (!l) this.byCtx.set(b.ctx, (l = []));
    l.push(b);
  }

  /**
   * Counts one interpreted run of `b`; queues its context when hot; compiles a batch when due.
   * Returns true when blocks were compiled (takeCompiled lists them).
   */
  noteRun(b: SysBlock): boolean {
    if (b.ctx < 0) return false;
    const h = (this.heat.get(b.ctx) ?? 0) + b.block.ninsns;
    this.heat.set(b.ctx, h);
    if (h >= this.opts.threshold && h - b.block.ninsns < this.opts.threshold) this.queue.push(b.ctx);
    if (this.queue.length && (this.queue.length >= this.opts.batch || ++this.age >= this.opts.maxDelay)) this.flush();
    return this.compiled.length !== 0;
  }

  /** Compiles the context of `b` now (threshold 0). */
  compileNow(b: SysBlock): void {
    if (b.ctx < 0) return;
    this.queue.push(b.ctx);
    this.flush();
  }

  /**
   * The blocks were dropped (their physical page was written): their regions retire, their
   * contexts go. Returns true when some had been entered through the dispatcher (a block may
   * be installed under several environments' keys: the caller starts a new generation).
   */
  forget(dropped: Iterable<SysBlock>): boolean {
    let installed = false;
    for (const b of dropped) {
      if (b.dkey) installed = true;
      b.dead = true;
      const g = b.group;
      if (g) {
        this.retire(g);
        for (const e of g.entries) {
          if (e.group !== g) continue;
          if (e.dkey) {
            installed = true;
            this.dispatcher!.removeKey(e.block.pc, e.dkey);
          }
          e.region = null;
          e.group = null;
          e.slot = -1;
          e.dkey = 0;
        }
      }
      this.byCtx.delete(b.ctx);
      this.heat.delete(b.ctx);
    }
    return installed;
  }

  /**
   * One block leaves the CPU's cache while its context lives on: it must not be entered any
   * more. Returns true when it had been installed in the dispatcher (as forget()).
   */
  drop(b: SysBlock): boolean {
    b.dead = true;
    const installed = b.dkey !== 0;
    if (installed) this.dispatcher!.removeKey(b.block.pc, b.dkey);
    b.dkey = 0;
    return installed;
  }

  private retire(g: SysGroup): void {
    if (g.retired) return;
    g.retired = true;
    if (g.slot >= 0) this.retiredSlots.push(g.slot);
  }

  /**
   * A new mapping generation began (ArmCpu): no dispatcher entry installed before can match
   * any more, so the slots of retired regions can be reused and their code collected.
   */
  releaseSlots(): void {
    for (const s of this.retiredSlots) this.dispatcher!.release(s);
    this.retiredSlots = [];
  }

  /** The blocks compiled since the last call. */
  takeCompiled(): SysBlock[] {
    const l = this.compiled;
    this.compiled = [];
    return l;
  }

  /** Forgets every context (all translations dropped). */
  clear(): void {
    this.dispatcher?.clear();
    this.releaseSlots();
    this.byCtx.clear();
    this.heat.clear();
    this.queue = [];
    this.compiled = [];
  }

  /** Compiles every queued context, each as regions of its live blocks. */
  flush(): void {
    const ctxs = this.queue;
    this.queue = [];
    this.age = 0;
    const regions: SysBlock[][] = [];
    for (const c of new Set(ctxs)) {
      this.heat.set(c, 0);
      const live = (this.byCtx.get(c) ?? []).filter((b) => !b.dead);
      if (!live.length) {
        this.byCtx.delete(c);
        continue;
      }
      this.byCtx.set(c, live);
      // Blocks compiled before keep their regions; the new ones become regions of their own
      // (recompiling the whole context each time it grew was 30% of the kernel boot's blocks).
      const fresh = live.filter((e) => !e.region);
      if (!fresh.length) continue;
      // One copy of each instruction: a block that runs into another's entry ends there.
      const starts = new Set(live.map((e) => e.block.pc * 2 + (e.block.thumb ? 1 : 0)));
      const stop = (pc: number, thumb: boolean) => starts.has(pc * 2 + (thumb ? 1 : 0));
      for (const e of fresh) e.block = truncateBlock(e.block, stop);
      fresh.sort((a, b) => a.block.pc - b.block.pc);
      for (let i = 0; i < fresh.length; i += this.opts.maxRegionBlocks) regions.push(fresh.slice(i, i + this.opts.maxRegionBlocks));
    }
    if (!regions.length) return;
    const fns = compileCounted(
      regions.map((r) => r.map((e) => e.block)),
      this.target,
      this.opts,
      this.stats,
    );
    regions.forEach((r, i) => {
      const slot = this.dispatcher ? this.dispatcher.addRegion(fns[i]) : -1;
      const group: SysGroup = { entries: r, slot, retired: false };
      r.forEach((e, j) => {
        if (e.dead) return;
        this.stats.blocks++;
        if (e.dkey) this.dispatcher!.removeKey(e.block.pc, e.dkey);
        e.region = fns[i];
        e.index = j;
        e.group = group;
        e.slot = slot;
        e.dkey = 0;
        e.block = withoutOps(e.block);
        if (slot >= 0) this.compiled.push(e);
      });
    });
  }
}
