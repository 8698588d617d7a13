// A system-mode vCPU: ARMv7 PL1/PL0 state over the shared state block, CP15, guest memory
// through the MMU, and the run loop that executes blocks with the IR interpreter (tier 0) and
// turns their exits into exceptions (B1.8), halts (WFI/WFE) and calls to the board's HVC/SMC
// handlers. Interrupt lines (setIrq/setFiq) are sampled between blocks.
//
// The JIT is not used in system mode yet (its memory strategy is the user-mode flat one); the
// block cache is keyed on (virtual PC, T, ITSTATE, privilege level, VFP enabled) and every
// block remembers the physical page it was lifted from, so a changed mapping re-lifts, a store
// to a code page drops its translations at once, and an instruction-cache invalidation drops
// those of pages other writers changed (physWritten).
//
// A debugger (runtime/board/gdb-target.ts) has two hooks: setBreakpoints (run() stops before a
// block at one of them; blocks are lifted to end before them) and step() (one instruction).

import { blockKey } from '../../translator/cache.js';
import { Interpreter } from '../../translator/interp.js';
import { Exit, type ExitReason, type IRBlock } from '../../translator/ir.js';
import { liftBlock } from '../../translator/lift/block.js';
import { Mode, PSR_F, PSR_I, PSR_M, modePL, readCPSR, setCPSR } from '../../translator/modes.js';
import { CpuState, STATE_BYTES, W } from '../../translator/state.js';
import type { SysLift } from '../../translator/sys.js';
import { ats1c } from '../mmu/par.js';
import { Cp15State, SCTLR } from './cp15.js';
import { cortexA15Regs } from './cortex-a15.js';
import { Exc, takeException } from './exception.js';
import { SysRegs, type SysRegDef } from './sysregs.js';
import { SystemMemory, type MmioHandler, type Stage2 } from './sysmem.js';

export interface CpuOptions {
  /** Guest RAM and its physical base address. */
  ram: Uint8Array;
  ramBase: number;
  /** Physical accesses outside RAM. */
  mmio: MmioHandler;
  /** MPIDR affinity (Aff0 = CPU number); the MP-extensions bit is added. */
  mpidr?: number;
  /** Most guest instructions per block (1 for tracing). */
  maxBlockInsns?: number;
  /** Where the state block lives (e.g. inside the domain's WebAssembly.Memory); default: its own buffer. */
  state?: CpuState;
}

/** Why run() returned ('breakpoint': the PC is at a debugger breakpoint, not yet executed). */
export type RunStop = 'budget' | 'wfi' | 'stopped' | 'breakpoint';

/**
 * A call handler (HVC from the guest kernel, SMC for firmware calls such as PSCI): `imm` is
 * the instruction's immediate, the registers are in cpu.state (the PC already points after the
 * instruction). Return false to make the instruction UNDEFINED instead.
 */
export type CallHandler = (cpu: ArmCpu, imm: number) => boolean;

interface SysBlock {
  block: IRBlock;
  /** The physical page of its first instruction. */
  paPage: number;
  dead: boolean;
}

export class ArmCpu {
  readonly state: CpuState;
  readonly cp15 = new Cp15State();
  readonly sysregs: SysRegs;
  readonly mem: SystemMemory;
  readonly interp: Interpreter;
  onHvc: CallHandler | null = null;
  onSmc: CallHandler | null = null;
  /** Counts of exceptions taken, by Exc. */
  readonly exceptions = new Array<number>(8).fill(0);

  private irqLine = false;
  private fiqLine = false;
  /** Waiting in WFI/WFE until an interrupt (or, for WFE, an event). */
  halted = false;
  private stopRequested = false;
  private readonly blocks = new Map<number, SysBlock>();
  private readonly byPage = new Map<number, number[]>();
  /** Physical pages with translations whose RAM was written by someone else (physWritten). */
  private readonly staleCode = new Set<number>();
  private readonly liftEnvs: SysLift[];
  private readonly maxInsns: number;
  /** Debugger breakpoints (virtual PCs): run() stops before executing one; see setBreakpoints. */
  private breakpoints: ReadonlySet<number> = new Set();
  private readonly stopAtBreakpoint = (pc: number): boolean => this.breakpoints.has(pc);

