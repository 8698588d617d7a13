// The execution loop: find or translate the block at (PC, T, ITSTATE), run it (its wasm
// function once the JIT has compiled it, else the interpreter), repeat until a block exits
// for a reason other than NEXT (SVC, UNDEF, a fault...), which the caller handles.

import { BlockCache, blockKey } from '../translator/cache.js';
import { Interpreter, type GuestMemory } from '../translator/interp.js';
import { Exit, type ExitReason } from '../translator/ir.js';
import { Jit, DEFAULT_JIT, type BlockEntry, type JitOptions } from '../translator/jit/jit.js';
import { MISS } from '../translator/jit/dispatch.js';
import type { JitTarget, RegionFn } from '../translator/jit/module.js';
import { isSlowExit, slowExitPoint } from '../translator/jit/slowexit.js';
import { liftBlock, type CodeSource, type LiftOptions } from '../translator/lift/block.js';
import type { TranslationStore } from '../translator/persist/store.js';
import { W, type CpuState } from '../translator/state.js';
import { disassembleAt } from '../translator/disasm.js';
import { Lockstep, type RawMemory } from './lockstep.js';
import type { Profiler } from './profile.js';

const JC_SIZE = 4096;

/** Generated code returns to the dispatcher at least this often (guest instructions). */
const MAX_BUDGET = 1 << 20;
/**
 * Slow-path exits from one code page after which the page is translated again with the exact
 * page test (MemStrategy.exact), for accesses the usual test refuses though they may go direct
 * (the last chunk of a page before one they may not reach, as at the heap's top). A slow exit
 * costs a few µs, translating a page again some ms: our sort guest's 650 slow exits (malloc at
 * the heap's top) cost 55 ms more of tier-1 compiles when each instruction was made exact after
 * 64 of its own.
 */
export const EXACT_AFTER = 4096;

/** run() stopped before an instruction at a debugger breakpoint (setBreakpoints); not an ExitReason. */
export const BREAKPOINT_HIT = 254;

export interface EngineOptions {
  /** Called before each guest instruction with a line: address, encoding, disassembly. */
  trace?: (line: string) => void;
  lift?: Partial<LiftOptions>;
  /** Tier-1 JIT target; absent = interpreter only. */
  jit?: JitTarget;
  jitOptions?: Partial<JitOptions>;
  /** --check-jit: run compiled blocks under both tiers and stop at a divergence. */
  checkJit?: RawMemory;
  /** --profile: time each dispatch and attribute guest instructions to blocks. */
  profiler?: Profiler;
  /**
   * Blocks and tier-1 modules kept from earlier runs (user mode): a block found there is not
   * lifted, and a block lifted with the default options is added to it.
   */
  store?: TranslationStore;
}

export class Engine {
  readonly cache = new BlockCache();
  readonly interp: Interpreter;
  readonly jit: Jit | null;
  private readonly baseLift: LiftOptions;
  /** baseLift, plus ending blocks before breakpoints while there are any. */
  private liftOpts: LiftOptions;
  readonly lockstep: Lockstep | null;
  /** Addresses run() stops before (gdb breakpoints); see setBreakpoints. */
  private breakpoints: ReadonlySet<number> = new Set();

  constructor(
    readonly cpu: CpuState,
    readonly mem: GuestMemory & CodeSource,
    readonly opts: EngineOptions = {},
  ) {
    this.interp = new Interpreter(cpu, mem);
    this.liftOpts = this.baseLift = { maxInsns: opts.trace ? 1 : 64, ...opts.lift };
    this.jit =
      opts.jit && !opts.trace
        ? new Jit(opts.jit, (p) => this.compilable(p), { ...DEFAULT_JIT, ...(opts.store ? { modules: opts.store } : {}), ...opts.jitOptions })
        : null;
    this.lockstep = opts.checkJit && this.jit ? new Lockstep(cpu, mem, opts.checkJit) : null;

  }

  /** Drops translations of a page (self-modifying code, munmap, mprotect, cacheflush). */
  invalidatePage(page: number): void {
    const dropped = this.cache.invalidatePage(page);
    this.opts.store?.forgetPage(page);
    if (this.jit) this.jit.forget(dropped, page);
    this.requestExit();
  }

