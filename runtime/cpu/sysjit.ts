// The tier-1 JIT of a system-mode vCPU: heat, regions and their retirement, over the shared
// code generator (translator/jit/module.ts) with the softmmu memory strategy.
//
// A block's translation context is its mapping and lift environment: (virtual page, physical
// page) for PL0 code and code under a 4 KiB mapping, (virtual range, physical base, size) for
// PL1 code under a larger one (a 64 KiB page, a section, a supersection, an LPAE block). The
// CPU looks blocks up by virtual PC and lift environment and verifies on every entry that the
// code's physical page and the size of the mapping holding it are those the block was found
// under, so a region (live blocks of one context, compiled together) is entered only while
// the mapping it was compiled under holds, and then every page of it translates as it did:
// direct branches between its blocks, on one page or on different pages of a large mapping,
// stay inside it. Blocks end on every change of mode, masks or regime (Exit.SYNC), and TLB
// maintenance makes running code return at its next branch (ArmCpu zeroes BUDGET), so a
// region never runs on under a mapping it was not entered with. Unlike user mode there are
// no neighbouring-page guest blocks. Regions go from one to the next through the wasm
// dispatcher (dispatch.ts), whose key holds the lift environment and a generation that
// ArmCpu bumps at every full TLB flush, and whose entries ArmCpu removes at a TLBIMVA of
// their mapping, so it never enters a region compiled for another environment or mapping:
// entries are installed by ArmCpu after it verified the block.

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
  /** The physical page of the end of its last instruction when that is on the next page, else -1. */
  paPage2: number;
  /**
   * log2 of the size of its context's mapping: 12 for PL0 code and 4 KiB mappings, else the
   * size of the mapping it was lifted under; it is entered only under a mapping of that size.
   */
  mapLog2: number;
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
  /** Its page in its context (set by SysJit.add), or null when it is not cached. */
  page: SysPage | null;
  /** Times it ran interpreted. */
  runs: number;
}

/** A translation context: its pages, heat (instructions interpreted since it last compiled), blocks not compiled. */
interface SysContext {
  key: number;
  /** Virtual page number -> page. */
  pages: Map<number, SysPage>;
  heat: number;
  fresh: SysBlock[];
  /** A mapping larger than 4 KiB (contextKey < -1). */
  large: boolean;
  /**
   * A large context's compiled blocks, kept with their IR while it has at most MERGE_BLOCKS:
   * each compile of the context compiles them again with its new blocks (flush).
   */
  young: SysBlock[];
  merging: boolean;
}

/** The cached blocks of one virtual page of a context (dead ones are dropped when the page compiles or is written). */
export interface SysPage {
  ctx: SysContext;
  va: number;
  blocks: SysBlock[];
}

interface SysGroup {
  entries: SysBlock[];
  /** Its function's dispatcher slot, or -1. */
  slot: number;
  /** Retired or superseded: its slot waits for releaseSlots(). */
  retired: boolean;
}

/**
 * The translation context of a block at `pc` on physical page `paPage` under a mapping of
 * 2^log2 bytes (see SysBlock.mapLog2) with environment code `env`: 0-7 the lift environment
 * (PL, cp10, VFP) of a block with VFP instructions, 8 + PL for one without (the same
 * translation under every VFP state of that PL). A 4 KiB context is (physical page, virtual
 * page, env), a non-negative key; a larger one (physical base, virtual base, size, env), all
 * of the mapping, a key below -1 (-1 means no context). Mappings are aligned to their size
 * physically and virtually, so the bases are the page numbers with the offset bits dropped.
 */
export function contextKey(paPage: number, pc: number, env: number, log2 = 12): number {
  if (log2 <= 12) return (paPage * 0x100000 + (pc >>> 12)) * 16 + env;
  const paBase = Math.floor(paPage / 2 ** (log2 - 12)); // < 2^24 (40-bit PAs, log2 >= 16)
  const vaBase = pc >>> log2; // < 2^16
  return -2 - ((paBase * 2 ** (32 - log2) + vaBase) * 32 + (log2 - 12)) * 16 - env;
}

/** Interpreted guest instructions in a context before it compiles (`--jit-threshold`; 4000 and 8000 measured no better on the boot). */
export const SYS_THRESHOLD = 2000;

/** Interpreted runs after which a block of a large mapping's context compiles with it (flush). */
const MIN_RUNS = 2;