  constructor(opts: CpuOptions) {
    this.state = opts.state ?? new CpuState(new ArrayBuffer(STATE_BYTES), 0);
    this.sysregs = new SysRegs(this.state);
    this.state.sys = this.sysregs;
    this.mem = new SystemMemory(this.state, this.cp15, opts.ram, opts.ramBase, opts.mmio);
    this.mem.onCodeWrite = (p) => this.invalidateCodePage(p);
    this.interp = new Interpreter(this.state, this.mem);
    this.maxInsns = opts.maxBlockInsns ?? 64;
    const mpidr = (0x80000000 | (opts.mpidr ?? 0)) >>> 0;
    this.sysregs.define(
      cortexA15Regs(this.cp15, this.state, {
        tlbFlush: () => this.mem.flushTlb(),
        translationChanged: () => this.mem.flushTlb(),
        invalidateCode: (va) => this.invalidateCode(va),
        ats1c: (op, va) => ats1c(this.mem, this.cp15, op, va),
        isr: () => (this.irqLine ? 1 << 7 : 0) | (this.fiqLine ? 1 << 6 : 0),
        icount: () => this.state.icount,
      }, mpidr),
    );
    // Index: PL * 4 + cp10 access * 2 + VFP enabled.
    this.liftEnvs = [];
    for (const pl of [0, 1] as const) for (const cp10 of [false, true]) for (const vfp of [false, true]) this.liftEnvs.push(this.sysregs.liftEnv(pl, cp10, vfp));
    this.reset();
  }

  /** Adds coprocessor registers implemented elsewhere (the generic timer...). */
  registerSysRegs(defs: readonly SysRegDef[]): void {
    this.sysregs.registerSysRegs(defs);
    this.flushCode(); // blocks lifted before may have UNDEFINED these encodings
  }

  /** The hypervisor's stage 2 (null: none). */
  setStage2(s2: Stage2 | null): void {
    this.mem.stage2 = s2;
    this.mem.flushTlb();
  }

  /** Reset (the TakeReset pseudocode): SVC mode, A/I/F masked, ARM state, PC at `pc` or the reset vector. */
  reset(pc?: number): void {
    const st = this.state.i32;
    setCPSR(st, 0x1d3);
    takeException(st, this.cp15, Exc.RESET, 0);
    if (pc !== undefined) st[W.PC] = pc;
    this.halted = false;
  }

  get cpsr(): number {
    return readCPSR(this.state.i32);
  }
  set cpsr(v: number) {
    setCPSR(this.state.i32, v);
  }
  get mode(): number {
    return this.state.i32[W.PSR] & PSR_M;
  }

  /** The interrupt request line (level-sensitive; the GIC's CPU interface drives it). */
  setIrq(level: boolean): void {
    this.irqLine = level;
  }
  setFiq(level: boolean): void {
    this.fiqLine = level;
  }
  get irqPending(): boolean {
    return this.irqLine;
  }

  /** Makes run() return 'stopped' at the next block boundary (PSCI SYSTEM_OFF, a debugger...). */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * The debugger's breakpoints (virtual addresses). While there are any, blocks are lifted to
   * end before each of them and run() checks the PC against the set before every block, so
   * nothing is written into guest memory. Changing the set drops every translation (blocks
   * lifted before did not end at the new addresses); with an empty set the cost is one
   * `Set.size` test per block.
   */
  setBreakpoints(addrs: Iterable<number>): void {
    const next = new Set<number>();
    for (const a of addrs) next.add(a >>> 0);
    if (next.size === this.breakpoints.size && [...next].every((a) => this.breakpoints.has(a))) return;
    this.breakpoints = next;
    this.flushCode();
  }