  /**
   * Makes run() stop (BREAKPOINT_HIT) before executing an instruction at any of `addrs`.
   * Blocks are lifted to end before a breakpoint, a block starting at one is never compiled
   * (so compiled code reaches it only through a dispatcher miss), and the translations of
   * every page whose breakpoints change are dropped. Costs nothing while the set is empty.
   */
  setBreakpoints(addrs: Iterable<number>): void {
    const next = new Set<number>();
    for (const a of addrs) next.add(a >>> 0);
    const pages = new Set<number>();
    for (const a of next) if (!this.breakpoints.has(a)) pages.add(a >>> 12);
    for (const a of this.breakpoints) if (!next.has(a)) pages.add(a >>> 12);
    this.breakpoints = next;
    this.liftOpts = next.size ? { ...this.baseLift, stopAt: this.stopAtBreakpoints(this.baseLift.stopAt) } : this.baseLift;
    for (const p of pages) this.invalidatePage(p);
  }

  private stopAtBreakpoints(stop: LiftOptions['stopAt']): LiftOptions['stopAt'] {
    const bps = this.breakpoints;
    if (bps.size === 0) return stop;
    return stop ? (pc, thumb) => stop(pc, thumb) || bps.has(pc) : (pc) => bps.has(pc);
  }

  /** The blocks of a page the JIT may compile: all but those starting at a breakpoint. */
  private compilable(page: number): BlockEntry[] {
    const l = this.cache.onPage(page);
    return this.breakpoints.size ? l.filter((e) => !this.breakpoints.has(e.block.pc)) : l;
  }

  /** Executes exactly one guest instruction under the interpreter (a debugger's single step). */
  step(): ExitReason {
    const st = this.cpu.i32;
    const thumb = st[W.T] !== 0;
    const block = liftBlock(this.mem, st[W.PC] >>> 0, thumb, thumb ? st[W.ITSTATE] & 0xff : 0, { ...this.baseLift, maxInsns: 1 });
    return this.interp.run(block);
  }

  /** BUDGET for a region called directly: what is left of run()'s `budget` (from icount `start`), 1 to MAX_BUDGET. */
  private setRegionBudget(budget: number, start: number): void {
    this.cpu.i32[W.BUDGET] = budget === Infinity ? MAX_BUDGET : Math.max(1, Math.min(MAX_BUDGET, budget - (this.cpu.icount - start)));
  }

  /** Makes running generated code return to the dispatcher at its next branch. */
  requestExit(): void {
    this.cpu.i32[W.BUDGET] = 0;
  }

  /** Direct-mapped cache of recent block entries by PC, in front of the block map. */
  private readonly jumpCache: (BlockEntry | undefined)[] = new Array(JC_SIZE);

  /** The next block runs in the interpreter even if compiled: generated code left at its first instruction's slow path. */
  private interpretNext = false;
  /** The instruction count at the last sample of generated code for tier 2 (run()). */
  private sampledTo = 0;

  /**
   * Generated code left at a slow path (jit/slowexit.ts) of region `fn` (null: the one the wasm
   * dispatcher called last, state word EXIT_SLOT): the state becomes that before the access's
   * instruction, and the block from there runs next, in the interpreter.
   */
  private slowExit(r: number, fn: RegionFn | null): void {
    const cpu = this.cpu;
    const region = fn ?? this.jit?.dispatcher?.regionIn(cpu.u32[W.EXIT_SLOT]) ?? null;
    if (!region) throw new Error('jit: a slow-path exit from an unknown region');
    const at = slowExitPoint(region, r);
    cpu.u32[W.PC] = at.pc;
    if (at.it >= 0) cpu.u32[W.ITSTATE] = at.it;
    cpu.addICount(at.index);
    this.interpretNext = true;
    this.opts.profiler?.event('jit exit', 'slow path');
    const page = at.pc >>> 12;
    const n = (this.slowAt.get(page) ?? 0) + 1;
    this.slowAt.set(page, n);
    if (n === EXACT_AFTER && this.jit?.target.strategy.exact?.(page)) this.invalidatePage(page);
  }
  /** Slow-path exits per guest code page (slowExit). */
  private readonly slowAt = new Map<number, number>();

  private entry(): BlockEntry {
    const st = this.cpu.i32;
    const pc = st[W.PC] >>> 0;
    const thumb = st[W.T] !== 0;
    const it = thumb ? st[W.ITSTATE] & 0xff : 0;
    const slot = (pc >>> 1) & (JC_SIZE - 1);
    const j = this.jumpCache[slot];
    if (j !== undefined && j.block.pc === pc && j.block.thumb === thumb && j.block.itstate === it && !j.dead) return j.offer ? this.offer(j) : j;
    const key = blockKey(pc, thumb, it);
    const e = this.cache.get(key) ?? this.translate(key, pc, thumb, it);
    this.jumpCache[slot] = e;
    return e.offer ? this.offer(e) : e;
  }

