// Batches region functions into one wasm module (paying V8's per-module cost once) and
// instantiates it against the shared memory, the helper table and the slow memory paths.

import { blockKey } from '../cache.js';
import { Exit, type IRBlock } from '../ir.js';
import { W, type CpuState } from '../state.js';
import { Bytes, FuncBody, I32, isShared, ModuleBuilder, O } from '../wasm/builder.js';
import { genRegion, type ImportMap } from './codegen.js';
import { VFP_CALL_SIG, VfpCalls } from './vfp-calls.js';
import { SITE_FLAGS, type MemStrategy } from './memstrategy.js';
import { HELPER_SECTION, HELPER_SIG, HELPER_TABLE_SIZE, helperTable } from './helper-table.js';
import { MemFault, type GuestMemory } from '../interp.js';
import { noteSiteTable } from './slowexit.js';

export interface JitTarget {
  memory: WebAssembly.Memory;
  /** Memory pages the module declares for its import (min = max = current size). */
  pages: number;
  cpu: CpuState;
  strategy: MemStrategy;
  /** Linear-memory address of the wasm dispatcher's lookup table (DISPATCH_BYTES long). */
  dispatchBase?: number;
  /** The dispatcher's keys carry the state word DISPATCH_CTX (system mode; dispatch.ts). */
  dispatchCtx?: boolean;
  /**
   * Slow-path load. `site` is the access's site (memstrategy.ts `faultSite`: its Mem flags in the
   * low bits), `pc` the guest PC of its instruction. On a fault it sets the state words
   * JIT_FAULT, FAULT_ADDR, FAULT_PC and FAULT_SITE and throws JIT_FAULTED, which the region
   * function catches.
   */
  slowLoad(addr: number, site: number, pc: number): number;
  /** Slow-path store; returns BUDGET after it (genstate.ts ImportMap.slowStore); faults as slowLoad. */
  slowStore(addr: number, value: number, site: number, pc: number): number;
}

/** What a faulting slow path throws (a constant: no stack trace is captured). */
export const JIT_FAULTED = Object.freeze({ jitFault: true });

/**
 * A JitTarget's slow paths over a memory port that throws MemFault: a fault records itself in
 * the state block and throws JIT_FAULTED into generated code, whose handler leaves the region
 * with the state of the faulting instruction (codegen.ts).
 */
export function slowPaths(mem: GuestMemory, cpu: CpuState): Pick<JitTarget, 'slowLoad' | 'slowStore'> {
  const st = cpu.i32;
  const fault = (e: unknown, site: number, pc: number): never => {
    if (!(e instanceof MemFault)) throw e;
    st[W.FAULT_ADDR] = e.addr;
    st[W.FAULT_PC] = pc;
    st[W.FAULT_SITE] = site;
    st[W.JIT_FAULT] = e.kind === 'alignment' ? Exit.ALIGN_FAULT : Exit.DATA_ABORT;
    throw JIT_FAULTED;
  };
  return {
    slowLoad(addr, site, pc) {
      try {
        return mem.load(addr >>> 0, site & SITE_FLAGS);
      } catch (e) {
        return fault(e, site, pc);
      }
    },
    slowStore(addr, value, site, pc) {
      try {
        mem.store(addr >>> 0, value, site & SITE_FLAGS);
      } catch (e) {
        fault(e, site, pc);
      }
      return st[W.BUDGET];
    },
  };
}

/**
 * A region function: runs from block `entry` of its region; returns an Exit reason. `self` is
 * its funcref slot in the dispatcher + 1 (BlockEntry.slot + 1), which its indirect-branch lookup
 * needs to find its own blocks (lookup.ts); 0 or left out, every indirect branch leaves.
 */
export type RegionFn = (entry: number, self?: number) => number;

export interface CompiledModule {
  fns: RegionFn[];
  bytes: Uint8Array<ArrayBuffer>;
}

/**
 * The slow-path sites of a module, two words each: the site word (memstrategy.ts faultSite) and
 * the PC of the access's instruction; generated code passes an index into it.
 */
export type SiteTable = Int32Array;

/**
 * The function index where tier 2 puts the region it rebuilds (buildModule's `optimized`), and
 * which tier-1 modules leave to an empty function: the CLI has V8 compile this one index of every
 * module with its optimizing compiler and all others with Liftoff (`--wasm-tier-mask-for-testing`,
 * cli/v8preset.ts), so a module compiled on any thread, under flags that never change, holds
 * tier-2 code exactly where tier 2 asked for it. (V8 reads the mask for indices below 32.)
 */