  /**
   * Executes exactly one instruction at the PC (a debugger's single step), interrupts not
   * taken first (as QEMU steps by default); an exception it raises is taken, so the PC may
   * then be a vector. A vCPU halted in WFI executes nothing.
   */
  step(): void {
    if (this.halted) return;
    const st = this.state.i32;
    const thumb = st[W.T] !== 0;
    const block = liftBlock(this.mem, st[W.PC] >>> 0, thumb, thumb ? st[W.ITSTATE] & 0xff : 0, { maxInsns: 1, sys: this.liftEnv() });
    this.exit(this.interp.run(block));
  }

  /** Drops every translation (ICIALLU, BPIALL, new system registers). */
  flushCode(): void {
    for (const b of this.blocks.values()) b.dead = true;
    this.blocks.clear();
    this.byPage.clear();
  }

  /**
   * RAM changed behind the CPU's back (a device's DMA, a loader): translated code of those
   * pages becomes stale when the guest invalidates its instruction cache, as on hardware.
   */
  physWritten(pa: number, len: number): void {
    if (len <= 0) return;
    for (let p = Math.floor(pa / 4096); p <= Math.floor((pa + len - 1) / 4096); p++) if (this.byPage.has(p)) this.staleCode.add(p);
  }

  /**
   * ICIALLU, ICIMVAU, BPIALL and their IS forms. Stores by this CPU drop the translations of
   * the code they overwrite at once (SystemMemory.onCodeWrite), so what an instruction-cache
   * invalidation must still drop is the code changed by other writers (physWritten). Linux on
   * a Cortex-A15 issues ICIALLU at every context switch, so this must not flush everything.
   */
  private invalidateCode(_va?: number): void {
    for (const p of this.staleCode) this.invalidateCodePage(p);
    this.staleCode.clear();
  }

  private invalidateCodePage(paPage: number): void {
    const keys = this.byPage.get(paPage);
    if (!keys) return;
    this.byPage.delete(paPage);
    for (const k of keys) {
      const b = this.blocks.get(k);
      if (b && b.paPage === paPage) {
        b.dead = true;
        this.blocks.delete(k);
      }
    }
  }

  /** The lift facts of the current state: PL, CPACR.cp10 access at it, FPEXC.EN. */
  private liftEnv(): SysLift {
    const st = this.state.i32;
    const pl = modePL(st[W.PSR] & PSR_M) === 0 ? 0 : 1;
    const acc = (this.cp15.cpacr >>> 20) & 3;
    const cp10 = pl === 0 ? acc === 3 : acc !== 0;
    const en = (st[W.FPEXC] & 0x40000000) !== 0;
    return this.liftEnvs[pl * 4 + (cp10 ? 2 : 0) + (en ? 1 : 0)];
  }

  /** The block at the current PC for the current state (lifted if needed). */
  private entry(): IRBlock {
    const st = this.state.i32;
    const pc = st[W.PC] >>> 0;
    const thumb = st[W.T] !== 0;
    const it = thumb ? st[W.ITSTATE] & 0xff : 0;
    const env = this.liftEnv();
    const key = blockKey(pc, thumb, it) * 8 + env.pl * 4 + (env.cp10 ? 2 : 0) + (env.vfp ? 1 : 0);
    const paPage = this.mem.codePage(pc);
    const old = this.blocks.get(key);
    if (old && old.paPage === paPage && paPage >= 0) return old.block;
    const block = liftBlock(this.mem, pc, thumb, it, { maxInsns: this.maxInsns, sys: env, stopAt: this.breakpoints.size ? this.stopAtBreakpoint : undefined });
    if (paPage >= 0) {
      this.blocks.set(key, { block, paPage, dead: false });
      let l = this.byPage.get(paPage);
      if (!l) this.byPage.set(paPage, (l = []));
      l.push(key);
    }
    return block;
  }

  /** Takes an exception now (also for devices and tests); counts it. */
  exception(kind: Exc, addr: number): void {
    this.exceptions[kind]++;
    takeException(this.state.i32, this.cp15, kind, addr);
    this.halted = false;
  }

