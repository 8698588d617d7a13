// A system-mode vCPU: ARMv7 PL1/PL0 state over the shared state block, CP15, guest memory
// through the MMU, and the run loop that executes blocks, hot ones as tier-1 regions
// (sysjit.ts, when the CPU lives in a SysSpace) and the rest with the IR interpreter, and turns
// their exits into exceptions (B1.8), halts (WFI/WFE) and calls to the board's HVC/SMC
// handlers. Interrupt lines (setIrq/setFiq) are sampled between blocks; generated code is made
// to return at its next branch (BUDGET = 0) when a line rises, on stop() and TLB maintenance.
//
// The block cache is keyed on (virtual PC, T, ITSTATE, privilege level, cp10 access, VFP
// enabled) and every block remembers the physical page it was lifted from and the size of its
// translation context's mapping (blocks of one key under different mappings are chained), so
// a changed mapping re-lifts, a store to a code page drops its translations at once (those of
// blocks ending on it too), and an instruction-cache invalidation drops those of pages other
// writers changed (physWritten). PL1 code under a mapping larger than 4 KiB has the whole
// mapping as its context (sysjit.ts), so its regions span pages.

//
// A debugger (runtime/board/gdb-target.ts) has two hooks: setBreakpoints (run() stops before a
// block at one of them; blocks are lifted to end before them; compiled code does not run while
// any exist) and step() (one instruction).
import { blockKey } from '../../translator/cache.js';
import { Interpreter } from '../../translator/interp.js';
import { Exit, type ExitReason } from '../../translator/ir.js';
import type { JitOptions } from '../../translator/jit/jit.js';
import { slowPaths, type JitTarget, type RegionFn } from '../../translator/jit/module.js';
import { SoftmmuStrategy, TLB_BYTES } from '../../translator/jit/softmmu.js';
import { ANY_VFP, dispatchKey, MISS, type Dispatcher } from '../../translator/jit/dispatch.js';
import { liftBlock } from '../../translator/lift/block.js';
import { Mode, PSR_F, PSR_I, PSR_M, modePL, readCPSR, setCPSR } from '../../translator/modes.js';
import { CpuState, STATE_BYTES, W } from '../../translator/state.js';
import type { SysLift } from '../../translator/sys.js';
import { ats1c } from '../mmu/par.js';
import { translate } from '../mmu/translate.js';
import { Access, Walk } from '../mmu/types.js';
import { Cp15State, SCTLR } from './cp15.js';
import { cortexA15Regs } from './cortex-a15.js';
import { Exc, takeException } from './exception.js';
import { SysRegs, type SysRegDef } from './sysregs.js';
import { SystemMemory, type MmioHandler, type Stage2 } from './sysmem.js';
import { contextKey, SysJit, type SysBlock } from './sysjit.js';
import type { SysSpace } from './sysspace.js';

/** Generated code returns to the CPU loop at least this often (guest instructions). */
const MAX_BUDGET = 1 << 20;
/** Slots of entry()'s table of recently found blocks. */
const RECENT = 1 << 16;
/** Retired regions whose slots wait for a new generation before a full TLB flush starts one anyway. */
const MAX_RETIRED = 1024;
/** Most blocks kept for one (virtual PC, environment) under different mappings. */
const MAX_CHAIN = 8;

/**
 * A mapping generated code was entered under (see ArmCpu.genMaps): the blocks installed in the
 * dispatcher under it, and what the translation was then, so a full TLB flush keeps its
 * entries when the mapping still translates the same.
 */
interface GenMap {
  blocks: SysBlock[];
  /** The physical address of the mapping's first byte. */
  pa: number;
  /** Its Perm bits, and whether it was global. */
  perms: number;
  global: boolean;
  /** Bit PL set for each privilege level code was entered at under it. */
  pls: number;
}

/**
 * The dispatcher key of a block under DISPATCH_CTX `ctx`: a block lifted the same under every
 * VFP state of its PL (environment code 8 + PL) matches under all of them (ANY_VFP), so kernel
 * code entered while one process had VFP enabled is not missed after a switch to another.
 */
function dispatcherKey(b: SysBlock, ctx: number): number {
  const k = dispatchKey(b.block.thumb, b.block.itstate) | ctx;
  return (b.env >= 8 ? k | ANY_VFP : k) >>> 0;
}

