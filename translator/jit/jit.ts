// The JIT's decisions: heat per 4 KiB page, when to compile, which blocks form a region, and
// batching regions into modules. (Code generation: codegen.ts; bytes: wasm/builder.ts.)

import { Op, constWrites, type IRBlock } from '../ir.js';
import { HELPERS } from '../helpers.js';
import { W } from '../state.js';
import { buildModule, compileRegions, instantiate, type JitTarget, type RegionFn } from './module.js';
import { blockFlags, walkLayout, type BatchLayout, type StoredBatch, type StoredModule } from '../persist/store.js';
import { Tier2 } from './tier2.js';
import { Reopt, type Optimize } from './reopt.js';
import { Dispatcher } from './dispatch.js';
import { truncateBlock } from '../opt/truncate.js';

export interface JitOptions {
  /**
   * Interpreted guest instructions on a page before its blocks are compiled as a region;
   * 0 compiles every block before it first runs (tests: everything goes through tier 1).
   */
  threshold: number;
  /** Regions compiled together in one module. */
  batch: number;
  /** Interpreted blocks after which a partial batch is compiled anyway. */
  maxDelay: number;
  /** Rebuild the hottest regions with binaryen in a worker (`--tier2 on`). */
  tier2: boolean;
  /**
   * Compile the hottest regions again with V8's optimizing compiler (`--tier2 turbofan`:
   * jit/reopt.ts), on a worker thread or through a synchronous hook, unless `tier2` is set.
   */
  optimize?: Optimize;
  /** Calls of a region from JavaScript (no wasm dispatcher: --check-jit, tests) before it goes to tier 2. */
  tier2Threshold: number;
  /**
   * Guest instructions a region runs under the wasm dispatcher, which counts no calls, before
   * it goes to tier 2: with a tier 2, the engine stops generated code every quarter of this to
   * see where it is (noteSample).
   */
  tier2Insns: number;
  /**
   * And at least this many per guest instruction of the region (own blocks and guests): a
   * tier-2 compile costs in proportion to the region's size, and pays back in proportion to
   * how long the region keeps running, which its past samples predict.
   */
  tier2PerInsn: number;
  /** The same for a region whose instructions are a tenth or more VFP operations. */
  tier2PerInsnFp: number;
  /**
   * Guest instructions the samples must add up to, over all regions, before a region goes to
   * tier 2: a run this long is likely to run about as long again, which pays for tier 2's
   * compile worker (a thread with its own V8 and Node: ~40 ms of CPU to start, on the other
   * core of a 2-core machine) and the compiles.
   */
  tier2Start: number;
  /** The same for a region whose instructions are a tenth or more VFP operations (tier2PerInsnFp). */
  tier2StartFp: number;
  /** Most blocks in one region function: V8's optimizing compiler costs grow fast with size. */
  maxRegionBlocks: number;
  /** Tier 1 generates tier 2's form of code (buildModule's vfpLocals: D registers in f64 locals, grouped access tests): for tests of that code. */
  vfpLocals?: boolean;
  /**
   * Called once, before the first region is compiled (the CLI sets V8's flags there, so a
   * short run that never compiles does not load node:v8).
   */
  beforeFirstCompile?: () => void;
  /** Where compiled modules are kept for later runs, with the batches they came from (translator/persist/store.ts). */
  modules?: ModuleStore;
}

/** Where compiled modules are kept between runs (TranslationStore). */
export interface ModuleStore {
  addModule(m: StoredModule, layout: BatchLayout): void;
  batchFor(pc: number, thumb: boolean, it: number): StoredBatch | undefined;
}

/**
 * User mode's defaults. A page compiles after 6000 interpreted instructions: once pages
 * compiled again only their new blocks (flush), 3000 and 4000 ran the cpu benchmark's
 * programs 1-7% faster than 2000 (gzip most), 1000 slower (nbody +13%); with TurboFan on from
 * the start, 4500-8000 measured the same as 3000 on those programs, and at 6000 a trivial static
 * program (glibc's start-up) compiles nothing: 101 -> 93 ms. System mode keeps 2000 (sysjit.ts).
 */