  /**
   * The guest reached a block that came from the store: the batch an earlier run compiled with
   * it as a region's own block, if any, is compiled now (Jit.adopt). Not before it is reached:
   * a batch brings blocks from the store (its guests), and offering theirs at once would compile
   * whatever the programs sharing the store ever compiled.
   */
  private offer(e: BlockEntry): BlockEntry {
    e.offer = false;
    this.jit?.adopt(e.block.pc, e.block.thumb, e.block.itstate, this.fromStore);
    return e;
  }

  private translate(key: number, pc: number, thumb: boolean, it: number): BlockEntry {
    const prof = this.opts.profiler;
    const t = prof ? performance.now() : 0;
    // The store's blocks were lifted with the default options (no breakpoint ends them).
    const store = this.liftOpts === this.baseLift ? this.opts.store : undefined;
    const stored = store ? this.putStored(store, key, pc, thumb, it) : null;
    if (stored) {
      if (prof) prof.fromStore(performance.now() - t);
      return stored;
    }
    const block = liftBlock(this.mem, pc, thumb, it, this.liftOpts);
    store?.add(block, this.mem);
    const e = this.cache.put(key, block, store ? store.idOf(block) : -1);
    if (prof) prof.lifted(e.block.ninsns, performance.now() - t);
    return e;
  }

  /** The block at (pc, thumb, it) from `store` entered in the block cache (to be offered when reached), or null. */
  private putStored(store: TranslationStore, key: number, pc: number, thumb: boolean, it: number): BlockEntry | null {
    const b = store.block(pc, thumb, it, this.mem);
    if (!b) return null;
    const e = this.cache.put(key, b, store.idOf(b));
    e.offer = this.jit !== null;
    return e;
  }

  /** The block at (pc, thumb, it) from the block cache, else from the store (never lifted anew), else null. */
  private readonly fromStore = (pc: number, thumb: boolean, it: number): BlockEntry | null => {
    const key = blockKey(pc, thumb, it);
    return this.cache.get(key) ?? this.putStored(this.opts.store!, key, pc, thumb, it);
  };

  /**
   * Runs blocks until one exits with a reason other than NEXT, or until about `budget`
   * guest instructions have retired (then returns NEXT).
   */
  run(budget = Infinity): ExitReason | typeof BREAKPOINT_HIT {
    if (this.opts.profiler) return this.runProfiled(budget, this.opts.profiler);
    const trace = this.opts.trace;
    const jit = this.jit;
    const start = this.cpu.icount;
    // Compiled code runs under the wasm dispatcher until it misses or exits.
    const wasmLoop = jit?.dispatcher && !this.lockstep ? jit.dispatcher.run : null;
    const limit = budget === Infinity ? 2 ** 62 : start + budget;
    const limLo = limit % 0x100000000;
    const limHi = Math.floor(limit / 0x100000000);
    const eager = jit !== null && jit.opts.threshold <= 0;
    // With a tier 2, generated code stops this often to show which regions run hot.
    const period = jit?.samplePeriod ?? 0;
    for (;;) {
      const e = this.entry();
      if (this.breakpoints.size !== 0 && this.breakpoints.has(e.block.pc)) return BREAKPOINT_HIT;
      if (eager && !e.region) jit!.compileNow(e);
      let r: ExitReason;
      if (e.region && wasmLoop && !this.interpretNext) {
        // Compiled: the wasm loop runs it and whatever compiled code follows, until a miss.
        jit!.reinstall(e);
        let w: ExitReason | typeof MISS;
        if (period) {
          // The period runs on across exits (syscalls, misses): a program that makes a syscall
          // every 50k instructions, as busybox md5sum does between its 4 KB reads, must still be
          // sampled (until December 2026 each call counted from its own start, and such programs
          // never reached tier 2 unless --profile, which samples on its own clock, was given).
          // When the period is over, generated code stops at its first chance.
          const stop = Math.min(limit, Math.max(this.sampledTo + period, this.cpu.icount + 1));
          w = wasmLoop(stop % 0x100000000, Math.floor(stop / 0x100000000)) as ExitReason | typeof MISS;
          if (w === Exit.NEXT && this.cpu.icount >= stop) {
            jit!.noteSample(this.entry(), this.cpu.icount - this.sampledTo);
            this.sampledTo = this.cpu.icount;
          }
        } else w = wasmLoop(limLo, limHi) as ExitReason | typeof MISS;
        jit!.pollTier2();
        if (w === MISS) continue;
        if (isSlowExit(w)) {
          this.slowExit(w, null);
          continue;
        }
        r = w;
      } else if (e.region && !this.interpretNext) {
        this.setRegionBudget(budget, start);
        r = this.lockstep ? this.lockstep.step(e) : (e.region(e.index, e.slot + 1) as ExitReason);
        jit!.noteRegionCall(e);
        jit!.pollTier2();
        jit!.reinstall(e);
        if (isSlowExit(r)) {
          this.slowExit(r, e.region);
          continue;
        }
      } else {
        this.interpretNext = false;
        if (trace) trace(disassembleAt(this.mem, e.block.pc, e.block.thumb, e.block.itstate));
        r = this.interp.run(e.block);
        if (jit) jit.noteRun(e); // may compile a batch of regions
      }
      if (r !== Exit.NEXT) return r;
      if (budget !== Infinity && this.cpu.icount - start >= budget) return Exit.NEXT;
    }
  }

