// The execution loop: find or translate the block at (PC, T, ITSTATE), run it, repeat until
// a block exits for a reason other than NEXT (SVC, UNDEF, a fault...), which the caller
// (Linux user mode, later the system emulator) handles.

import { BlockCache, blockKey } from '../translator/cache.js';
import { Interpreter, type GuestMemory } from '../translator/interp.js';
import { Exit, type ExitReason, type IRBlock } from '../translator/ir.js';
import { liftBlock, type CodeSource, type LiftOptions } from '../translator/lift/block.js';
import { W, type CpuState } from '../translator/state.js';
import { disassembleAt } from '../translator/disasm.js';

export interface EngineOptions {
  /** Called before each guest instruction with a line: address, encoding, disassembly. */
  trace?: (line: string) => void;
  lift?: Partial<LiftOptions>;
}

export class Engine {
  readonly cache = new BlockCache();
  readonly interp: Interpreter;
  private readonly liftOpts: LiftOptions;

  constructor(
    readonly cpu: CpuState,
    readonly mem: GuestMemory & CodeSource,
    readonly opts: EngineOptions = {},
  ) {
    this.interp = new Interpreter(cpu, mem);
    this.liftOpts = { maxInsns: opts.trace ? 1 : 64, ...opts.lift };
  }

  /** Drops translations of a page (self-modifying code, munmap, mprotect, cacheflush). */
  invalidatePage(page: number): void {
    this.cache.invalidatePage(page);
  }

  private block(): IRBlock {
    const st = this.cpu.i32;
    const pc = st[W.PC] >>> 0;
    const thumb = st[W.T] !== 0;
    const it = thumb ? st[W.ITSTATE] & 0xff : 0;
    const key = blockKey(pc, thumb, it);
    let b = this.cache.get(key);
    if (!b) {
      b = liftBlock(this.mem, pc, thumb, it, this.liftOpts);
      this.cache.put(key, b);
    }
    return b;
  }

  /**
   * Runs blocks until one exits with a reason other than NEXT, or until about `budget`
   * guest instructions have retired (then returns NEXT).
   */
  run(budget = Infinity): ExitReason {
    const trace = this.opts.trace;
    const start = this.cpu.icount;
    for (;;) {
      const b = this.block();
      if (trace) trace(disassembleAt(this.mem, b.pc, b.thumb, b.itstate));
      const r = this.interp.run(b);
      if (r !== Exit.NEXT) return r;
      if (this.cpu.icount - start >= budget) return Exit.NEXT;
    }
  }
}