/** genMaps' key of the mapping of 2^log2 bytes holding `va` (a small integer). */
function mapKey(va: number, log2: number): number {
  return log2 * 0x100000 + (va >>> log2);
}

export interface CpuOptions {
  /** Guest RAM (unless `space` holds it) and its physical base address. */
  ram?: Uint8Array;
  ramBase: number;
  /**
   * The machine's linear memory (state block, TLB, RAM: sysspace.ts). Required for the JIT;
   * without it the CPU interprets.
   */
  space?: SysSpace;
  /** 'jit' (default with a space): hot code as tier-1 regions; 'interp': the interpreter only. */
  engine?: 'jit' | 'interp';
  jitOptions?: Partial<JitOptions>;
  /** Physical accesses outside RAM. */
  mmio: MmioHandler;
  /** MPIDR affinity (Aff0 = CPU number); the MP-extensions bit is added. */
  mpidr?: number;
  /** Most guest instructions per block (1 for tracing). */
  maxBlockInsns?: number;
  /** Where the state block lives (e.g. inside the domain's WebAssembly.Memory); default: its own buffer. */
  state?: CpuState;
}

/** Why run() returned. */
/** Why run() returned ('breakpoint': the PC is at a debugger breakpoint, not yet executed). */
export type RunStop = 'budget' | 'wfi' | 'stopped' | 'breakpoint';

/**
 * A call handler (HVC from the guest kernel, SMC for firmware calls such as PSCI): `imm` is
 * the instruction's immediate, the registers are in cpu.state (the PC already points after the
 * instruction). Return false to make the instruction UNDEFINED instead.
 */
export type CallHandler = (cpu: ArmCpu, imm: number) => boolean;

export class ArmCpu {
  readonly state: CpuState;
  readonly cp15 = new Cp15State();
  readonly sysregs: SysRegs;
  readonly mem: SystemMemory;
  readonly interp: Interpreter;
  /** The tier-1 JIT, or null (interpreter only). */
  readonly jit: SysJit | null;
  onHvc: CallHandler | null = null;
  onSmc: CallHandler | null = null;
  /** TLB maintenance operations by kind, and writes of the translation regime's registers (regime). */
  readonly tlbFlushes = { all: 0, mva: 0, asid: 0, mvaa: 0, regime: 0 };
  /** Counts of exceptions taken, by Exc. */
  readonly exceptions = new Array<number>(8).fill(0);

  private irqLine = false;
  private fiqLine = false;
  /** Waiting in WFI/WFE until an interrupt (or, for WFE, an event). */
  halted = false;
  /** Debugger breakpoints (virtual PCs): run() stops before executing one; see setBreakpoints. */
  private breakpoints: ReadonlySet<number> = new Set();
  private readonly stopAtBreakpoint = (pc: number): boolean => this.breakpoints.has(pc);
  private stopRequested = false;
  private readonly blocks = new Map<number, SysBlock>();
  /**
   * The last block entry() found at each of RECENT slots hashed from the PC, checked before
   * the cache (whose keys, PC * 8192 + ..., are not small integers: a Map lookup with such a
   * key costs several times the check). Dead blocks fail the check.
   */
  private readonly recent = new Array<SysBlock | null>(RECENT).fill(null);
  /**
   * What entry() compares, per slot of `recent`, in typed arrays (the blocks themselves are
   * scattered over the heap: reading them for every lookup missed the cache): the PC, the
   * physical page, and the mapping size, T, ITSTATE and environment code (recentInfo).
   */
  private readonly recentPc = new Int32Array(RECENT);
  private readonly recentPa = new Int32Array(RECENT).fill(-1);
  private readonly recentInfo = new Int32Array(RECENT);
  private readonly byPage = new Map<number, number[]>();
  /** Physical pages with translations whose RAM was written by someone else (physWritten). */
  private readonly staleCode = new Set<number>();
  /**
   * Physical pages whose translated code was overwritten (patched code: the kernel's jump
   * labels and alternatives): their code stays in 4 KiB contexts (ctxLog2), so a further
   * patch retires only its own page's regions, not those spanning its large mapping.
   */
  private readonly patchedPages = new Set<number>();
  private readonly liftEnvs: SysLift[];
  /** The mapping generation: bumped at every TLB flush; part of the wasm dispatcher's key. */
  private gen = 1;
  /** The lift environment index (PL * 4 + cp10 * 2 + VFP) entry() looked up with. */
  private curEnv = 0;
  /**
   * The mappings generated code was entered under in this generation, each with the blocks of
   * it installed in the dispatcher, keyed by log2 of the mapping's size * 2^20 + its virtual
   * address >>> that size (mapKey): a TLBIMVA removes just the entries of the mapping holding
   * its address.
   */
  private readonly genMaps = new Map<number, GenMap>();
  /** The walk revalidate() translates with (never the TLB's). */
  private readonly checkWalk = new Walk();
  /** Bit (log2 size - 12) set for every mapping size in genMaps. */
  private genSizes = 0;
  /** log2 of the size of the mapping entry() found the current block's code under. */
  private curMapLog2 = 12;
  /** Its Perm bits and whether it is global. */
  private curMapPerms = 0;
  private curMapGlobal = true;
  private readonly maxInsns: number;