/** Most blocks of a large context compiled again together each time it compiles (flush). */
const MERGE_BLOCKS = 128;

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
  private readonly byCtx = new Map<number, SysContext>();
  private queue: SysContext[] = [];
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
    this.opts = { ...DEFAULT_JIT, threshold: SYS_THRESHOLD, ...opts };
    this.dispatcher = target.dispatchBase !== undefined ? new Dispatcher(target.memory, target.pages, target.cpu.base, target.dispatchBase, target.dispatchCtx === true) : null;
  }

  /** A block entered the CPU's cache. */
  add(b: SysBlock): void {
    let c = this.byCtx.get(b.ctx);
    if (!c) this.byCtx.set(b.ctx, (c = { key: b.ctx, pages: new Map(), heat: 0, fresh: [], large: b.ctx < -1, young: [], merging: b.ctx < -1 }));
    const va = b.block.pc >>> 12;
    let p = c.pages.get(va);
    if (!p) c.pages.set(va, (p = { ctx: c, va, blocks: [] }));
    p.blocks.push(b);
    c.fresh.push(b);
    b.page = p;
  }

  /**
   * Counts one interpreted run of `b`; queues its context when hot; compiles a batch when due.
   * Returns true when blocks were compiled (takeCompiled lists them).
   */
  noteRun(b: SysBlock): boolean {
    const p = b.page;
    if (p === null) return false;
    b.runs++;
    const c = p.ctx;
    const n = b.block.ninsns;
    const h = (c.heat += n);
    if (h >= this.opts.threshold && h - n < this.opts.threshold) this.queue.push(c);
    if (this.queue.length && (this.queue.length >= this.opts.batch || ++this.age >= this.opts.maxDelay)) this.flush();
    return this.compiled.length !== 0;
  }

  /** Compiles the context of `b` now, all its blocks (threshold 0). */
  compileNow(b: SysBlock): void {
    if (b.page === null) return;
    this.queue.push(b.page.ctx);
    this.flush(true);
  }

  /**
   * The blocks were dropped (their physical page was written): their regions retire, and
   * the other blocks of those regions (on other pages of a large mapping) are dropped too and
   * listed in `killed`, for the caller to remove from its cache: they were compiled without
   * keeping their IR (withoutOps), so they must be lifted again. A page, and a context,
   * without live blocks goes. Returns true when some had been entered through the dispatcher
   * (a block may be installed under several environments' keys: the caller starts a new
   * generation).
   */
  forget(dropped: Iterable<SysBlock>, killed: SysBlock[]): boolean {
    let installed = false;
    const gone: SysBlock[] = [];
    for (const b of dropped) {
      b.dead = true;
      gone.push(b);
    }
    for (const b of gone) {
      if (b.dkey) installed = true;
      const g = b.group;
      if (!g) continue;
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
        if (!e.dead) {
          e.dead = true;
          killed.push(e);
        }
      }
    }
    const pages = new Set<SysPage>();
    for (const list of [gone, killed]) for (const b of list) if (b.page) pages.add(b.page);
    for (const p of pages) {
      p.blocks = p.blocks.filter((e) => !e.dead);
      const c = p.ctx;
      if (p.blocks.length || c.pages.get(p.va) !== p) continue;
      c.pages.delete(p.va);
      if (c.pages.size === 0 && this.byCtx.get(c.key) === c) this.byCtx.delete(c.key);
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
    this.queue = [];
    this.compiled = [];
  }

  /**
   * Compiles the queued contexts, each as regions of its blocks not compiled yet: all of them
   * for a 4 KiB context (or with `all`), those that ran interpreted MIN_RUNS times for a larger
   * one (the kernel's text is a few such contexts: its code run once at boot stays
   * interpreted), together with its young blocks while it has at most MERGE_BLOCKS.
   */
  flush(all = false): void {
    const queued = new Set(this.queue);
    this.queue = [];
    this.age = 0;
    const regions: SysBlock[][] = [];
    /** Blocks that keep their IR (young blocks of large contexts). */
    const keep = new Set<SysBlock>();
    for (const c of queued) {
      c.heat = 0;
      // Blocks compiled before keep their regions; the new ones become regions of their own
      // (recompiling the whole context each time it grew was 30% of the kernel boot's blocks),
      // except in a large context while it is small (the decompressor's ~100 hot blocks were
      // compiled in 8 batches: most of its 18 M region-to-region transitions were between them).
      const fresh: SysBlock[] = [];
      const rest: SysBlock[] = [];
      for (const e of c.fresh) if (!e.dead && !e.region) (all || !c.large || e.runs >= MIN_RUNS ? fresh : rest).push(e);
      c.fresh = rest;
      if (!fresh.length) continue;
      if (c.merging) {
        const young = c.young.filter((e) => !e.dead && e.region);
        if (young.length + fresh.length <= MERGE_BLOCKS) {
          for (const g of new Set(young.map((e) => e.group!))) this.retire(g);
          for (const e of young) e.region = null;
          fresh.push(...young);
          c.young = fresh.slice();
          for (const e of fresh) keep.add(e);
        } else {
          for (const e of young) e.block = e.block.withoutOps();
          c.young = [];
          c.merging = false;
        }
      }
      // One copy of each instruction: a block that runs into another's entry (on its page:
      // blocks end at page boundaries) ends there.
      const starts = new Set<number>();
      for (const p of new Set(fresh.map((e) => e.page!))) {
        p.blocks = p.blocks.filter((e) => !e.dead);
        for (const e of p.blocks) starts.add(e.block.pc * 2 + (e.block.thumb ? 1 : 0));
      }
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
        // A compiled block keeps only its header (young blocks of a large context excepted): it
        // is entered through its region until it dies and never interpreted or compiled again,
        // while the IR of every block compiled in a kernel boot (~20,000) made each
        // young-generation GC copy and promote it.
        if (!keep.has(e)) e.block = e.block.withoutOps();
        if (slot >= 0) this.compiled.push(e);
      });
    });
  }
}