export const DEFAULT_JIT: JitOptions = { threshold: 6000, batch: 8, maxDelay: 300, tier2: false, tier2Threshold: 20000, tier2Insns: 4_000_000, tier2PerInsn: 100_000, tier2PerInsnFp: 100_000, tier2Start: 300_000_000, tier2StartFp: 10_000_000, maxRegionBlocks: 64 };

/** The blocks compiled together as one region, and how often generated code entered it. */
export interface RegionGroup {
  entries: BlockEntry[];
  /** Copies of other regions' blocks compiled into its function after `entries` (Jit.guests). */
  guests: BlockEntry[];
  /** Calls counted from JavaScript; -Infinity once sent to tier 2 (never again). */
  calls: number;
  /** Guest instructions the samples under the wasm dispatcher charged to it (noteSample). */
  sampled: number;
  /** The samples it needs to go to tier 2, once computed (noteSample). */
  threshold?: number;
  /** The run's samples over all regions it waits for before it goes to tier 2 (tier2Start or tier2StartFp), with `threshold`. */
  start?: number;
  /** Pages whose code the region holds: its own blocks' and its guests' (see flush). */
  pages: number[];
}

/**
 * Sets when region `g` goes to tier 2: after `tier2PerInsn` sampled guest instructions per guest
 * instruction of its function (own blocks and guest copies) and once the run's samples reach
 * `tier2Start`; or after `tier2PerInsnFp` and `tier2StartFp` when a tenth or more of those
 * instructions are VFP operations done by helper CALLs (arithmetic, compares, conversions),
 * where V8's optimizing compiler gains most per instruction.
 */
function setThreshold(g: RegionGroup, o: JitOptions): void {
  let insns = 0;
  let vfp = 0;
  for (const list of [g.entries, g.guests]) {
    for (const e of list) {
      const b = e.block;
      insns += b.ninsns;
      for (let k = 0; k < b.nops * 6; k += 6) if (b.code[k] === Op.CALL && HELPERS[b.code[k + 5]].vfpOnly) vfp++;
    }
  }
  const fp = vfp * 10 >= insns;
  g.threshold = insns * (fp ? o.tier2PerInsnFp : o.tier2PerInsn);
  g.start = fp ? o.tier2StartFp : o.tier2Start;
}

/** A cached block; once compiled, the region function that runs it and its index there. */
export interface BlockEntry {
  block: IRBlock;
  region: RegionFn | null;
  index: number;
  /** The region's slot in the wasm dispatcher's function table, or -1. */
  slot: number;
  group: RegionGroup | null;
  /** Dropped (its page was written): a pending compile must not install it. */
  dead: boolean;
  /**
   * The id of the translation store's record of the block as lifted (translator/persist/store.ts),
   * or -1: a module is kept for later runs only when each of its blocks has one.
   */
  sid: number;
  /** Came from the store and not reached yet: when the guest reaches it, its stored batch is tried (Jit.adopt). */
  offer: boolean;
}

export interface JitStats {
  modules: number;
  regions: number;
  blocks: number;
  guestInsns: number;
  wasmBytes: number;
  compileMs: number;
  /** Modules whose bytes came from the translation store (no code generation). */
  modulesStored: number;
}

/** The compile counters both JITs (user mode here, system mode's SysJit) keep. */
export type CompileStats = Pick<JitStats, 'modules' | 'regions' | 'wasmBytes' | 'compileMs'> & { modulesStored?: number };

/**
 * Milliseconds from an arbitrary origin. Not `performance.now()`: the first read of Node's
 * `performance` global loads perf_hooks and its internals, ~7 ms of a trivial program's run,
 * which otherwise never needs them.
 */
export function nowMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}

/**
 * Compiles `regions` as one module and counts it in `stats`; the options' beforeFirstCompile
 * runs before the first module.
 */