  /** Between instructions: an unmasked FIQ, else IRQ, is taken (B1.8.6, B1.8.7). */
  private checkInterrupts(): boolean {
    const psr = this.state.i32[W.PSR];
    const pc = this.state.i32[W.PC];
    if (this.fiqLine && (psr & PSR_F) === 0) {
      this.exception(Exc.FIQ, pc);
      return true;
    }
    if (this.irqLine && (psr & PSR_I) === 0) {
      this.exception(Exc.IRQ, pc);
      return true;
    }
    return false;
  }

  /**
   * Runs until about `budget` guest instructions have retired ('budget'), the vCPU waits for
   * an interrupt ('wfi': call again after raising a line), stop() was called ('stopped') or
   * the PC is at a debugger breakpoint ('breakpoint', before executing it).
   */
  run(budget = Infinity): RunStop {
    const st = this.state.i32;
    const start = this.state.icount;
    this.stopRequested = false;
    for (;;) {
      if (this.stopRequested) return 'stopped';
      if (this.irqLine || this.fiqLine) this.checkInterrupts();
      if (this.halted) {
        // WFI wakes on an interrupt even when masked (B1.8.13); it is then taken when unmasked.
        if (this.irqLine || this.fiqLine) this.halted = false;
        else return 'wfi';
      }
      if (this.state.icount - start >= budget) return 'budget';
      if (this.breakpoints.size !== 0 && this.breakpoints.has(st[W.PC] >>> 0)) return 'breakpoint';
      this.exit(this.interp.run(this.entry()));
    }
  }

  /** A block's exit: exceptions, halts, HVC/SMC calls. */
  private exit(r: ExitReason): void {
    const st = this.state.i32;
    switch (r) {
      case Exit.NEXT:
        break;
      case Exit.SVC:
        this.exception(Exc.SVC, st[W.PC]);
        break;
      case Exit.UNDEF:
        this.exception(Exc.UNDEF, st[W.PC]);
        break;
      case Exit.BKPT:
        // A debug event with halting debug disabled: a Prefetch Abort, IFSR FS = 0b00010, debug event.
        this.cp15.ifsr = this.cp15.ttbcr & 0x80000000 ? 0x222 : 0x2;
        this.cp15.ifar = st[W.PC] >>> 0;
        this.exception(Exc.PREFETCH_ABORT, st[W.PC]);
        break;
      case Exit.DATA_ABORT:
      case Exit.ALIGN_FAULT:
        this.cp15.dfsr = this.mem.fault.fsr;
        this.cp15.dfar = this.mem.fault.far;
        this.exception(Exc.DATA_ABORT, st[W.PC]);
        break;
      case Exit.PREFETCH_ABORT: {
        const pc = st[W.PC] >>> 0;
        const f = this.mem.prefetchFault(pc) ?? this.mem.prefetchFault((pc + 2) >>> 0);
        if (!f) throw new Error(`prefetch abort at 0x${pc.toString(16)} without a fault`);
        this.cp15.ifsr = f.fsr;
        this.cp15.ifar = f.far;
        this.exception(Exc.PREFETCH_ABORT, pc);
        break;
      }
      case Exit.WFI:
        this.halted = true;
        break;
      case Exit.WFE:
        if (st[W.EVENT]) st[W.EVENT] = 0;
        else this.halted = true;
        break;
      case Exit.HVC:
      case Exit.SMC: {
        const h = r === Exit.HVC ? this.onHvc : this.onSmc;
        if (!h || !h(this, st[W.TRAP_IMM] >>> 0)) this.exception(Exc.UNDEF, (st[W.PC] - 4) | 0);
        break;
      }
      default:
        throw new Error(`system mode: unexpected block exit ${r}`);
    }
  }

  /** Is the MMU on (SCTLR.M)? */
  get mmuEnabled(): boolean {
    return (this.cp15.sctlr & SCTLR.M) !== 0;
  }
}

export { Exc, Mode };