export const OPTIMIZED_FUNC_INDEX = 30;

/**
 * The buffers region functions' code is written to, reused by each buildModule (the module's
 * bytes are a copy): a fresh 16 KiB buffer per region, and its growth for the larger ones, had
 * been 2% of code generation.
 */
const bodyBuffers: Bytes[] = [];

/** Builds the module bytes for `regions` (each exported as r0, r1, ...) and its site table. */
export function buildModule(
  regions: IRBlock[][],
  target: Pick<JitTarget, 'memory' | 'pages' | 'cpu' | 'strategy' | 'dispatchBase' | 'dispatchCtx'>,
  /** A name section (functions and their locals) for reading the module (--dump-region); the code is the same. */
  names = false,
  /**
   * Tier 2's form of code, named for its first part: D registers of double-precision arithmetic
   * in f64 locals (genstate.ts dLocal) and grouped access tests (groupcheck.ts). For tier 2,
   * whose few regions run long; in tier 1 the extra bytes (slow paths, the reloads around other
   * VFP calls: +2.5% on the tier-1 benchmark's code) and the planning cost V8's compile and the
   * code generator more than they gain.
   */
  vfpLocals = false,
  /**
   * Tier 2's module: its one region goes at function index OPTIMIZED_FUNC_INDEX, after empty
   * functions. Throws when the module's imports alone pass that index.
   */
  optimized = false,
  /**
   * Custom sections to write into the module (the engine ignores them): tier 2's serial number,
   * which keeps V8 from reusing the code of identical bytes it compiled before (jit/reopt.ts).
   */
  customs: readonly (readonly [string, Uint8Array])[] = [],
): { bytes: Uint8Array<ArrayBuffer>; sites: SiteTable } {
  const m = new ModuleBuilder();
  for (const [name, payload] of customs) m.customSection(name, payload);
  m.importMemory('e', 'm', target.pages, target.pages, isShared(target.memory));
  // Slow-path calls, unless the strategy's slow paths are exits (jit/slowexit.ts): an import
  // costs every instantiation a wrapper per signature.
  const calls = !target.strategy.slowExits;
  const slowLoad = calls ? m.importFunc('e', 'ld', [I32, I32], [I32]) : -1;
  const slowStore = calls ? m.importFunc('e', 'st', [I32, I32, I32], [I32]) : -1;
  const sites: number[] = [];
  // Helpers are called through the vCPU's helper table (helper-table.ts), imported when the
  // batch has a CALL.
  const helperType = regions.some((r) => r.some((b) => b.callArgs.length > 0)) ? m.type([...HELPER_SIG], [I32]) : -1;
  if (helperType >= 0) m.importTable('e', 'h', HELPER_TABLE_SIZE, HELPER_TABLE_SIZE);
  const helperIds = new Set<number>();
  if (names && calls) {
    m.nameFunction(slowLoad, 'slow_load');
    m.nameFunction(slowStore, 'slow_store');
  }
  // Tier 1's VFP operations: functions the module shares (vfp-calls.ts), after the regions
  // (which take their indices in order, the one at OPTIMIZED_FUNC_INDEX skipped by `pad`).
  let afterRegions = m.importCount;
  for (let i = 0; i < regions.length; i++) afterRegions += afterRegions === OPTIMIZED_FUNC_INDEX ? 2 : 1;
  const vfpCalls = !vfpLocals && !optimized && helperType >= 0 ? new VfpCalls(target.cpu.base, { helperType, callHelper: (f, id) => imports.callHelper(f, id), noteHelper: (id) => helperIds.add(id) }, afterRegions, OPTIMIZED_FUNC_INDEX) : null;
  const imports: ImportMap = {
    slowLoad,
    slowStore,
    site: (word: number, pc: number) => {
      // The accesses of one instruction (an LDM's, a D register's) share their site.
      const n = sites.length;
      if (n && sites[n - 2] === word && sites[n - 1] === (pc | 0)) return n / 2 - 1;
      sites.push(word, pc | 0);
      return n / 2;
    },
    callHelper: (f: FuncBody, id: number) => {
      if (helperType < 0) throw new Error(`jit: helper ${id} called from a batch without CALL ops`);
      if (id >= HELPER_TABLE_SIZE) throw new Error(`jit: helper ${id} beyond the helper table's ${HELPER_TABLE_SIZE} entries`);
      helperIds.add(id);
      f.i32(id).callIndirect(helperType);
    },
    vfpCall: vfpCalls ? (id: number, packed: number, b: number) => vfpCalls.index(id, packed, b) : undefined,
  };
  // Empty functions (never called) keep OPTIMIZED_FUNC_INDEX for tier 2's region alone.
  const pad = (upTo: number) => {
    while (m.importCount + m.funcCount < upTo) m.addFunction([I32, I32], [I32], new FuncBody(2).op(O.unreachable));
  };
  if (optimized) {
    if (regions.length !== 1 || m.importCount > OPTIMIZED_FUNC_INDEX) throw new Error(`jit: no room for tier 2's function at index ${OPTIMIZED_FUNC_INDEX}`);
    pad(OPTIMIZED_FUNC_INDEX);
  }
  const dispatch = target.dispatchBase === undefined ? undefined : { base: target.dispatchBase, ctx: target.dispatchCtx === true };
  regions.forEach((blocks, i) => {
    if (!optimized && m.importCount + m.funcCount === OPTIMIZED_FUNC_INDEX) pad(OPTIMIZED_FUNC_INDEX + 1);
    const index = new Map<number, number>();
    blocks.forEach((b, j) => index.set(blockKey(b.pc, b.thumb, b.itstate), j));
    const lookup = (pc: number, thumb: boolean, it: number) => index.get(blockKey(pc, thumb, it)) ?? -1;
    const body = genRegion(blocks, target.cpu.base, target.strategy, imports, lookup, dispatch, names, vfpLocals, (bodyBuffers[i] ??= new Bytes(16384)));
    const fn = m.addFunction([I32, I32], [I32], body);
    if (names) m.nameFunction(fn, `region${i}`);
    m.export(`r${i}`, fn);
  });
  for (const { index, body, name } of vfpCalls?.made ?? []) {
    pad(index);
    const fn = m.addFunction([...VFP_CALL_SIG.params], [...VFP_CALL_SIG.results], body);
    if (fn !== index) throw new Error(`jit: shared VFP function at ${fn}, expected ${index}`);
    if (names) m.nameFunction(fn, name);
  }
  // The helpers it calls, for instantiate to have in the table (a custom section, so modules
  // from the translation store or tier 2's worker carry it too); present exactly when the
  // module imports the table (its CALLs may all have gone inline).
  if (helperType >= 0) m.customSection(HELPER_SECTION, Uint8Array.from(helperIds));
  return { bytes: m.finish(), sites: Int32Array.from(sites) };
}