export function compileCounted(regions: IRBlock[][], target: JitTarget, opts: Pick<JitOptions, 'beforeFirstCompile' | 'vfpLocals'>, stats: CompileStats, stored?: Stored): RegionFn[] {
  if (opts.beforeFirstCompile && stats.modules === 0) opts.beforeFirstCompile();
  const t0 = nowMs();
  const { fns, bytes } = stored ? compileStored(regions, target, stored, stats) : compileRegions(regions, target, opts.vfpLocals);
  stats.compileMs += nowMs() - t0;
  stats.modules++;
  stats.regions += regions.length;
  stats.wasmBytes += bytes.length;
  return fns;
}

/** A module through the translation store: `module` its bytes from an earlier run, else it is built and kept in `store` under `layout`. */
type Stored = { module: StoredModule } | { store: ModuleStore; layout: BatchLayout };

function compileStored(regions: IRBlock[][], target: JitTarget, s: Stored, stats: CompileStats): { fns: RegionFn[]; bytes: Uint8Array } {
  if ('store' in s) {
    const { bytes, sites } = buildModule(regions, target);
    s.store.addModule({ bytes, sites }, s.layout);
    return { fns: instantiate(bytes, regions.length, target, sites), bytes };
  }
  // Bytes that are not a module of this shape (a damaged store) are built again from the IR.
  let fns: RegionFn[] | null = null;
  try {
    fns = instantiate(s.module.bytes, regions.length, target, s.module.sites);
  } catch (e) {
    if (!(e instanceof WebAssembly.CompileError || e instanceof WebAssembly.LinkError)) throw e;
  }
  if (!fns || fns.some((f) => typeof f !== 'function')) return compileRegions(regions, target);
  stats.modulesStored = (stats.modulesStored ?? 0) + 1;
  return { fns, bytes: s.module.bytes };
}

/** A block entry's key among one page's blocks: its address and instruction set. */
const entryKey = (pc: number, thumb: boolean): number => pc * 2 + (thumb ? 1 : 0);

/**
 * Does a loop of direct branches run through both compiled and uncompiled blocks of `live`
 * (one page's; `index`: each one's position by entryKey)? Tarjan's strongly connected components over the blocks and their constant
 * targets on the page: one holding blocks of both kinds.
 */
function loopsAcross(live: BlockEntry[], index: ReadonlyMap<number, number>): boolean {
  const n = live.length;
  const succ = live.map((e) => {
    const out: number[] = [];
    for (const pc of exitsOf(e.block).targets) {
      const j = index.get(entryKey(pc, e.block.thumb));
      if (j !== undefined) out.push(j);
    }
    return out;
  });
  const order = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  let next = 0;
  let mixed = false;
  const visit = (v: number): void => {
    order[v] = low[v] = next++;
    stack.push(v);
    onStack[v] = 1;
    for (const w of succ[v]) {
      if (order[w] < 0) {
        visit(w);
        low[v] = Math.min(low[v], low[w]);
      } else if (onStack[w]) low[v] = Math.min(low[v], order[w]);
    }
    if (low[v] !== order[v]) return;
    let compiled = false;
    let fresh = false;
    for (let w = -1; w !== v; ) {
      w = stack.pop()!;
      onStack[w] = 0;
      if (live[w].region) compiled = true;
      else fresh = true;
    }
    if (compiled && fresh) mixed = true;
  };
  for (let v = 0; v < n && !mixed; v++) if (order[v] < 0) visit(v);
  return mixed;
}

/** Most guest blocks (copies of neighbouring pages' blocks) in one region. */
const MAX_GUESTS = 16;
/** Most blocks of a piece of the region's own page compiled earlier in another region (a small function it calls). */
const SAME_PAGE_PIECE = 4;

/** What the JIT asks of a block's exits (ir.ts constWrites): its constant targets, and whether it calls. */
interface Exits {
  /** The constant PCs its exits may go to. */
  targets: number[];
  /** It writes LR with a constant (a BL or BLX: a call, whose return comes back to the caller). */
  calls: boolean;
}