  /**
   * run() for --profile. Interpreted blocks are timed and attributed one by one. Generated
   * code runs under the wasm dispatcher as in run(), stopped about every SAMPLE_PERIOD guest
   * instructions (Profiler.untilSample) to sample the PC it reached, so a profiled run takes
   * the paths an unprofiled one does; timing every region call from JavaScript instead had made
   * `busybox md5sum` 1.8x slower and charged half its time to the dispatcher. Without the wasm
   * dispatcher (--check-jit), each region call is timed and attributed like a block.
   */
  private runProfiled(budget: number, prof: Profiler): ExitReason | typeof BREAKPOINT_HIT {
    const jit = this.jit;
    const cpu = this.cpu;
    const wasmLoop = jit?.dispatcher && !this.lockstep ? jit.dispatcher.run : null;
    const eager = jit !== null && jit.opts.threshold <= 0;
    const t0 = performance.now();
    const start = cpu.icount;
    const limit = budget === Infinity ? 2 ** 62 : start + budget;
    try {
      for (;;) {
        const e = this.entry();
        if (this.breakpoints.size !== 0 && this.breakpoints.has(e.block.pc)) return BREAKPOINT_HIT;
        if (eager && !e.region) jit!.compileNow(e);
        const n0 = cpu.icount;
        const t = performance.now();
        let r: ExitReason;
        if (e.region && wasmLoop && !this.interpretNext) {
          jit!.reinstall(e);
          const stop = Math.min(limit, n0 + prof.untilSample);
          const w = wasmLoop(stop % 0x100000000, Math.floor(stop / 0x100000000)) as ExitReason | typeof MISS;
          if (isSlowExit(w)) this.slowExit(w, null);
          prof.ranGenerated(cpu.u32[W.PC], cpu.icount - n0, performance.now() - t);
          if (w === Exit.NEXT && jit!.samplePeriod) jit!.noteSample(this.entry(), cpu.icount - n0);
          jit!.pollTier2();
          if (w === MISS || isSlowExit(w)) continue;
          r = w;
        } else {
          const compiled = e.region !== null && !this.interpretNext;
          if (!compiled) this.interpretNext = false;
          this.setRegionBudget(budget, start);
          r = compiled ? (this.lockstep ? this.lockstep.step(e) : (e.region!(e.index, e.slot + 1) as ExitReason)) : this.interp.run(e.block);
          prof.attribute(e.block.pc, cpu.icount - n0, performance.now() - t, compiled);
          // Compilation, triggered here, is timed by the JIT itself.
          if (compiled) {
            jit!.noteRegionCall(e);
            jit!.pollTier2();
            jit!.reinstall(e);
            if (isSlowExit(r)) {
              this.slowExit(r, e.region);
              continue;
            }
          } else if (jit) jit.noteRun(e);
        }
        if (r !== Exit.NEXT) return r;
        if (budget !== Infinity && cpu.icount - start >= budget) return Exit.NEXT;
      }
    } finally {
      prof.engineMs += performance.now() - t0;
    }
  }
}