/** Compiles and instantiates `regions` synchronously; returns one function per region. */
export function compileRegions(regions: IRBlock[][], target: JitTarget, vfpLocals = false): CompiledModule {
  const { bytes, sites } = buildModule(regions, target, false, vfpLocals);
  return { fns: instantiate(bytes, regions.length, target, sites), bytes };
}

/**
 * Instantiates a module with `count` regions (r0...) and site table `sites` (buildModule)
 * against `target`: its bytes, or the module compiled from them (jit/reopt.ts).
 */
export function instantiate(code: Uint8Array | WebAssembly.Module, count: number, target: JitTarget, sites: SiteTable): RegionFn[] {
  const cpu = target.cpu;
  // (Not `instanceof WebAssembly.Module`: a module from a worker thread may come from another realm, as under jest.)
  const mod = ArrayBuffer.isView(code) ? new WebAssembly.Module(code as Uint8Array<ArrayBuffer>) : code;
  const e: Record<string, unknown> = {
    m: target.memory,
    ld: (addr: number, id: number) => target.slowLoad(addr, sites[2 * id], sites[2 * id + 1]),
    st: (addr: number, value: number, id: number) => target.slowStore(addr, value, sites[2 * id], sites[2 * id + 1]),
  };
  const used = WebAssembly.Module.customSections(mod, HELPER_SECTION);
  if (used.length) e.h = helperTable(cpu, new Uint8Array(used[0]));
  const inst = new WebAssembly.Instance(mod, { e } as WebAssembly.Imports);
  const ex = inst.exports as Record<string, RegionFn>;
  const fns: RegionFn[] = [];
  for (let i = 0; i < count; i++) {
    const fn = ex[`r${i}`];
    if (typeof fn === 'function') noteSiteTable(fn, sites);
    fns.push(fn);
  }
  return fns;
}