/** exitsOf each block, computed once: a page's blocks are asked at every flush of it. */
const exitsMemo = new WeakMap<IRBlock, Exits>();

function exitsOf(b: IRBlock): Exits {
  let out = exitsMemo.get(b);
  if (!out) exitsMemo.set(b, (out = { targets: constWrites(b.code, 0, b.nops, W.PC), calls: constWrites(b.code, 0, b.nops, W.LR).length > 0 }));
  return out;
}

export class Jit {
  private readonly heat = new Map<number, number>();
  /** The regions holding code of each page, so that a write to the page retires them all. */
  private readonly pageGroups = new Map<number, Set<RegionGroup>>();
  private queue: number[] = [];
  /** Guest instructions sampled over all regions (noteSample). */
  private sampled = 0;
  private age = 0;
  readonly stats: JitStats = { modules: 0, regions: 0, blocks: 0, guestInsns: 0, wasmBytes: 0, compileMs: 0, modulesStored: 0 };
  readonly tier2: Tier2 | null;
  /** Re-optimization by V8's optimizing compiler (`optimize`), when there is no binaryen tier 2. */
  readonly reopt: Reopt | null;
  /** The wasm dispatcher, when the target has room for its table. */
  readonly dispatcher: Dispatcher | null;

  constructor(
    readonly target: JitTarget,
    /** The live blocks whose code starts on `page`. */
    readonly blocksOnPage: (page: number) => BlockEntry[],
    readonly opts: JitOptions = DEFAULT_JIT,
  ) {
    this.tier2 = opts.tier2 ? new Tier2(target, (g, fn, own) => this.installOptimized(g, fn, own)) : null;
    this.reopt = !opts.tier2 && opts.optimize ? new Reopt(target, opts.optimize, (g, fn, own) => this.installOptimized(g, fn, own)) : null;
    this.dispatcher = target.dispatchBase !== undefined ? new Dispatcher(target.memory, target.pages, target.cpu.base, target.dispatchBase) : null;
  }

  /** Makes `fn` the code of `entries` (block i = entry i) and enters them in the dispatcher. */
  install(entries: BlockEntry[], fn: RegionFn): void {
    const slot = this.dispatcher ? this.dispatcher.addRegion(fn) : -1;
    entries.forEach((e, i) => {
      if (e.dead) return;
      e.region = fn;
      e.index = i;
      e.slot = slot;
      if (slot >= 0) this.dispatcher!.install(e.block.pc, e.block.thumb, e.block.itstate, slot, i);
    });
  }

  /** Puts a compiled block back into the dispatcher's table (after a collision evicted it). */
  reinstall(e: BlockEntry): void {
    if (e.slot >= 0) this.dispatcher!.install(e.block.pc, e.block.thumb, e.block.itstate, e.slot, e.index);
  }

  /**
   * Blocks dropped by invalidation of `page` leave the dispatcher, and so does every region
   * holding a copy of the page's code (a guest block): its blocks run interpreted until
   * recompiled, so no in-region branch can reach stale code.
   */
  forget(entries: BlockEntry[], page?: number): void {
    if (this.dispatcher) for (const e of entries) this.dispatcher.remove(e.block.pc, e.block.thumb, e.block.itstate);
    const groups = page === undefined ? undefined : this.pageGroups.get(page);
    if (!groups) return;
    for (const g of [...groups]) {
      for (const p of g.pages) this.pageGroups.get(p)?.delete(g);
      for (const e of g.entries) {
        if (e.group !== g) continue;
        if (this.dispatcher) this.dispatcher.remove(e.block.pc, e.block.thumb, e.block.itstate);
        e.region = null;
        e.group = null;
        e.slot = -1;
      }
    }
  }

