// The execution loop: find or translate the block at (PC, T, ITSTATE), run it (its wasm
// function once the JIT has compiled it, else the interpreter), repeat until a block exits
// for a reason other than NEXT (SVC, UNDEF, a fault...), which the caller handles.

import { BlockCache, blockKey } from '../translator/cache.js';
import { Interpreter, type GuestMemory } from '../translator/interp.js';
import { Exit, type ExitReason } from '../translator/ir.js';
import { Jit, DEFAULT_JIT, type BlockEntry, type JitOptions } from '../translator/jit/jit.js';
import { MISS } from '../translator/jit/dispatch.js';
import type { JitTarget } from '../translator/jit/module.js';
import { liftBlock, type CodeSource, type LiftOptions } from '../translator/lift/block.js';
import { W, type CpuState } from '../translator/state.js';
import { disassembleAt } from '../translator/disasm.js';
import { Lockstep, type RawMemory } from './lockstep.js';
import type { Profiler } from './profile.js';

const JC_SIZE = 4096;

/** Generated code returns to the dispatcher at least this often (guest instructions). */
const MAX_BUDGET = 1 << 20;

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
}

export class Engine {
  readonly cache = new BlockCache();
  readonly interp: Interpreter;
  readonly jit: Jit | null;
  private readonly liftOpts: LiftOptions;
  readonly lockstep: Lockstep | null;

  constructor(
    readonly cpu: CpuState,
    readonly mem: GuestMemory & CodeSource,
    readonly opts: EngineOptions = {},
  ) {
    this.interp = new Interpreter(cpu, mem);
    this.liftOpts = { maxInsns: opts.trace ? 1 : 64, ...opts.lift };
    this.jit =
      opts.jit && !opts.trace
        ? new Jit(opts.jit, (p) => this.cache.onPage(p), { ...DEFAULT_JIT, ...opts.jitOptions })
        : null;
    this.lockstep = opts.checkJit && this.jit ? new Lockstep(cpu, mem, opts.checkJit) : null;

  }

  /** Drops translations of a page (self-modifying code, munmap, mprotect, cacheflush). */
  invalidatePage(page: number): void {
    const dropped = this.cache.invalidatePage(page);
    if (this.jit) this.jit.forget(dropped, page);
    this.requestExit();
  }

  /** Makes running generated code return to the dispatcher at its next branch. */
  requestExit(): void {
    this.cpu.i32[W.BUDGET] = 0;
  }

  /** Direct-mapped cache of recent block entries by PC, in front of the block map. */
  private readonly jumpCache: (BlockEntry | undefined)[] = new Array(JC_SIZE);

  private entry(): BlockEntry {
    const st = this.cpu.i32;
    const pc = st[W.PC] >>> 0;
    const thumb = st[W.T] !== 0;
    const it = thumb ? st[W.ITSTATE] & 0xff : 0;
    const slot = (pc >>> 1) & (JC_SIZE - 1);
    const j = this.jumpCache[slot];
    if (j !== undefined && j.block.pc === pc && j.block.thumb === thumb && j.block.itstate === it && !j.dead) return j;
    const key = blockKey(pc, thumb, it);
    const e = this.cache.get(key) ?? this.cache.put(key, liftBlock(this.mem, pc, thumb, it, this.liftOpts));
    this.jumpCache[slot] = e;
    return e;
  }

  /**
   * Runs blocks until one exits with a reason other than NEXT, or until about `budget`
   * guest instructions have retired (then returns NEXT).
   */
  run(budget = Infinity): ExitReason {
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
    for (;;) {
      const e = this.entry();
      if (eager && !e.region) jit!.compileNow(e);
      let r: ExitReason;
      if (e.region && wasmLoop) {
        // Compiled: the wasm loop runs it and whatever compiled code follows, until a miss.
        jit!.reinstall(e);
        const w = wasmLoop(limLo, limHi) as ExitReason | typeof MISS;
        if (w === MISS) continue;
        r = w;
      } else if (e.region) {
        this.cpu.i32[W.BUDGET] = budget === Infinity ? MAX_BUDGET : Math.max(1, Math.min(MAX_BUDGET, budget - (this.cpu.icount - start)));
        r = this.lockstep ? this.lockstep.step(e) : (e.region(e.index) as ExitReason);
        jit!.noteRegionCall(e);
        jit!.reinstall(e);
      }
      else {
        if (trace) trace(disassembleAt(this.mem, e.block.pc, e.block.thumb, e.block.itstate));
        r = this.interp.run(e.block);
        if (jit) jit.noteRun(e);
      }
      if (r !== Exit.NEXT) return r;
      if (budget !== Infinity && this.cpu.icount - start >= budget) return Exit.NEXT;
    }
  }

  /** run() with timing and attribution of every dispatch (slower; for --profile). */
  private runProfiled(budget: number, prof: Profiler): ExitReason {
    const jit = this.jit;
    const cpu = this.cpu;
    const t0 = performance.now();
    const start = cpu.icount;
    try {
      for (;;) {
        const e = this.entry();
        const n0 = cpu.icount;
        const t = performance.now();
        const compiled = e.region !== null;
        cpu.i32[W.BUDGET] = budget === Infinity ? MAX_BUDGET : Math.max(1, Math.min(MAX_BUDGET, budget - (cpu.icount - start)));
        const r: ExitReason = compiled ? (this.lockstep ? this.lockstep.step(e) : (e.region!(e.index) as ExitReason)) : this.interp.run(e.block);
        prof.attribute(e.block.pc, cpu.icount - n0, performance.now() - t, compiled);
        // Compilation, triggered here, is timed by the JIT itself.
        if (compiled) jit!.noteRegionCall(e);
        else if (jit) jit.noteRun(e);
        if (r !== Exit.NEXT) return r;
        if (budget !== Infinity && cpu.icount - start >= budget) return Exit.NEXT;
      }
    } finally {
      prof.engineMs += performance.now() - t0;
    }
  }
}