  constructor(opts: CpuOptions) {
    const space = opts.space;
    const ram = space ? space.ram : opts.ram;
    if (!ram) throw new Error('ArmCpu: no RAM (options ram or space)');
    this.state = space ? space.state : (opts.state ?? new CpuState(new ArrayBuffer(STATE_BYTES), 0));
    this.sysregs = new SysRegs(this.state);
    this.state.sys = this.sysregs;
    this.mem = new SystemMemory(this.state, this.cp15, ram, opts.ramBase, opts.mmio);
    this.mem.onCodeWrite = (p) => this.invalidateCodePage(p);
    this.interp = new Interpreter(this.state, this.mem);
    this.jit = space && opts.engine !== 'interp' ? new SysJit(this.jitTarget(space), opts.jitOptions) : null;
    this.maxInsns = opts.maxBlockInsns ?? 64;
    const mpidr = (0x80000000 | (opts.mpidr ?? 0)) >>> 0;
    this.sysregs.define(
      cortexA15Regs(this.cp15, this.state, {
        tlbFlush: (kind, value) => {
          this.tlbFlushes[kind]++;
          if (kind === 'asid') {
            this.asidChanged();
            return;
          }
          if (kind === 'mva' || kind === 'mvaa') this.flushTlbVa(value & ~0xfff);
          else this.flushTlb();
        },
        translationChanged: (asid) => {
          this.tlbFlushes.regime++;
          if (asid) this.asidChanged();
          else this.flushTlb();
        },
        cpacrChanged: () => this.cpacrChanged(),
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
    this.flushTlb();
  }

  /**
   * TLB maintenance: every cached translation goes, and running generated code returns at its
   * next branch. The dispatcher's entries stay where the mapping they were entered under still
   * translates the same (revalidate): Linux flushes the whole TLB at every fork and exit
   * (flush_tlb_mm, TLBIALLIS with Cortex-A9 erratum 720789's workaround), and a new generation
   * there cost ~1,300 dispatcher misses each.
   */
  private flushTlb(): void {
    this.mem.flushTlb();
    if (this.mem.stage2 !== null || (this.jit !== null && this.jit.retiredBacklog > MAX_RETIRED)) this.newGeneration();
    else this.revalidate();
  }

  /**
   * Removes the dispatcher entries of every mapping in genMaps that no longer translates as it
   * did when code was entered under it (walked afresh, without the TLB: a TLB may hold any
   * translation the tables give, B3.10.2), and makes running code return.
   */
  private revalidate(): void {
    this.requestExit();
    const w = this.checkWalk;
    for (const [key, m] of this.genMaps) {
      const log2 = Math.floor(key / 0x100000);
      const va = (key - log2 * 0x100000) * 2 ** log2;
      let holds = true;
      for (let pl = 0; pl < 2 && holds; pl++) {
        if (!(m.pls & (1 << pl))) continue;
        translate(this.mem, this.cp15, va, Access.EXEC, pl === 0, w);
        const size = this.mmuEnabled ? w.sizeLog2 : 12;
        holds = w.ok() && size === log2 && w.pa - (w.pa % 2 ** log2) === m.pa && w.perms === m.perms && w.global === m.global;
      }
      if (!holds) this.uninstallMapping(key);
    }
  }

  /**
   * The current ASID or a translation table base changed (TTBR0/TTBR1/CONTEXTIDR write), or
   * TLBIASID: translations of non-global mappings go, global ones stay (the kernel's, across
   * the context switches' TTBR0 writes), in the TLBs and the dispatcher.
   */
  private asidChanged(): void {
    this.mem.flushNotGlobal();
    this.requestExit();
    for (const [key, m] of this.genMaps) if (!m.global) this.uninstallMapping(key);
  }

  /** Dispatcher entries of older generations no longer match (19 bits of it in the key). */
  private newGeneration(): void {
    this.requestExit();
    // Entries of older generations never match again: their blocks count as not installed.
    for (const m of this.genMaps.values()) for (const b of m.blocks) b.dkey = 0;
    this.genMaps.clear();
    this.genSizes = 0;
    if (++this.gen === 0x40000) {
      this.gen = 1;
      this.jit?.dispatcher?.clear();
    }
    // Entries of older generations never match again (the table is cleared before gen repeats).
    if (this.jit?.dispatcher) this.jit.releaseSlots();
  }

  /**
   * TLBIMVA(A): the mapping holding `va` goes. When generated code was entered under it in
   * this generation (genMaps), running code must return and the dispatcher's entries of that
   * mapping go; the rest of the table stays valid (a new generation here made the kernel's
   * ~1,100 TLBIMVAAs near code cost ~100,000 dispatcher misses).
   */
  private flushTlbVa(va: number): void {
    this.mem.flushVa(va);
    const sizes = this.genSizes;
    if (sizes === 0) return;
    for (let b = 0; b < 20; b++) if (sizes & (1 << b)) this.uninstallMapping(mapKey(va, b + 12));
  }

  /** Removes the dispatcher entries installed under the mapping `key` (mapKey) in this generation. */
  private uninstallMapping(key: number): void {
    const m = this.genMaps.get(key);
    if (!m) return;
    this.genMaps.delete(key);
    this.requestExit();
    const disp = this.jit?.dispatcher;
    for (const b of m.blocks) {
      if (b.dkey && disp) disp.removeKey(b.block.pc, b.dkey);
      b.dkey = 0;
    }
  }

  /** CPACR changed: the W.CP10 word the wasm dispatcher computes lift environments from. */
  private cpacrChanged(): void {
    this.setCp10Word();
    this.requestExit();
  }

  private setCp10Word(): void {
    const acc = (this.cp15.cpacr >>> 20) & 3;
    this.state.i32[W.CP10] = (acc === 3 ? 1 : 0) | (acc !== 0 ? 2 : 0);
  }

  /** Makes running generated code return to the CPU loop at its next branch. */
  private requestExit(): void {
    this.state.i32[W.BUDGET] = 0;
    this.state.i32[W.EXIT_REQ] = 1;
  }

  /** The JIT target: the space's memory, the softmmu TLB, the memory port as the slow path. */
  private jitTarget(space: SysSpace): JitTarget {
    const st = this.state.i32;
    const mem = this.mem;
    mem.attachJitTlb(new Int32Array(space.memory.buffer, space.tlbBase, TLB_BYTES / 4), space.ramOffset);
    return {
      memory: space.memory,
      pages: space.pages,
      cpu: this.state,
      strategy: new SoftmmuStrategy(space.tlbBase),
      dispatchBase: space.dispatchBase,
      dispatchCtx: true,
      ...slowPaths(mem, this.state),
    };
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
    if (level && !this.irqLine) this.requestExit(); // generated code returns soon
    this.irqLine = level;
    this.state.i32[W.IRQ_LINES] = (level ? PSR_I : 0) | (this.fiqLine ? PSR_F : 0);
  }
  setFiq(level: boolean): void {
    if (level && !this.fiqLine) this.requestExit();
    this.fiqLine = level;
    this.state.i32[W.IRQ_LINES] = (this.irqLine ? PSR_I : 0) | (level ? PSR_F : 0);
  }
  get irqPending(): boolean {
    return this.irqLine;
  }

  /** Makes run() return 'stopped' at the next block boundary (PSCI SYSTEM_OFF, a debugger...). */
  stop(): void {
    this.stopRequested = true;
    this.requestExit();
  }

  /**
   * The debugger's breakpoints (virtual addresses). While there are any, blocks are lifted to
   * end before each of them, run() checks the PC against the set before every block and runs
   * them interpreted (compiled code chains blocks without that check), so nothing is written
   * into guest memory. Changing the set drops every translation (blocks lifted before did not
   * end at the new addresses); with an empty set the cost is one `Set.size` test per block.
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

  /** Drops every translation (new system registers, a debugger's new breakpoints). */
  flushCode(): void {
    for (let b of this.blocks.values()) for (; b; b = b.next!) b.dead = true;
    this.blocks.clear();
    this.byPage.clear();
    this.jit?.clear();
    this.requestExit();
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
    this.patchedPages.add(paPage);
    const dropped: SysBlock[] = [];
    for (const k of keys) this.unlink(k, (b) => b.paPage === paPage || b.paPage2 === paPage, dropped);
    this.mem.codeDropped(paPage);
    if (this.jit) {
      // Dispatcher entries of these blocks (under any environment's key) must not match any
      // more; their regions' blocks of other pages go too (to be lifted again).
      const killed: SysBlock[] = [];
      if (this.jit.forget(dropped, killed)) this.newGeneration();
      for (const b of killed) this.unlink(this.cacheKey(b), (x) => x === b, null);
      this.requestExit(); // the running region may be one of them
    }
  }

  /** The block cache's key of `b`. */
  private cacheKey(b: SysBlock): number {
    return blockKey(b.block.pc, b.block.thumb, b.block.itstate) * 16 + b.env;
  }

  /** Removes the blocks of chain `k` that `test` picks, marks them dead, lists them in `out`. */
  private unlink(k: number, test: (b: SysBlock) => boolean, out: SysBlock[] | null): void {
    let head = this.blocks.get(k);
    let prev: SysBlock | null = null;
    for (let b = head ?? null; b; b = b.next) {
      if (!test(b)) {
        prev = b;
        continue;
      }
      b.dead = true;
      out?.push(b);
      if (prev) prev.next = b.next;
      else head = b.next ?? undefined;
    }
    if (head) this.blocks.set(k, head);
    else this.blocks.delete(k);
  }

  /**
   * log2 of the size of the translation context's mapping for code at PL `pl` just
   * translated (SystemMemory.mapLog2): the mapping's for PL1 code under one larger than
   * 4 KiB, else 12 (PL0 code, whose mappings change at every context switch, stays per page;
   * so does code on a patched page (patchedPages) and code under a stage 2, whose pages need
   * not follow the stage 1 mapping's).
   */
  private ctxLog2(pl: number, paPage: number): number {
    const log2 = this.mem.mapLog2;
    return pl !== 0 && log2 > 12 && this.mem.stage2 === null && !this.patchedPages.has(paPage) ? log2 : 12;
  }

  /** The lift facts of the current state: PL, CPACR.cp10 access at it, FPEXC.EN. */
  private liftEnv(): SysLift {
    return this.liftEnvs[this.liftEnvIndex()];
  }

  /** The index of liftEnv() in liftEnvs: PL * 4 + cp10 access * 2 + FPEXC.EN. */
  private liftEnvIndex(): number {
    const st = this.state.i32;
    const pl = modePL(st[W.PSR] & PSR_M) === 0 ? 0 : 1;
    const acc = (this.cp15.cpacr >>> 20) & 3;
    const cp10 = pl === 0 ? acc === 3 : acc !== 0;
    const en = (st[W.FPEXC] & 0x40000000) !== 0;
    return pl * 4 + (cp10 ? 2 : 0) + (en ? 1 : 0);
  }

  /** The DISPATCH_CTX word for lift environment `envIdx` in this mapping generation. */
  private dispatchCtx(envIdx: number): number {
    return envIdx * 0x200 + (this.gen << 12);
  }

  /**
   * The block at the current PC for the current state (lifted if needed). Blocks without VFP
   * instructions are kept under their PL alone (environment code 8 + PL), so the kernel's
   * code is translated once for every CPACR/FPEXC state.
   */
  private entry(): SysBlock {
    const st = this.state.i32;
    const pc = st[W.PC] >>> 0;
    const thumb = st[W.T] !== 0;
    const it = thumb ? st[W.ITSTATE] & 0xff : 0;
    const envIdx = this.liftEnvIndex();
    const env = this.liftEnvs[envIdx];
    this.curEnv = envIdx;
    const paPage = this.mem.codePage(pc);
    this.curMapLog2 = this.mem.mapLog2;
    const log2 = this.ctxLog2(env.pl, paPage);
    this.curMapPerms = this.mem.mapPerms;
    this.curMapGlobal = this.mem.mapGlobal;
    const slot = ((pc >>> 1) ^ (pc >>> 13)) & (RECENT - 1);
    const info = log2 | (thumb ? 64 : 0) | (it << 7);
    if (this.recentPc[slot] === (pc | 0) && this.recentPa[slot] === paPage && (this.recentInfo[slot] & 0x7fff) === info) {
      const envCode = this.recentInfo[slot] >> 15;
      const r = this.recent[slot]!;
      if ((envCode === envIdx || envCode === 8 + env.pl) && !r.dead) return r;
    }
    const bk = blockKey(pc, thumb, it) * 16;
    if (paPage >= 0) {
      // Most code has no VFP instruction: its blocks are filed under 8 + PL, so that key first.
      for (let b = this.blocks.get(bk + 8 + env.pl); b; b = b.next!) if (b.paPage === paPage && b.mapLog2 === log2) return this.remember(slot, b);
      for (let b = this.blocks.get(bk + envIdx); b; b = b.next!) if (b.paPage === paPage && b.mapLog2 === log2) return this.remember(slot, b);
    }
    const block = liftBlock(this.mem, pc, thumb, it, { maxInsns: this.maxInsns, sys: env, stopAt: this.breakpoints.size ? this.stopAtBreakpoint : undefined });
    const e: SysBlock = { block, paPage, paPage2: -1, mapLog2: log2, ctx: -1, env: -1, dead: false, region: null, index: 0, group: null, slot: -1, dkey: 0, next: null, page: null, runs: 0 };
    if (paPage >= 0) {
      const envCode = block.usesVfp ? envIdx : 8 + env.pl;
      e.env = envCode;
      this.remember(slot, e);
      const key = bk + envCode;
      e.ctx = contextKey(paPage, pc, envCode, log2);
      // A Thumb instruction at the end of the page ends on the next one: a store there drops it.
      const last = (block.end - 1) >>> 0;
      if (block.ninsns > 0 && last >>> 12 !== pc >>> 12) e.paPage2 = this.mem.codePage(last);
      // Newest first; the oldest mapping beyond MAX_CHAIN goes.
      e.next = this.blocks.get(key) ?? null;
      let b = e;
      for (let i = 1; i < MAX_CHAIN && b.next; i++) b = b.next;
      if (b.next) {
        let installed = false;
        for (let x: SysBlock | null = b.next; x; x = x.next) {
          if (this.jit) installed = this.jit.drop(x) || installed;
          else x.dead = true;
        }
        b.next = null;
        if (installed) this.newGeneration();
      }
      this.blocks.set(key, e);
      for (const p of e.paPage2 >= 0 && e.paPage2 !== paPage ? [paPage, e.paPage2] : [paPage]) {
        let l = this.byPage.get(p);
        if (!l) this.byPage.set(p, (l = []));
        l.push(key);
      }
      this.jit?.add(e);
    }
    return e;
  }

  /** Makes `b` the block entry() finds first at `slot` of its recent table; returns it. */
  private remember(slot: number, b: SysBlock): SysBlock {
    this.recent[slot] = b;
    this.recentPc[slot] = b.block.pc;
    this.recentPa[slot] = b.paPage;
    this.recentInfo[slot] = b.mapLog2 | (b.block.thumb ? 64 : 0) | (b.block.itstate << 7) | (b.env << 15);
    return b;
  }

  /**
   * Enters the blocks just compiled in the dispatcher, those whose lift environment and
   * mapping are the current ones (what run() verifies before installing a block on a miss),
   * so going to them from generated code does not first cost a miss back to JavaScript.
   */
  private installCompiled(jit: SysJit, disp: Dispatcher): void {
    const list = jit.takeCompiled();
    const envIdx = this.liftEnvIndex();
    const env = this.liftEnvs[envIdx];
    const ctx = this.dispatchCtx(envIdx);
    for (const b of list) {
      if (b.dead || b.slot < 0 || b.dkey !== 0) continue;
      if (b.env !== envIdx && b.env !== 8 + env.pl) continue;
      if (this.mem.codePage(b.block.pc) !== b.paPage || this.ctxLog2(env.pl, b.paPage) !== b.mapLog2) continue;
      const key = dispatcherKey(b, ctx);
      disp.installKey(b.block.pc, key, b.slot, b.index);
      this.noteEntered(b.block.pc, this.mem.mapLog2, b.paPage, this.mem.mapPerms, this.mem.mapGlobal, env.pl, b);
      b.dkey = key;
    }
  }

  /**
   * Generated code is entered at `pc`, found under a mapping of 2^log2 bytes, in this
   * generation; `e` was installed in the dispatcher (see genMaps).
   */
  private noteEntered(pc: number, log2: number, paPage: number, perms: number, global: boolean, pl: number, e: SysBlock | null): void {
    const k = mapKey(pc, log2);
    let m = this.genMaps.get(k);
    if (!m) {
      const pa = paPage * 4096 - ((pc % 2 ** log2) - (pc % 4096));
      this.genMaps.set(k, (m = { blocks: [], pa, perms, global, pls: 0 }));
      this.genSizes |= 1 << (log2 - 12);
    }
    m.pls |= 1 << pl;
    if (e) m.blocks.push(e);
  }

  /**
   * The region running the block at virtual `pc` (any lift environment, any mapping), or null
   * when none is compiled: for tests and tools.
   */
  compiledRegion(pc: number, thumb = false, it = 0): RegionFn | null {
    const bk = blockKey(pc >>> 0, thumb, it) * 16;
    for (let env = 0; env < 10; env++) for (let b = this.blocks.get(bk + env) ?? null; b; b = b.next) if (!b.dead && b.region) return b.region;
    return null;
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
    // A whole number of instructions (a fractional limit never matched the 64-bit count).
    if (budget !== Infinity) budget = Math.max(0, Math.floor(budget));
    const st = this.state.i32;
    const start = this.state.icount;
    const limit = budget === Infinity ? 2 ** 62 : start + budget;
    const limLo = limit % 0x100000000;
    const limHi = Math.floor(limit / 0x100000000);
    const disp = this.jit?.dispatcher ?? null;
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
      const e = this.entry();
      let r: ExitReason;
      const jit = this.breakpoints.size === 0 ? this.jit : null;
      if (jit) {
        if (!e.region && jit.opts.threshold <= 0) {
          jit.compileNow(e);
          if (disp) this.installCompiled(jit, disp);
        }
        if (e.region && e.slot >= 0 && disp) {
          // Compiled: the wasm dispatcher runs it and whatever compiled code follows in this
          // environment and mapping generation, until a miss, an exit or EXIT_REQ.
          const ctx = this.dispatchCtx(this.curEnv);
          const key = dispatcherKey(e, ctx);
          disp.installKey(e.block.pc, key, e.slot, e.index);
          if (!e.dkey) this.noteEntered(e.block.pc, this.curMapLog2, e.paPage, this.curMapPerms, this.curMapGlobal, this.curEnv >> 2, e); // else listed already (this generation)
          e.dkey = key;
          st[W.DISPATCH_CTX] = ctx;
          st[W.EXIT_REQ] = 0;
          this.setCp10Word();
          const w = disp.run(limLo, limHi);
          jit.stats.entries++;
          if (w === MISS) {
            jit.stats.misses++;
            continue;
          }
          r = w as ExitReason;
        } else if (e.region) {
          this.noteEntered(e.block.pc, this.curMapLog2, e.paPage, this.curMapPerms, this.curMapGlobal, this.curEnv >> 2, null);
          const left = budget === Infinity ? MAX_BUDGET : budget - (this.state.icount - start);
          st[W.BUDGET] = Math.max(1, Math.min(MAX_BUDGET, left));
          r = e.region(e.index, e.slot + 1) as ExitReason;
        } else {
          const n0 = this.state.icount;
          r = this.interp.run(e.block);
          jit.stats.interpInsns += this.state.icount - n0;
          if (jit.noteRun(e) && disp) {
            this.exit(r);
            this.installCompiled(jit, disp);
            continue;
          }
        }
      } else {
        r = this.interp.run(e.block);
      }
      this.exit(r);
    }
  }

  /** A block's exit: exceptions, halts, HVC/SMC calls. */
  private exit(r: ExitReason): void {
    const st = this.state.i32;
    switch (r) {
      case Exit.NEXT:
      case Exit.SYNC:
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