  /**
   * Compiled blocks elsewhere that the blocks of `own` branch to directly, compiled into the
   * region as guests (copies): a loop that crosses a page boundary stays inside one region, and
   * so does a call to a small function on another page (its return is an indirect branch back
   * into the region). On the neighbouring pages single blocks come along; from a page further
   * away only the whole piece of code reachable from the target by direct branches on its page,
   * when it fits, so that no loop of it is split between the copy and its own region. A call to
   * a small function on the region's own page that an earlier region holds (the page turned hot
   * again: its new blocks compile alone) brings that piece too when it has at most
   * SAME_PAGE_PIECE blocks (busybox gzip's send_bits: 1.82M region changes -> 0.75M).
   */
  private guests(own: BlockEntry[], batch: Set<BlockEntry>): BlockEntry[] {
    const mine = new Set(own);
    const out: BlockEntry[] = [];
    const home = own[0].block.pc >>> 12;
    // Breadth first from the region's own blocks, so a called function's blocks come along with
    // the call.
    for (let i = 0; i < own.length + out.length && out.length < MAX_GUESTS; i++) {
      const e = i < own.length ? own[i] : out[i - own.length];
      const { targets, calls } = exitsOf(e.block);
      for (const pc of targets) {
        const tp = pc >>> 12;
        if (out.length >= MAX_GUESTS || (tp === home && !calls)) continue;
        const t = this.compiledAt(pc, e.block.thumb, mine, batch);
        if (!t) continue;
        const room = MAX_GUESTS - out.length;
        let piece: BlockEntry[] | null;
        if (tp === home) piece = t.region ? this.piece(t, mine, batch, Math.min(SAME_PAGE_PIECE, room)) : null; // a small callee an earlier region holds
        else if (Math.abs(tp - home) <= 1) piece = [t];
        else piece = this.piece(t, mine, batch, room);
        for (const x of piece ?? []) {
          mine.add(x);
          out.push(x);
        }
      }
    }
    return out;
  }

  /** The live block at (pc, thumb) not in `mine`, if compiled or in `batch`. */
  private compiledAt(pc: number, thumb: boolean, mine: Set<BlockEntry>, batch: Set<BlockEntry>): BlockEntry | undefined {
    const t = this.blocksOnPage(pc >>> 12).find((x) => !x.dead && x.block.pc === pc && x.block.thumb === thumb && !mine.has(x));
    return t && (t.region || batch.has(t)) ? t : undefined;
  }

  /** `t` and the compiled blocks on its page that it reaches by direct branches, or null if more than `max`. */
  private piece(t: BlockEntry, mine: Set<BlockEntry>, batch: Set<BlockEntry>, max: number): BlockEntry[] | null {
    const page = t.block.pc >>> 12;
    const set = [t];
    const seen = new Set([t]);
    for (let i = 0; i < set.length; i++) {
      for (const pc of exitsOf(set[i].block).targets) {
        if (pc >>> 12 !== page) continue;
        const x = this.compiledAt(pc, set[i].block.thumb, mine, batch);
        if (!x || seen.has(x)) continue;
        if (set.length === max) return null;
        seen.add(x);
        set.push(x);
      }
    }
    return set;
  }

  /** Installs what tier 2 has finished (cheap when nothing is in flight). */
  pollTier2(): void {
    this.tier2?.poll();
    this.reopt?.poll();
  }

  /** Counts one entry into generated code; sends the region to tier 2 when it is hot. */
  noteRegionCall(e: BlockEntry): void {
    const g = e.group;
    if (g && ++g.calls === this.opts.tier2Threshold) this.promote(g);
  }

  /**
   * Generated code under the wasm dispatcher ran `n` guest instructions and stopped at block
   * `e`: a sample that charges them to `e`'s region, which goes to tier 2 once its samples add
   * up to `tier2Insns`. (Generated code stops at a loop's back edge or a region's exit, so the
   * samples fall on the code that loops.)
   */
  noteSample(e: BlockEntry, n: number): void {
    const g = e.group;
    if (!g || g.calls < 0) return;
    g.sampled += n;
    this.sampled += n;
    if (g.sampled < this.opts.tier2Insns) return;
    if (g.threshold === undefined) setThreshold(g, this.opts);
    if (g.sampled >= g.threshold! && this.sampled >= g.start!) this.promote(g);
  }

  /** How often generated code under the wasm dispatcher stops for noteSample (guest instructions; 0: never, no tier 2). */
  get samplePeriod(): number {
    return this.tier2 || this.reopt ? Math.max(1024, Math.floor(this.opts.tier2Insns / 4)) : 0;
  }

  /** Sends a hot region to tier 2: binaryen's or V8's optimizing compiler on a worker (answered later), or V8's through a hook (now). */
  private promote(g: RegionGroup): void {
    if (g.calls < 0 || !(this.tier2 || this.reopt)) return;
    g.calls = -Infinity;
    const own = g.entries.filter((x) => !x.dead);
    const guests = g.guests.filter((x) => !x.dead);
    if (this.tier2) this.tier2.request(g, own, guests);
    else this.reopt!.request(g, own, guests);
  }

  /**
   * Makes `fn` (tier 2's function of `own`, then guests) the code of region `g`'s blocks, unless
   * the region was retired meanwhile (a write to one of its pages: `fn` may hold stale code).
   * The region keeps its place in the page index, so a later write retires the new code too.
   */
  installOptimized(g: RegionGroup, fn: RegionFn, own: BlockEntry[]): boolean {
    if (own.some((e) => e.group !== g || e.dead)) return false;
    this.install(own, fn);
    return true;
  }

  /** Counts one interpreted run of `e`; queues its page when hot; compiles a batch when due. */
  noteRun(e: BlockEntry): void {
    const page = e.block.pc >>> 12;
    const h = (this.heat.get(page) ?? 0) + e.block.ninsns;
    this.heat.set(page, h);
    if (h >= this.opts.threshold && h - e.block.ninsns < this.opts.threshold) this.queue.push(page);
    if (this.queue.length && (this.queue.length >= this.opts.batch || ++this.age >= this.opts.maxDelay)) this.flush();
  }

  /** Compiles the page of `e` now (threshold 0), all its live blocks as one region. */
  compileNow(e: BlockEntry): void {
    this.queue.push(e.block.pc >>> 12);
    this.flush(true);
  }

  /**
   * Compiles every queued page now: its live blocks not compiled yet, as regions of their own
   * (the page's earlier regions stay; their blocks and the new ones meet through the
   * dispatcher), or with `all` every live block of the page. Compiling each hot page whole
   * again had compiled busybox bzip2's code four times over (1,727 blocks compiled for 434
   * distinct; tier 1 took 0.18 s of its 0.63 s, 0.07 s this way).
   */
  flush(all = false): void {
    const pages = this.queue;
    this.queue = [];
    this.age = 0;
    const regions: BlockEntry[][] = [];
    const guestsOf: BlockEntry[][] = [];
    for (const p of pages) {
      this.heat.set(p, 0);
      const live = this.blocksOnPage(p).filter((e) => !e.dead);
      let fresh = all ? live : live.filter((e) => !e.region);
      if (!fresh.length) continue;
      const index = new Map(live.map((e, i) => [entryKey(e.block.pc, e.block.thumb), i]));
      // New blocks on a loop of direct branches with compiled ones compile with them, so the
      // loop does not cross regions through the dispatcher.
      if (fresh.length < live.length && loopsAcross(live, index)) fresh = live;
      // One copy of each instruction: a block that runs into another block's entry ends
      // there and branches to it (inside the region, or through the dispatcher).
      const stop = (pc: number, thumb: boolean) => index.has(entryKey(pc, thumb));
      for (const e of fresh) e.block = truncateBlock(e.block, stop);
      // Large pages become several regions of neighbouring blocks.
      fresh.sort((a, b) => a.block.pc - b.block.pc);
      for (let i = 0; i < fresh.length; i += this.opts.maxRegionBlocks) regions.push(fresh.slice(i, i + this.opts.maxRegionBlocks));
    }
    if (!regions.length) return;
    // Blocks compiled in this batch may be guests of its other regions as well (a function and
    // its caller often turn hot together).
    const batch = new Set(regions.flat());
    for (const own of regions) guestsOf.push(this.guests(own, batch));
    const fns = compileCounted(
      regions.map((r, i) => [...r, ...guestsOf[i]].map((e) => e.block)),
      this.target,
      this.opts,
      this.stats,
      this.keep(regions, guestsOf),
    );
    this.installRegions(regions, guestsOf, fns);
  }

  /**
   * Compiles at once a batch an earlier run compiled (translator/persist/store.ts) that holds
   * the block at (pc, thumb, it) in a region, when `get` finds each of its blocks (in the block
   * cache or the store, never lifted anew) as it was then, the same record of the store cut at
   * the same place: code generation would make the same bytes, which the store has. The page's
   * code then runs compiled from its first visit, not after thousands of interpreted
   * instructions.
   */
  adopt(pc: number, thumb: boolean, it: number, get: (pc: number, thumb: boolean, it: number) => BlockEntry | null): void {
    const found = this.opts.modules?.batchFor(pc, thumb, it);
    if (!found) return;
    const L = found.layout;
    const regions: BlockEntry[][] = [];
    const guestsOf: BlockEntry[][] = [];
    const inputs: IRBlock[][] = [];
    const cut: [BlockEntry, IRBlock][] = [];
    const whole = walkLayout(L, 0, L.length, (j, r, own) => {
      if (r === regions.length) {
        regions.push([]);
        guestsOf.push([]);
        inputs.push([]);
      }
      const x = get(L[j] >>> 0, (L[j + 1] & 1) !== 0, (L[j + 1] >>> 1) & 0xff);
      // A block compiled already this run stays where it is: no copy of the batch then.
      if (!x || x.dead || x.sid !== L[j + 3] || (own && x.region)) return false;
      const end = L[j + 2] >>> 0;
      const b = x.block.end === end ? x.block : truncateBlock(x.block, (at) => at === end);
      if (b.end !== end) return false;
      inputs[r].push(b);
      if (own) {
        regions[r].push(x);
        cut.push([x, b]);
      } else guestsOf[r].push(x);
    });
    if (whole < 0) return;
    const module = found.module();
    if (!module) return;
    for (const [x, b] of cut) x.block = b;
    this.installRegions(regions, guestsOf, compileCounted(inputs, this.target, this.opts, this.stats, { module }));
  }

  /**
   * Where a batch about to be compiled is kept for later runs: the store and the batch's layout
   * (persist/store.ts BatchLayout), when there is a store and every block has a record there.
   */
  private keep(regions: BlockEntry[][], guestsOf: BlockEntry[][]): Stored | undefined {
    const store = this.opts.modules;
    if (!store) return undefined;
    const out = [regions.length];
    for (let i = 0; i < regions.length; i++) {
      out.push(regions[i].length, guestsOf[i].length);
      for (const e of [...regions[i], ...guestsOf[i]]) {
        if (e.sid < 0) return undefined;
        out.push(e.block.pc | 0, blockFlags(e.block.thumb, e.block.itstate), e.block.end | 0, e.sid);
      }
    }
    return { store, layout: Int32Array.from(out) };
  }

  /** Enters compiled regions (own blocks `regions[i]`, guests `guestsOf[i]`, code `fns[i]`) in the dispatcher and the page index. */
  private installRegions(regions: BlockEntry[][], guestsOf: BlockEntry[][], fns: RegionFn[]): void {
    regions.forEach((r, i) => {
      const pages = [...new Set([...r, ...guestsOf[i]].map((e) => e.block.pc >>> 12))];
      const group: RegionGroup = { entries: r, guests: guestsOf[i], calls: 0, sampled: 0, pages };
      for (const p of pages) {
        let set = this.pageGroups.get(p);
        if (!set) this.pageGroups.set(p, (set = new Set()));
        set.add(group);
      }
      for (const e of r) {
        this.stats.blocks++;
        this.stats.guestInsns += e.block.ninsns;
        e.group = group;
      }
      this.install(r, fns[i]);
    });
  }
}
