// Tier 1 code generation: the lifted blocks of a region -> one wasm function
// `(entry block) -> exit reason` (genRegion). Where each IR temp lives is the temp plan's
// (tempplan.ts; the dead-set pass makes it); the region's indirect-branch lookup is lookup.ts's.
//
// State words the region touches live in wasm locals: loaded at entry, written back before
// every exit and helper call (helpers see and may change the state block), reloaded after
// (only the helper's `writes` when it declares them). Memory accesses go through a
// MemStrategy, so the flat user-mode path and the system-mode softmmu TLB share everything
// else. A faulting slow-path access throws; the region function's one `catch_all` leaves with
// the faulting instruction's state, so access sites carry no fault check.

import { HELPERS } from '../helpers.js';
import { Exit, Mem, Op, type IRBlock } from '../ir.js';
import { STATE_BYTES, W, wD, wordName } from '../state.js';
import { Bytes, F64, FuncBody, I32, I64, O, OF } from '../wasm/builder.js';
import { Kind, OpArena, ScratchI32, ScratchU8, TempArena, WordUse } from '../opt/scratch.js';
import { removeDeadSetsInto } from '../opt/deadset.js';
import { VfpInliner } from './vfp-inline.js';
import { H } from '../vfp/helpers.js';
import { foldBinary } from './fold.js';
import { emitDLoad, emitDStore, emitInPage, matchDLoad, matchDStore, type DPairCtx } from './vfp-ldst.js';
import { emitBudgetUse } from './dispatch.js';
import { EXIT_SLOW } from './slowexit.js';
import { BIN } from './binops.js';
import { emitLookup, type RegionDispatch } from './lookup.js';
import { faultSite, type MemStrategy } from './memstrategy.js';
import { planGroups, type AccessGroups } from './groupcheck.js';
import { MAX_GROUPS as MAX_LEAD_GROUPS, planLeads, type LeadGroups } from './leadgroups.js';
import { PURE_OP, inState, sameCondition, skipPure } from './tempplan.js';

/** What the code generator needs from its module: function indices of the imports. */
export interface ImportMap {
  /** Emits the call of helper `id`, its four arguments on the stack (module.ts: through the helper table). */
  callHelper(f: FuncBody, id: number): void;
  /**
   * Slow-path load: (addr, site id) -> value; on a fault records it and throws (module.ts).
   * A device read may raise an interrupt (system mode: MemStrategy.loadsMayStop), so generated
   * code reads BUDGET again after one.
   */
  slowLoad: number;
  /**
   * Slow-path store: (addr, value, site id) -> BUDGET after the store (a write to code, or a
   * device write that raised an interrupt, zeroes it); faults as slowLoad.
   */
  slowStore: number;
  /**
   * The module's id of a slow-path access site: its site word (faultSite) and its
   * instruction's PC, which the module keeps in a table (one small constant per call instead
   * of two).
   */
  site(word: number, pc: number): number;
  /**
   * Tier 1: the function index of the module's shared function for VFP helper `id` with
   * constant arguments `packed`, `b` (vfp-calls.ts), or -1 for none; absent where VFP
   * operations go inline (tier 2).
   */
  vfpCall?(id: number, packed: number, b: number): number;
}

const LOADS: Record<number, number> = { 1: O.i32_load8_u, 2: O.i32_load16_u, 4: O.i32_load };
const LOADS_S: Record<number, number> = { 1: O.i32_load8_s, 2: O.i32_load16_s, 4: O.i32_load };
const STORES: Record<number, number> = { 1: O.i32_store8, 2: O.i32_store16, 4: O.i32_store };

/** Where an in-region direct branch may go: the index of the target block, or -1. */
export type RegionLookup = (pc: number, thumb: boolean, it: number) => number;

/**
 * Generates one region function `(entry) -> exit reason` for `blocks` (DESIGN.md, "Unit of
 * compilation"): a loop around a br_table over the blocks; an exit to a constant PC that is
 * another block of the region becomes a branch back to the dispatcher instead of a return.
 * The state words the region touches stay in locals throughout. The loop leaves when the
 * instructions it ran reach the state word BUDGET, so the runtime keeps control.
 */
export function genRegion(
  blocks: IRBlock[],
  stateBase: number,
  mem: MemStrategy,
  imports: ImportMap,
  lookup: RegionLookup,
  dispatch: RegionDispatch | undefined,
  names = false,
  vfpLocals = false,
  /** The buffer the function's code is written to (emptied first). */
  code: Bytes = new Bytes(16384),
): FuncBody {
  const g = new RegionGen(blocks, stateBase, mem, imports, lookup, dispatch, vfpLocals, code);
  const f = g.gen();
  if (names) f.localNames = g.localNames();
  return f;
}

/** "Not a known constant" in the constant tracking of PC, T and ITSTATE (outside int32). */
const UNKNOWN = 2 ** 32;
const NWORDS = STATE_BYTES / 4;

/** The region's ops after the dead-set pass (opt/deadset.ts), reused region after region. */
const arena = new OpArena();
const temps = new TempArena();
const wordUse = new WordUse();

// Working arrays of the block being generated, reused from block to block (opt/scratch.ts).
/** constOf's memo (per block, reused). */
const knownS = new ScratchU8();
const knownValueS = new ScratchI32();
/** Temp -> local. */
const tlScratch = new ScratchI32();
// The region's state word -> local and D register -> f64 local maps (-1: none), emptied for
// each region: arrays of their own per region (off V8's heap) had cost ~9 µs a region.
const wordLocalS = new Int32Array(NWORDS);
const dLocalS = new Int32Array(32);

/**
 * The code generator of one region. Ops are read from the packed arena: op i of the block
 * being generated is at words (b0 + i) * 6 (op, d, a, b, c, imm).
 */
class RegionGen implements DPairCtx {
  /** Parameters: the entry block, and the region's funcref slot + 1 (0: unknown; lookup.ts). */
  readonly f: FuncBody;
  private readonly C: Int32Array;
  /** Each block's first op in the arena, and its op count. */
  private readonly starts: Int32Array;
  private readonly counts: Int32Array;
  /** Each block's base in `temps`, the dead-set pass's count of its temps' readers. */
  private readonly tempBases: Int32Array;
  /** 1 for a block that writes its own address to PC from a constant: a loop of one block. */
  private readonly selfLoops: Uint8Array;
  /**
   * Block j's loads and stores outside IF bodies are at arena slots arena.tops[topsAt[j] ..
   * topsAt[j + 1]) (leadgroups.ts plans only where there are two or more).
   */
  private readonly topsAt: Int32Array;
  private readonly vfp: VfpInliner;
  /** State word -> its local (-1: none; VFP words and FPSCR never have one). */
  private readonly wordLocal = wordLocalS.fill(-1);
  /**
   * D register -> its f64 local (-1: only in the state block). The registers that the region's
   * double-precision arithmetic and compares work on are read from locals
   * (VfpInliner.cachedForm): loaded at entry and after the VFP helper calls and inline forms
   * that work on the state block; every write goes to the local and through to the state
   * block, which so stays current for exits, faults and helpers.
   */
  private readonly dLocal = dLocalS.fill(-1);
  /** The D registers with locals. */
  private readonly dRegs: number[] = [];
  /** The words with locals, and those written, in order of first appearance. */
  private readonly words: number[] = [];
  private readonly written: number[] = [];
  // IR temps share a pool of locals, each held only from its definition to its last use
  // (fewer locals: V8's baseline compiler zero-initializes every one on each call).
  private readonly pool: number[] = [];
  private tl!: Int32Array; // temp -> local (tlScratch), for the region's temps (TempArena)
  private readonly scratch: number;
  private readonly addrTmp: number; // an access's address when its temp has no local of its own
  private readonly valueTmp: number; // a store's value, likewise
  private readonly countL: number; // guest instructions retired in this call, before the current block
  // The shared epilogue's inputs: `exit` packs the exit reason (EXIT_FAULT: a fault) and, from
  // bit 4, the instructions of the current block to add (0 for NEXT with none to add). A branch
  // to the epilogue carries a non-zero one as the value of the $word block, whose end sets it;
  // with 0 it skips that, leaving `exit` 0, as every local starts.
  private readonly exit: number;
  private readonly exitPC: number;
  private readonly exitIT: number; // the faulting instruction's ITSTATE, or -1
  // BUDGET changes while a region runs only when JavaScript zeroes it (an interrupt raised by a
  // device write, TLB maintenance, a write to code...), and JavaScript runs only in the calls
  // generated code makes: a local copy, read again after every call, serves the branches.
  private readonly budget: number;
  private selectCond = -1; // a conditional SET's condition (see IF), allocated on first use
  private hostL = -1; // a word run's host address (genWordRun), allocated on first use
  /** The op indices of the word run being generated (wordRun). */
  private readonly runOps: number[] = [];
  // DPairCtx's scratch locals.
  readonly t0: number;
  readonly t1: number;

  // The block being generated.
  block!: IRBlock;
  private k = 0;
  private b0 = 0;
  private n = 0;
  /** 1 when the block runs inside its own `loop` (it branches to itself). */
  private self = 0;
  /** `br loopDepth` at the block's top level restarts the dispatcher. */
  private loopDepth = 0;
  private ninsn = 0;
  private pc = 0;
  private itNow = -1;
  private ifDepth = 0;
  /** Tier 2's grouped access tests (groupcheck.ts): this block's groups, their answers' locals, the op being generated. */
  private readonly groupChecks: boolean;
  private groups: AccessGroups | null = null;
  private readonly covL: number[] = [];
  private groupAddr = -1;
  private access = -1;
  /** Tier 1's access groups (leadgroups.ts) of this block, and which groups' tests have been made. */
  private leads: LeadGroups | null = null;
  private readonly leadDone = new Uint8Array(MAX_LEAD_GROUPS);
  // Constant tracking for direct branches: the last PC/T/IT written (constOf: a temp's value).
  private pcConst = UNKNOWN;
  private tConst = UNKNOWN;
  private itConst = UNKNOWN;
  /** A constant PC whose SET waits for the EXIT right after it (written only where the exit leaves). */
  private deferredPC = UNKNOWN;
  // The outermost open `if`: its condition, whether its body so far leaves the flags and the
  // exits alone (then the next instruction's same condition may join it), and the IF op that
  // joined it.
  private openCond = -1;
  private openClean = false;
  private mergedIf = -1;
  /** The SET of a conditional instruction emitted as a select (see IF), or -1. */
  private selectSet = -1;
  // At IF the known values are saved (three per IF); at ENDIF a value stays known if both
  // paths agree, or is the saved one if the IF's body ended in an EXIT (a side exit such as
  // `bxeq lr`, which writes T, must not hide the constant target of a later `b`).
  private readonly saved: number[] = [];
  private readonly exited: boolean[] = [];
  // The temp plan the dead-set pass made for the region's temps (opt/scratch.ts TempArena:
  // temps numbered region-wide, positions within their blocks; tempplan.ts), the block's
  // temp base, and constOf's memo.
  private kind!: Uint8Array;
  private defAt!: Int32Array;
  private lastUse!: Int32Array;
  private freeNext!: Int32Array;
  private tb = 0;
  private known!: Uint8Array; // 0: not yet asked, 1: constant, 2: not
  private knownValue!: Int32Array;

  constructor(
    private readonly blocks: IRBlock[],
    private readonly stateBase: number,
    readonly mem: MemStrategy,
    private readonly imports: ImportMap,
    private readonly lookup: RegionLookup,
    /** The wasm dispatcher's table (lookup.ts), if any. */
    private readonly dispatch: RegionDispatch | undefined,
    /** Tier 2's form (jit/reopt.ts, tier2.ts): D registers in f64 locals (dLocal), grouped access tests (groupcheck.ts). */
    vfpLocals: boolean,
    code: Bytes,
  ) {
    code.len = 0;
    this.f = new FuncBody(2, code);
    arena.reset();
    temps.reset();
    wordUse.reset();
    this.groupChecks = vfpLocals && mem.slowExits && mem.emitGroupCheck !== undefined;
    const nb = blocks.length;
    this.starts = new Int32Array(nb);
    this.counts = new Int32Array(nb);
    this.tempBases = new Int32Array(nb);
    // The dead-set pass also notes the state words each block's kept ops use and whether it
    // branches to itself (opt/scratch.ts WordUse): a walk of its own over the region's ops had
    // been 6% of code generation; and its loads and stores outside IF bodies (arena.tops).
    const selfLoops = (this.selfLoops = new Uint8Array(nb));
    const topsAt = (this.topsAt = new Int32Array(nb + 1));
    for (let j = 0; j < nb; j++) {
      this.tempBases[j] = temps.used;
      this.starts[j] = removeDeadSetsInto(blocks[j], arena, temps, wordUse);
      this.counts[j] = arena.used - this.starts[j];
      topsAt[j + 1] = arena.ntops;
      if (wordUse.selfLoop) selfLoops[j] = 1;
    }
    const C = (this.C = arena.code);
    this.kind = temps.kind;
    this.defAt = temps.defAt;
    this.lastUse = temps.lastUse;
    this.freeNext = temps.freeNext;
    this.known = knownS.take(temps.used, 0);
    // (written before they are read: a value once `known` says so, a local at its temp's definition)
    this.knownValue = knownValueS.room(temps.used);
    this.tl = tlScratch.room(temps.used);
    const f = this.f;
    this.vfp = new VfpInliner(f, stateBase);
    // State words used and written anywhere in the region, each in a local (in the order of
    // their numbers); but the VFP registers and FPSCR stay in the state block, where inline VFP
    // code (vfp-inline.ts) and the VFP helpers work on them, so helper calls need no spills; in
    // tier 2's code (vfpLocals) the D registers of the region's double-precision arithmetic are
    // read from locals too (dLocal, found here).
    const wl = this.wordLocal;
    const use = wordUse.flags;
    for (let w = 0; w < NWORDS; w++) {
      if (use[w] === 0 || inState(w)) continue;
      wl[w] = -2;
      this.words.push(w);
      if (use[w] & WordUse.WRITTEN) this.written.push(w);
    }
    if (vfpLocals) {
      for (let j = 0; j < nb; j++) {
        const first = this.starts[j] * 6;
        for (let q = first, end = first + this.counts[j] * 6; q < end; q += 6) if (C[q] === Op.CALL && HELPERS[C[q + 5]].vfpOnly) this.noteVfpCall(blocks[j], this.tempBases[j], C, first, q);
      }
    }
    if (!(use[W.PC] & WordUse.WRITTEN)) this.written.push(W.PC); // budget exits store the PC of the next block
    // PC, T and ITSTATE are always in locals: the indirect-branch lookup reads them.
    for (const w of [W.PC, W.T, W.ITSTATE]) {
      if (wl[w] === -1) {
        wl[w] = -2;
        this.words.push(w);
      }
    }
    for (const w of this.words) wl[w] = f.local();
    this.scratch = f.local();
    this.addrTmp = f.local();
    this.valueTmp = f.local();
    this.countL = f.local();
    this.exit = f.local();
    this.exitPC = f.local();
    this.exitIT = f.local();
    this.budget = f.local();
    for (let n = 0; n < 32; n++) {
      if (this.dLocal[n] === -1) continue;
      this.dLocal[n] = f.local(F64);
      this.dRegs.push(n);
    }
    this.vfp.dLocal = this.dLocal;
    this.t0 = this.scratch;
    this.t1 = this.valueTmp;
  }

  /**
   * Names for the function's locals (--dump-region): the state words' by their registers and
   * flags, the fixed ones by their use, the IR temps' pool `tmpN`.
   */
  localNames(): Map<number, string> {
    const names = new Map<number, string>([[0, 'entry']]);
    for (const w of this.words) names.set(this.wordLocal[w], wordName(w));
    for (const n of this.dRegs) names.set(this.dLocal[n], `d${n}`);
    const fixed: [number, string][] = [
      [this.scratch, 'scratch'],
      [this.addrTmp, 'addr'],
      [this.valueTmp, 'value'],
      [this.countL, 'count'],
      [this.exit, 'exit'],
      [this.exitPC, 'exit_pc'],
      [this.exitIT, 'exit_it'],
      [this.budget, 'budget'],
      [this.selectCond, 'select_cond'],
      [this.hostL, 'host'],
    ];
    for (const [l, n] of fixed) if (l >= 0) names.set(l, n);
    for (let l = 1; l < this.f.localCount; l++) if (!names.has(l)) names.set(l, `tmp${l}`);
    return names;
  }

  /** Memarg offset (from address 0) of state word `w`. */
  wordAddr(w: number): number {
    return this.stateBase + 4 * w;
  }

  private readBudget(): void {
    this.f.i32(0).mem(O.i32_load, 2, this.wordAddr(W.BUDGET)).set(this.budget);
  }


  private loadWords(): void {
    const f = this.f;
    for (const w of this.words) f.i32(0).mem(O.i32_load, 2, this.wordAddr(w)).set(this.wordLocal[w]);
  }

  private writeBack(): void {
    const f = this.f;
    for (const w of this.written) f.i32(0).get(this.wordLocal[w]).mem(O.i32_store, 2, this.wordAddr(w));
  }

  /**
   * Pushes state word `w`: its local, or (VFP words, FPSCR) a load from the state block, which
   * holds the D registers kept in locals too (written through).
   */
  private getWord(w: number): void {
    if (inState(w)) this.f.i32(0).mem(O.i32_load, 2, this.wordAddr(w));
    else this.f.get(this.wordLocal[w]);
  }

  /** The f64 local of the D register holding VFP state word `w`, or -1. */
  dLocalOf(w: number): number {
    return w >= W.VFP && w < W.VFP + 64 ? this.dLocal[(w - W.VFP) >>> 1] : -1;
  }

  /**
   * A VFP CALL of block op `q` (arena words from `first`): the D registers its inline form
   * works on in locals, when its arguments are constants (CONST ops before it) and it has such
   * a form, get locals (marked -2 until allocated). `tb`: the block's temp base.
   */
  private noteVfpCall(block: IRBlock, tb: number, C: Int32Array, first: number, q: number): void {
    const args = block.callArgs[C[q + 4]];
    const a = args.length < 2 ? undefined : constBefore(C, first, q, tb + args[0]);
    const b = a === undefined ? undefined : constBefore(C, first, q, tb + args[1]);
    const regs = vfpRegs;
    if (a === undefined || b === undefined || VfpInliner.cachedForm(C[q + 5], a, b, regs) < 0) return;
    for (const n of regs) this.dLocal[n] = -2;
  }

  /** D registers' locals from the state block (all, or those in `only`). */
  private loadD(only?: readonly number[]): void {
    const f = this.f;
    for (const n of only ?? this.dRegs) {
      const l = this.dLocal[n];
      if (l >= 0) f.i32(0).mem(OF.f64_load, 3, this.wordAddr(wD(n))).set(l);
    }
  }

  gen(): FuncBody {
    const f = this.f;
    const blocks = this.blocks;
    this.loadWords();
    this.loadD();
    this.readBudget();
    f.get(0).set(this.scratch);

    // Blocks 0..n-1 are the region's; "block" n is the lookup of an indirect branch target.
    const n = blocks.length;
    // Every exit branches to the shared epilogue: out of $epi when its `exit` word is 0 (NEXT,
    // nothing to add), else out of $word carrying the word, which $word's end stores.
    f.open(O.block); // $epi
    f.open(O.block, I32); // $word
    // A faulting slow-path access throws (module.ts slowPaths); the handler after the loop
    // leaves with the faulting instruction's state, so access sites need no check of their own.
    // With slow-path exits there are no slow-path calls, and a plain block stands in for the try.
    const calls = !this.mem.slowExits;
    f.open(calls ? O.try : O.block, I32);
    f.open(O.loop);
    for (let k = n; k >= 0; k--) f.open(O.block);
    const depths: number[] = [];
    for (let j = 0; j <= n; j++) depths.push(j);
    f.get(this.scratch).brTable(depths, n);

    for (let k = 0; k < n; k++) this.genBlock(k);
    f.end(); // close "block" n: the indirect-branch lookup follows
    const wl = this.wordLocal;
    // at the loop's top level: no block's loop or `if` around it
    this.loopDepth = 0;
    this.ifDepth = 0;
    const missDepth = this.epilogueDepth(0) + 1; // $epi, past $word: `exit` stays 0
    emitLookup(f, blocks, this.dispatch, this.wordAddr(W.DISPATCH_CTX), wl[W.PC], wl[W.T], wl[W.ITSTATE], 1, this.scratch, this.addrTmp, this.valueTmp, missDepth);
    f.end(); // loop
    f.op(O.unreachable);
    // A slow-path access faulted (anything else thrown is not ours: rethrown): leave as after
    // the faulting instruction's predecessors, with its PC and ITSTATE (FAULT_PC, FAULT_SITE).
    const { exit, exitPC, exitIT } = this;
    if (calls) {
      f.op(O.catch_all);
      f.i32(0).mem(O.i32_load, 2, this.wordAddr(W.JIT_FAULT)).op(O.i32_eqz).open(O.if).op(O.rethrow).code.uleb(1);
      f.end();
      f.i32(0).mem(O.i32_load, 2, this.wordAddr(W.FAULT_PC)).set(exitPC);
      // exit = instruction index << 4 | EXIT_FAULT; exitIT = ITSTATE + 1 - 1
      f.i32(0).mem(O.i32_load, 2, this.wordAddr(W.FAULT_SITE)).tee(exitIT).i32(3).op(O.i32_shr_u).i32(0x1ff << 4).op(O.i32_and).i32(EXIT_FAULT).op(O.i32_or).set(exit);
      f.get(exitIT).i32(16).op(O.i32_shr_u).i32(1).op(O.i32_sub).set(exitIT);
      f.get(exit);
    }
    f.end(); // try (or its block)
    f.end(); // $word
    f.set(exit);
    f.end(); // $epi
    // The epilogue: state back to memory, instructions counted (ICOUNT up, BUDGET down), faults completed.
    this.writeBack();
    const count = this.countL;
    // count += the current block's instructions retired (exit >> 4), but a slow-path exit
    // holds its site there (JavaScript counts its instructions: jit/slowexit.ts)
    f.get(count).get(exit).i32(4).op(O.i32_shr_u);
    if (this.mem.slowExits) f.i32(0).get(exit).i32(15).op(O.i32_and).i32(EXIT_SLOW).op(O.i32_ne).op(O.select);
    f.op(O.i32_add).set(count);
    f.i32(0).i32(0).mem(O.i64_load, 3, this.wordAddr(W.ICOUNT_LO));
    f.get(count).op(O.i64_extend_i32_u).op(0x7c /* i64.add */).mem(O.i64_store, 3, this.wordAddr(W.ICOUNT_LO));
    emitBudgetUse(f, this.stateBase, count);
    // A slow-path exit returns whole: its site and reason.
    if (this.mem.slowExits) f.get(exit).i32(15).op(O.i32_and).i32(EXIT_SLOW).op(O.i32_eq).open(O.if).get(exit).op(O.return).end();
    f.get(exit).i32(15).op(O.i32_and).tee(exit).i32(EXIT_FAULT).op(O.i32_eq).open(O.if);
    f.i32(0).get(exitPC).mem(O.i32_store, 2, this.wordAddr(W.PC));
    f.i32(0).get(exitPC).mem(O.i32_store, 2, this.wordAddr(W.FAULT_PC));
    f.get(exitIT).i32(0).op(O.i32_ge_s).open(O.if).i32(0).get(exitIT).mem(O.i32_store, 2, this.wordAddr(W.ITSTATE)).end();
    f.i32(0).mem(O.i32_load, 2, this.wordAddr(W.JIT_FAULT)).set(exit);
    f.i32(0).i32(0).mem(O.i32_store, 2, this.wordAddr(W.JIT_FAULT));
    f.end();
    f.get(exit);
    return f;
  }

  /** Word `w` was written with constant `v` (UNKNOWN: not a constant). */
  private noteWrite(w: number, v: number): void {
    if (w === W.PC) this.pcConst = v;
    else if (w === W.T) this.tConst = v;
    else if (w === W.ITSTATE) this.itConst = v;
  }

  /** `br` depth, from the top level of this block's code, to the start of block m > k (or the lookup, m = n). */
  private forward(m: number): number {
    return m - this.k - 1 + this.self;
  }

  /** `br` depth of the epilogue's $word block from the top level of this block's code, `extra` levels deeper ($epi: one more). */
  private epilogueDepth(extra: number): number {
    return this.loopDepth + this.ifDepth + 2 + extra;
  }

  /** To the epilogue from the top level of this block's code, `extra` levels deeper, with its `exit` word. */
  private toEpilogue(reason: number, insns: number, extra: number): void {
    const word = (insns << 4) | reason;
    if (word === 0) this.f.br(this.epilogueDepth(extra) + 1);
    else this.f.i32(word).br(this.epilogueDepth(extra));
  }

  /** Pushes a slow-path access's last argument: its site id (ImportMap.site: faultSite and its instruction's PC). */
  private slowArgs(flags: number): void {
    if (this.ninsn - 1 > 0x1ff) throw new Error('codegen: a block of more than 512 instructions');
    this.f.i32(this.imports.site(faultSite(flags, this.ninsn - 1, this.itNow), this.pc));
  }

  /** The slow-path load of the address on the stack; leaves the value (DPairCtx too). */
  slowLoadCall(flags: number): void {
    this.slowArgs(flags);
    this.f.call(this.imports.slowLoad);
  }

  /** The slow-path store of the address and value on the stack; its result is BUDGET (ImportMap.slowStore). */
  slowStoreCall(flags: number): void {
    this.slowArgs(flags);
    this.f.call(this.imports.slowStore).set(this.budget);
  }

  /**
   * With a strategy whose slow paths are exits (jit/slowexit.ts): the single access's
   * slow-path test (`known`: its constant address) and, when it holds, the exit, before the
   * instruction; true if emitted (the access follows unguarded), false for the slow-path call
   * instead.
   */
  private slowCheck(addr: number, flags: number, write: boolean, known: number | undefined): boolean {
    return this.mem.slowExits && this.spanCheck(addr, flags, write, flags & Mem.SIZE_MASK, known);
  }

  /**
   * The fast-path test of an access whose `bytes` from guest address `addr` (a local) must all
   * lie in its page (a word run, a D register's pair): with slow-path exits, the exit before
   * the instruction when it fails, true (the access follows unguarded); else the condition
   * left on the stack for the caller's `if`, false.
   */
  spanCheck(addr: number, flags: number, write: boolean, bytes: number, known?: number): boolean {
    const mem = this.mem;
    const f = this.f;
    if (!mem.slowExits) {
      mem.emitFastCheck(f, addr, flags, write, this.block, known);
      emitInPage(f, addr, bytes);
      return false;
    }
    if (this.leads && this.leadTest(addr, flags, bytes)) return true;
    const grouped = this.openGroup(addr);
    this.slowExitWord(flags);
    if (mem.emitSlowCheck) mem.emitSlowCheck(f, addr, flags, write, bytes, this.pc);
    else {
      mem.emitFastCheck(f, addr, flags, write, this.block, known);
      emitInPage(f, addr, bytes);
      f.op(O.i32_eqz);
    }
    this.exitIf(grouped);
    if (grouped) f.end();
    return true;
  }

  /**
   * When the access being generated (op `access`, its `bytes` from local `addr`) belongs to a
   * tier-1 group (leadgroups.ts): the first makes the group's test, with the slow exit before
   * its instruction; true (no test of its own needed) when a test made so far covers its bytes.
   */
  private leadTest(addr: number, flags: number, bytes: number): boolean {
    const L = this.leads!;
    const i = this.access;
    const g = L.groupOf[i];
    if (g < 0) return false;
    const covered = L.at[i] + bytes <= L.span[g];
    if (L.lead[g] === i) {
      const f = this.f;
      this.slowExitWord(flags);
      let start = addr;
      if (L.delta[g] !== 0) {
        f.get(addr).i32(L.delta[g]).op(O.i32_add).set(this.groupAddr);
        start = this.groupAddr;
      }
      this.mem.emitRangeCheck!(f, start, addr, L.reads[g] !== 0, L.writes[g] !== 0, L.amask[g], L.span[g]);
      this.exitIf();
      this.leadDone[g] = 1;
      return covered;
    }
    // (a lead inside a word run, after its first word, made no test of its own)
    return this.leadDone[g] === 1 && covered;
  }

  /**
   * When the access being generated (op `access`) belongs to a group (groupcheck.ts): its
   * first access makes the group's test from its own address `addr` (a local); each opens an
   * `if` on the answer being no, in which its own test follows. True if opened.
   */
  private openGroup(addr: number): boolean {
    const G = this.groups;
    const g = G ? G.groupOf[this.access] : -1;
    if (g < 0) return false;
    const f = this.f;
    if (G!.lead[g] === this.access) {
      f.get(addr).i32(G!.delta[g]).op(O.i32_add).set(this.groupAddr);
      this.mem.emitGroupCheck!(f, this.groupAddr, G!.reads[g], G!.writes[g], G!.amask[g], G!.span[g]);
      f.set(this.covL[g]);
    }
    f.get(this.covL[g]).op(O.i32_eqz).open(O.if);
    return true;
  }

  /**
   * Pushes the epilogue's `exit` word of a slow-path exit before the current instruction
   * (jit/slowexit.ts: EXIT_SLOW and the access's site), ahead of the test exitIf takes.
   */
  private slowExitWord(flags: number): void {
    const site = this.imports.site(faultSite(flags, this.ninsn - 1, this.itNow), this.pc);
    if (site >= 1 << 27) throw new Error('codegen: too many slow-path sites in a module');
    this.f.i32((site << 4) | EXIT_SLOW);
  }

  /**
   * Consumes an i32 test above slowExitWord's word: when non-zero, the epilogue with that word;
   * else the word is dropped. A `br_if` carrying a value, not an `if` around a `br`: Liftoff
   * copies and merges its whole state of locals at each `if` and its `end` (one region's
   * function has 25-50 locals), and drops the constant word without emitting anything.
   * `inGroup`: inside openGroup's `if`.
   */
  private exitIf(inGroup = false): void {
    this.f.brIf(this.epilogueDepth(inGroup ? 1 : 0)).op(O.drop);
  }

  /** After a code path's slow-path loads: BUDGET again where a device read may have zeroed it (ImportMap.slowLoad). */
  afterSlowLoads(): void {
    if (this.mem.loadsMayStop) this.readBudget();
  }

  /** After a helper that may trap (at the block's level, `depth` 1): leave if it faulted. */
  private faultCheck(depth = 1): void {
    const f = this.f;
    f.i32(0).mem(O.i32_load, 2, this.wordAddr(W.JIT_FAULT)).open(O.if);
    f.i32(this.pc).set(this.exitPC).i32(this.itNow).set(this.exitIT);
    this.toEpilogue(EXIT_FAULT, this.ninsn - 1, depth);
    f.end();
  }

  /** Gives back the locals of the temps that ops from+1..to read last (a pattern's later ops, skipped). */
  private consume(from: number, to: number): void {
    const { freeNext, defAt, pool, tl, b0 } = this;
    const freeHead = arena.freeHead;
    for (let j = from + 1; j <= to; j++) for (let x = freeHead[b0 + j]; x >= 0; x = freeNext[x]) if (defAt[x] <= from) pool.push(tl[x]);
  }

  /** Word offset in the arena of op `i` of the block. */
  private at(i: number): number {
    return (this.b0 + i) * 6;
  }

  /** Pushes the value of temp `x`: a constant, a state word's local, an inlined expression or its local. */
  private val(x: number): void {
    switch (this.kind[x]) {
      case Kind.CONST:
        this.f.i32(this.C[this.at(this.defAt[x]) + 5]);
        break;
      case Kind.ALIAS:
        this.getWord(this.C[this.at(this.defAt[x]) + 5]);
        break;
      case Kind.INLINE:
        this.expr(this.defAt[x]);
        break;
      default:
        this.f.get(this.tl[x]);
    }
  }

  /** A local holding temp `x` (for operands read more than once): its own, a word's, or `spare`. */
  private inLocal(x: number, spare: number): number {
    const kd = this.kind[x];
    if (kd === Kind.LOCAL) return this.tl[x];
    if (kd === Kind.ALIAS) {
      const w = this.C[this.at(this.defAt[x]) + 5];
      if (!inState(w)) return this.wordLocal[w];
    }
    this.val(x);
    this.f.set(spare);
    return spare;
  }

  /** The value of temp `x` if it is a constant or a pure op on constants (fold.ts), memoized. */
  private constOf(x: number): number | undefined {
    const kd = this.kind[x];
    if (kd === Kind.CONST) return this.C[this.at(this.defAt[x]) + 5];
    const known = this.known;
    if (known[x] !== 0) return known[x] === 1 ? this.knownValue[x] : undefined;
    known[x] = 2;
    const di = this.defAt[x];
    if (di < 0 || kd === Kind.ALIAS) return undefined;
    const q = this.at(di);
    const op = this.C[q];
    if (BIN[op] === undefined) return undefined;
    const a = this.constOf(this.C[q + 2]);
    const b = a === undefined ? undefined : this.constOf(this.C[q + 3]);
    if (b === undefined) return undefined;
    known[x] = 1;
    return (this.knownValue[x] = foldBinary(op, a!, b)!);
  }

  /** Pushes the result of pure op `i`. */
  private expr(i: number): void {
    const f = this.f;
    const C = this.C;
    const q = this.at(i);
    const op = C[q];
    const oa = C[q + 2];
    const ob = C[q + 3];
    const bin = BIN[op];
    if (bin !== undefined) {
      const ka = this.constOf(oa);
      const kb = this.constOf(ob);
      if (ka !== undefined && kb !== undefined) {
        f.i32(foldBinary(op, ka, kb)!);
        return;
      }
      if (op === Op.ROR) {
        // Two shifts and an OR: V8's baseline compiler calls out to C for i32.rotr. Counts
        // are taken mod 32 by both (x << -n is x << (32 - n)). ROR's operands are never
        // inlined (READS_ONCE), so reading them twice costs a local.get.
        if (kb !== undefined && (kb & 31) === 0) {
          this.val(oa);
          return;
        }
        this.val(oa);
        if (kb !== undefined) f.i32(kb & 31);
        else this.val(ob);
        f.op(O.i32_shr_u);
        this.val(oa);
        if (kb !== undefined) f.i32(32 - (kb & 31));
        else {
          f.i32(0);
          this.val(ob);
          f.op(O.i32_sub);
        }
        f.op(O.i32_shl).op(O.i32_or);
        return;
      }
      // (x + K1) + K2, the inner sum inlined here: x + (K1 + K2).
      if (op === Op.ADD && kb !== undefined && this.kind[oa] === Kind.INLINE) {
        const qi = this.at(this.defAt[oa]);
        if (C[qi] === Op.ADD) {
          const k1b = this.constOf(C[qi + 3]);
          const k1a = k1b === undefined ? this.constOf(C[qi + 2]) : undefined;
          if (k1b !== undefined || k1a !== undefined) {
            this.val(k1b !== undefined ? C[qi + 2] : C[qi + 3]);
            const sum = ((k1b ?? k1a!) + kb) | 0;
            if (sum !== 0) f.i32(sum).op(O.i32_add);
            return;
          }
        }
      }
      if (op === Op.EQ && kb === 0) {
        // x == 0: eqz; (a - b) == 0, the difference inlined here (a CMP's Z): a == b.
        const qd = this.kind[oa] === Kind.INLINE ? this.at(this.defAt[oa]) : -1;
        if (qd >= 0 && C[qd] === Op.SUB) {
          const da = this.constOf(C[qd + 2]);
          const db = this.constOf(C[qd + 3]);
          if (da !== undefined) f.i32(da);
          else this.val(C[qd + 2]);
          if (db !== undefined) f.i32(db);
          else this.val(C[qd + 3]);
          f.op(O.i32_eq);
        } else {
          this.val(oa);
          f.op(O.i32_eqz);
        }
        return;
      }
      if (ka !== undefined) f.i32(ka);
      else this.val(oa);
      if (kb !== undefined) f.i32(kb);
      else this.val(ob);
      f.op(bin);
      return;
    }
    switch (op) {
      case Op.CONST:
        f.i32(C[q + 5]);
        break;
      case Op.GET:
        this.getWord(C[q + 5]);
        break;
      case Op.MULHU:
      case Op.MULHS: {
        const ext = op === Op.MULHU ? O.i64_extend_i32_u : O.i64_extend_i32_s;
        this.val(oa);
        f.op(ext);
        this.val(ob);
        f.op(ext).op(O.i64_mul).i64(32).op(O.i64_shr_u).op(O.i32_wrap_i64);
        break;
      }
      case Op.UDIV:
        // b == 0 ? 0 : a / b, without wasm's trap
        f.i32(0);
        this.val(oa);
        this.val(ob);
        this.val(ob);
        f.op(O.i32_eqz).op(O.i32_or).op(O.i32_div_u);
        this.val(ob);
        f.op(O.i32_eqz).op(O.select);
        break;
      case Op.SDIV:
        // b == 0 ? 0 : b == -1 ? -a : a / b  (INT_MIN / -1 wraps to INT_MIN, as on ARM)
        f.i32(0);
        this.val(oa);
        f.op(O.i32_sub); // -a
        this.val(oa); // a / (b in {-1, 0} ? 1 : b)
        f.i32(1);
        this.val(ob);
        this.val(ob);
        f.i32(1).op(O.i32_add).i32(1).op(O.i32_le_u).op(O.select);
        f.op(O.i32_div_s);
        this.val(ob);
        f.i32(-1).op(O.i32_eq).op(O.select); // b == -1 ? -a : quotient
        f.i32(0);
        this.val(ob);
        f.op(O.select); // b != 0 ? that : 0
        break;
      case Op.CLZ:
        this.val(oa);
        f.op(O.i32_clz);
        break;
      case Op.SELECT:
        this.val(ob);
        this.val(C[q + 4]);
        this.val(oa);
        f.op(O.select);
        break;
      case Op.SEXT8:
        this.val(oa);
        f.op(O.i32_extend8_s);
        break;
      case Op.SEXT16:
        this.val(oa);
        f.op(O.i32_extend16_s);
        break;
      case Op.BSWAP:
        // x >>> 24 | (x & 0xff00) << 8 | (x >>> 8) & 0xff00 | x << 24 (shifts: see ROR)
        this.val(oa);
        f.i32(24).op(O.i32_shr_u);
        this.val(oa);
        f.i32(0xff00).op(O.i32_and).i32(8).op(O.i32_shl).op(O.i32_or);
        this.val(oa);
        f.i32(8).op(O.i32_shr_u).i32(0xff00).op(O.i32_and).op(O.i32_or);
        this.val(oa);
        f.i32(24).op(O.i32_shl).op(O.i32_or);
        break;
      default:
        throw new Error(`codegen: op ${op} is not pure`);
    }
  }

  /** Block k of the region: its code follows the end of its dispatcher `block`. */
  private genBlock(k: number): void {
    const f = this.f;
    const block = (this.block = this.blocks[k]);
    this.k = k;
    const b0 = (this.b0 = this.starts[k]);
    const nops = (this.n = this.counts[k]);
    const C = this.C;
    f.end(); // close block $b_k: its code follows
    // A block that may branch to itself (a tight loop) runs inside its own `loop`, so its
    // back edge skips the dispatcher's br_table.
    const self = (this.self = this.selfLoops[k]);
    if (self) f.open(O.loop);
    this.loopDepth = this.blocks.length - k + self;
    this.ninsn = 0;
    this.pc = block.pc;
    this.itNow = -1;
    this.ifDepth = 0;
    this.pcConst = UNKNOWN;
    this.deferredPC = UNKNOWN;
    this.openCond = -1;
    this.openClean = false;
    this.mergedIf = -1;
    this.selectSet = -1;
    this.tConst = block.thumb ? 1 : 0;
    this.itConst = block.itstate;
    // (empty after a block whose IFs all closed: setting an array's length calls into V8's runtime)
    if (this.exited.length !== 0) {
      this.saved.length = 0;
      this.exited.length = 0;
    }

    this.tb = this.tempBases[k];
    const { kind, lastUse, freeNext, pool, tl } = this;
    const freeHead = arena.freeHead;
    const groups = (this.groups = this.groupChecks ? planGroups(C, b0, nops, this.defAt) : null);
    const span = !this.groupChecks && this.mem.slowExits && this.mem.rangeSpan ? this.mem.rangeSpan(block.pc) : 0;
    const tops = this.topsAt;
    this.leads = span > 0 && tops[k + 1] - tops[k] > 1 ? planLeads(C, b0, nops, this.defAt, arena.tops, tops[k], tops[k + 1], span) : null;
    if (this.leads) {
      this.leadDone.fill(0);
      if (this.groupAddr < 0) this.groupAddr = f.local();
    }
    if (groups) {
      // No group has been tested yet (a test inside an IF may not run).
      while (this.covL.length < groups.count) this.covL.push(f.local());
      if (this.groupAddr < 0) this.groupAddr = f.local();
      for (let g = 0; g < groups.count; g++) f.i32(0).set(this.covL[g]);
    }

    for (let i = 0; i < nops; i++) {
      const q = (b0 + i) * 6;
      const op = C[q];
      const d = C[q + 1];
      // Temps read for the last time here give their locals back; then the result takes one.
      for (let x = freeHead[b0 + i]; x >= 0; x = freeNext[x]) pool.push(tl[x]);
      if (d >= 0) {
        if (kind[d] !== Kind.LOCAL) continue; // emitted where it is used
        if (lastUse[d] < 0 && PURE_OP[op]) continue; // never read
        tl[d] = pool.pop() ?? f.local();
        if (lastUse[d] < 0) pool.push(tl[d]); // never read: free after this op
        if (PURE_OP[op]) {
          this.expr(i);
          f.set(tl[d]);
          continue;
        }
      }
      switch (op) {
        case Op.SET:
          this.genSet(i, q);
          break;
        case Op.LOAD:
          i = this.genLoad(i, q);
          break;
        case Op.STORE:
          i = this.genStore(i, q);
          break;
        case Op.CALL:
          this.genCall(i, q);
          break;
        case Op.IF:
          this.genIf(i, q);
          break;
        case Op.ENDIF:
          this.genEndif(i);
          break;
        case Op.INSN:
          this.ninsn++;
          this.pc = C[q + 5];
          this.itNow = C[q + 4];
          break;
        case Op.EXIT:
          this.genExit(C[q + 5]);
          break;
        default:
          throw new Error(`codegen: op ${op} not handled`);
      }
    }
    f.op(O.unreachable);
    if (self) f.end();
  }

  private genSet(i: number, q: number): void {
    const f = this.f;
    const C = this.C;
    const w = C[q + 5];
    const a = C[q + 2];
    if (i === this.selectSet) {
      this.val(a);
      this.getWord(w);
      f.get(this.selectCond).op(O.select).set(this.wordLocal[w]);
      return;
    }
    if (w === W.N || w === W.Z || w === W.C || w === W.V) this.openClean = false;
    const v = this.constOf(a);
    if (w === W.PC && v !== undefined && i + 1 < this.n && C[q + 6] === Op.EXIT) {
      // A constant PC right before its exit is written on the way out only: a direct
      // branch that stays in the region needs no PC (see genExit).
      this.pcConst = v;
      this.deferredPC = v;
      return;
    }
    if (inState(w)) {
      f.i32(0);
      this.val(a);
      f.mem(O.i32_store, 2, this.wordAddr(w));
      // Half of a D register kept in a local: the local again from the whole register.
      if (this.dLocalOf(w) >= 0) this.loadD([(w - W.VFP) >>> 1]);
    } else {
      this.val(a);
      f.set(this.wordLocal[w]);
    }
    this.noteWrite(w, v ?? UNKNOWN);
  }

  /**
   * The word accesses of one instruction from op i on that go at addresses a, a + 4, a + 8...
   * (LDM, STM, PUSH, POP; a: op i's address temp), of one kind and the same flags. Between
   * two of them only pure ops that need no local, and the next one's address (ADD a, #4k, read
   * by that access alone); a store's value must be a constant, a state word's local or a temp
   * defined before the run. Lists their op indices in `runOps`; returns how many (1: no run).
   */
  private wordRun(i: number, q: number): number {
    const C = this.C;
    const op = C[q];
    const flags = C[q + 5];
    const runOps = this.runOps;
    runOps[0] = i;
    if ((flags & (Mem.SIZE_MASK | Mem.ALIGN | Mem.ALIGN8)) !== (4 | Mem.ALIGN)) return 1;
    const a0 = C[q + 2];
    const { kind, lastUse, defAt } = this;
    if (op === Op.STORE && !this.runValue(C[q + 3], i)) return 1;
    let n = 1;
    let pending = -1; // a temp with a local of its own defined since the last access
    for (let j = i + 1; j < this.n; j++) {
      const qj = this.at(j);
      const oj = C[qj];
      if (PURE_OP[oj]) {
        const d = C[qj + 1];
        if (d >= 0 && kind[d] === Kind.LOCAL && lastUse[d] >= 0) {
          if (pending >= 0) break;
          pending = d;
        }
        continue;
      }
      if (oj !== op || C[qj + 5] !== flags) break;
      // Its address: ADD a0, #4n, read by this access alone (the only local defined since the last).
      const t = C[qj + 2];
      if (pending >= 0 && pending !== t) break;
      if (kind[t] === Kind.LOCAL && lastUse[t] !== j) break;
      const x = defAt[t];
      if (x < 0) break;
      const qx = this.at(x);
      if (C[qx] !== Op.ADD || C[qx + 2] !== a0 || this.constOf(C[qx + 3]) !== 4 * n) break;
      if (op === Op.STORE && !this.runValue(C[qj + 3], i)) break;
      runOps[n++] = j;
      pending = -1;
    }
    return n;
  }

  /** Can a word run from op `i` on read temp `x` as a store's value (see wordRun)? */
  private runValue(x: number, i: number): boolean {
    const kd = this.kind[x];
    return kd === Kind.CONST || kd === Kind.ALIAS || (kd === Kind.LOCAL && this.defAt[x] < i);
  }

  /**
   * A run of `n` word accesses (wordRun): one fast-path check for all of them (the first
   * passes and the last is on its page: a pass holds for the whole page, see MemStrategy),
   * then each access at host + 4k; else each in turn through the slow path, as they would have
   * gone one by one. Returns the index of the run's last op.
   */
  private genWordRun(n: number, store: boolean): number {
    const f = this.f;
    const C = this.C;
    const ops = this.runOps;
    const q0 = this.at(ops[0]);
    const flags = C[q0 + 5];
    const a0 = C[q0 + 2];
    let addr = this.inLocal(a0, this.addrTmp);
    if (!store && this.kind[a0] === Kind.LOCAL && this.lastUse[a0] === ops[0]) {
      // Read last by the first access (LDRD computes its second address first): its local
      // went back to the pool at this op, and a value may take it before the slow path reads it.
      f.get(addr).set(this.addrTmp);
      addr = this.addrTmp;
    }
    const k = this.constOf(a0);
    if (!store) {
      // The values' locals (the first has its own already).
      for (let j = 1; j < n; j++) {
        const d = C[this.at(ops[j]) + 1];
        this.tl[d] = this.pool.pop() ?? f.local();
        if (this.lastUse[d] < 0) this.pool.push(this.tl[d]);
      }
    }
    if (this.hostL < 0) this.hostL = f.local();
    const exits = this.spanCheck(addr, flags, store, 4 * n, k);
    if (!exits) f.open(O.if);
    this.mem.emitHost(f, addr, this.block, flags, k);
    f.set(this.hostL);
    for (let j = 0; j < n; j++) {
      const qj = this.at(ops[j]);
      f.get(this.hostL);
      if (store) {
        this.val(C[qj + 3]);
        f.mem(O.i32_store, 0, 4 * j);
      } else f.mem(O.i32_load, 0, 4 * j).set(this.tl[C[qj + 1]]);
    }
    if (exits) {
      this.consume(ops[0], ops[n - 1]);
      return ops[n - 1];
    }
    f.op(O.else);
    for (let j = 0; j < n; j++) {
      const qj = this.at(ops[j]);
      f.get(addr);
      if (j) f.i32(4 * j).op(O.i32_add);
      if (store) {
        this.val(C[qj + 3]);
        this.slowStoreCall(flags);
      } else {
        this.slowLoadCall(flags);
        f.set(this.tl[C[qj + 1]]);
      }
    }
    if (!store) this.afterSlowLoads();
    f.end();
    // The locals of temps from before the run read for the last time inside it go back to the
    // pool (the addresses defined inside it never had one; the values are read after it).
    const last = ops[n - 1];
    this.consume(ops[0], last);
    return last;
  }

  /** A LOAD (op i); returns the index of the last op it consumed. */
  private genLoad(i: number, q: number): number {
    const f = this.f;
    this.access = i;
    const C = this.C;
    const flags = C[q + 5];
    const oa = C[q + 2];
    const d = C[q + 1];
    const dw = matchDLoad(C, this.b0, this.n, i, this.defAt, this.lastUse);
    if (dw >= 0) {
      emitDLoad(this, this.inLocal(oa, this.addrTmp), flags, dw);
      this.consume(i, i + 3);
      return i + 3;
    }
    const run = this.wordRun(i, q);
    if (run > 1) return this.genWordRun(run, false);
    const size = flags & Mem.SIZE_MASK;
    const signed = (flags & Mem.SIGNED) !== 0;
    const addr = this.inLocal(oa, this.addrTmp);
    const k = this.constOf(oa);
    if (this.slowCheck(addr, flags, false, k)) {
      this.mem.emitHost(f, addr, this.block, flags, k);
      f.mem((signed ? LOADS_S : LOADS)[size], 0, 0);
    } else {
      this.mem.emitFastCheck(f, addr, flags, false, this.block, k);
      f.open(O.if, I32);
      this.mem.emitHost(f, addr, this.block, flags, k);
      f.mem((signed ? LOADS_S : LOADS)[size], 0, 0);
      f.op(O.else);
      f.get(addr);
      this.slowLoadCall(flags);
      this.afterSlowLoads();
      f.end();
    }
    const qn = q + 6;
    if (d >= 0 && i + 1 < this.n && C[qn] === Op.SET && C[qn + 2] === d && this.lastUse[d] === i + 1 && !inState(C[qn + 5])) {
      // `SET word, t` right after, its only reader: the value goes straight to the word's local.
      f.set(this.wordLocal[C[qn + 5]]);
      this.noteWrite(C[qn + 5], UNKNOWN);
      i++;
      for (let x = arena.freeHead[this.b0 + i]; x >= 0; x = this.freeNext[x]) this.pool.push(this.tl[x]);
    } else if (d >= 0) f.set(this.tl[d]);
    else f.op(O.drop);
    return i;
  }

  /** A STORE (op i); returns the index of the last op it consumed. */
  private genStore(i: number, q: number): number {
    const f = this.f;
    this.access = i;
    const C = this.C;
    const flags = C[q + 5];
    const oa = C[q + 2];
    const dw = matchDStore(C, this.b0, this.n, i, this.defAt);
    if (dw >= 0) {
      emitDStore(this, this.inLocal(oa, this.addrTmp), flags, dw);
      this.consume(i, i + 2);
      return i + 2;
    }
    const run = this.wordRun(i, q);
    if (run > 1) return this.genWordRun(run, true);
    const size = flags & Mem.SIZE_MASK;
    const addr = this.inLocal(oa, this.addrTmp);
    const value = this.inLocal(C[q + 3], this.valueTmp);
    const k = this.constOf(oa);
    if (this.slowCheck(addr, flags, true, k)) {
      this.mem.emitHost(f, addr, this.block, flags, k);
      f.get(value).mem(STORES[size], 0, 0);
      return i;
    }
    this.mem.emitFastCheck(f, addr, flags, true, this.block, k);
    f.open(O.if);
    this.mem.emitHost(f, addr, this.block, flags, k);
    f.get(value).mem(STORES[size], 0, 0);
    f.op(O.else);
    f.get(addr).get(value);
    this.slowStoreCall(flags);
    f.end();
    return i;
  }

  /** The helper call of CALL op `q` with its spills (inline VFP code's slow path too). */
  private helperCall(q: number): void {
    const f = this.f;
    const id = this.C[q + 5];
    const d = this.C[q + 1];
    const h = HELPERS[id];
    const args = this.block.callArgs[this.C[q + 4]];
    // Helpers that touch only VFP words and FPSCR need no spills: those never live in locals.
    const spills = h.touchesState && !h.vfpOnly;
    if (spills) this.writeBack();
    for (let j = 0; j < 4; j++) {
      if (j < args.length) this.val(this.tb + args[j]);
      else f.i32(0);
    }
    this.imports.callHelper(f, id);
    if (d >= 0) f.set(this.tl[d]);
    else f.op(O.drop);
    this.readBudget();
    if (spills && h.writes) {
      for (const w of h.writes) {
        const l = this.wordLocal[w];
        if (l >= 0) f.i32(0).mem(O.i32_load, 2, this.wordAddr(w)).set(l);
      }
    } else if (spills) this.loadWords();
  }

  private genCall(i: number, q: number): void {
    const C = this.C;
    const id = C[q + 5];
    const h = HELPERS[id];
    if (h.touchesState) this.openClean = false;
    // With D registers in locals, a VFP call or inline form that works on the state block finds
    // them there (every write to a D local is written through), and the locals are loaded again
    // after it.
    const around = h.vfpOnly && this.dRegs.length > 0;
    // A VFP operation inline, with the call as its slow path.
    if (C[q + 1] < 0 && VfpInliner.inlines(id)) {
      const args = this.block.callArgs[C[q + 4]];
      const a = args.length > 0 ? this.constOf(this.tb + args[0]) : undefined;
      const b = args.length > 1 ? this.constOf(this.tb + args[1]) : undefined;
      const regs = vfpRegs;
      const reads = around && a !== undefined && b !== undefined ? VfpInliner.cachedForm(id, a, b, regs) : -1;
      if (reads >= 0) {
        // On the registers' locals; the slow path (the helper) on the state block.
        const written = regs.slice(reads);
        const slow = () => {
          this.helperCall(q);
          this.loadD(written);
        };
        this.vfp.useLocals = true;
        const done = this.vfp.emit(id, a, b, slow, C, this.b0, i);
        this.vfp.useLocals = false;
        if (done) return;
      }
      // Tier 1: a call of the module's shared function for the operation (vfp-calls.ts), which
      // returns BUDGET; but VCVT.F64.S32/U32, short with no slow path, stays inline. A form
      // with no shared function has no inline one either (the same VfpInliner decides).
      const shared = this.imports.vfpCall;
      if (shared) {
        if (a !== undefined && b !== undefined) {
          if (id === H.fromInt && this.vfp.fromIntExact(a, b)) return;
          const fn = shared(id, a, b);
          if (fn >= 0) {
            this.f.i32(a).call(fn).set(this.budget);
            return;
          }
        }
      } else if (this.vfp.emit(id, a, b, () => this.helperCall(q), C, this.b0, i)) {
        if (around) this.loadD();
        return;
      }
    }
    this.helperCall(q);
    if (around) this.loadD();
    if (h.traps) this.faultCheck(); // a CpuTrap: the import's wrapper set JIT_FAULT (module.ts)
  }

  private genIf(i: number, q: number): void {
    const f = this.f;
    const C = this.C;
    if (i === this.mergedIf) {
      this.mergedIf = -1; // the same condition as the `if` still open (ENDIF below)
      return;
    }
    const cond = C[q + 2];
    // A conditional instruction that only sets a core register from pure ops (movne r0,
    // #0; addeq r1, r1, r2): a select, with no branch (the pure ops run either way).
    const j = skipPure(C, this.b0, this.n, i + 1);
    if (this.ifDepth === 0 && j + 1 < this.n) {
      const qj = this.at(j);
      if (C[qj] === Op.SET && C[qj + 5] < W.PC && C[qj + 6] === Op.ENDIF) {
        if (this.selectCond < 0) this.selectCond = f.local();
        this.val(cond);
        f.set(this.selectCond);
        this.selectSet = j;
        return;
      }
    }
    this.val(cond);
    f.open(O.if);
    this.ifDepth++;
    if (this.ifDepth === 1) {
      this.openCond = cond;
      this.openClean = true;
    }
    this.saved.push(this.pcConst, this.tConst, this.itConst);
    this.exited.push(false);
  }

  private genEndif(i: number): void {
    const C = this.C;
    if (this.selectSet >= 0) {
      this.selectSet = -1; // the select's: no `if` to close
      return;
    }
    if (this.ifDepth === 1 && this.openClean) {
      // The next instruction has the same condition on flags its body left alone (a run
      // of ldrne, addne...): its ops join this `if`.
      if (i + 1 < this.n && C[this.at(i + 1)] === Op.INSN) {
        const j = skipPure(C, this.b0, this.n, i + 2);
        if (j < this.n) {
          const qj = this.at(j);
          if (C[qj] === Op.IF && sameCondition(C, this.b0, this.defAt, C[qj + 2], this.openCond)) {
            this.mergedIf = j;
            return;
          }
        }
      }
    }
    this.f.end();
    this.ifDepth--;
    const s = this.saved;
    const it = s.pop()!;
    const tt = s.pop()!;
    const p = s.pop()!;
    const dead = this.exited.pop()!;
    this.pcConst = dead || p === this.pcConst ? p : UNKNOWN;
    this.tConst = dead || tt === this.tConst ? tt : UNKNOWN;
    this.itConst = dead || it === this.itConst ? it : UNKNOWN;
  }

  private genExit(reason: number): void {
    const f = this.f;
    if (this.ifDepth > 0) this.exited[this.exited.length - 1] = true;
    this.openClean = false;
    const { pcConst, tConst, itConst, ninsn, ifDepth } = this;
    const target = reason === Exit.NEXT && pcConst !== UNKNOWN && tConst !== UNKNOWN && itConst !== UNKNOWN ? this.lookup(pcConst >>> 0, tConst !== 0, tConst ? itConst : 0) : -1;
    if (target >= 0) {
      // Direct branch inside the region while the budget lasts (the `budget` local: BUDGET
      // as of the last call, which the runtime zeroes to make generated code leave).
      // A later block or this one (in its own loop) is reached by a plain `br`; an earlier
      // one through the dispatcher's br_table.
      // Out of budget: the epilogue with `exit` 0 (NEXT, the instructions counted). An
      // `if` around the `br`: a `br_if` made busybox bzip2 5% slower under Liftoff.
      f.get(this.countL).i32(ninsn).op(O.i32_add).tee(this.countL).get(this.budget).op(O.i32_lt_u).open(O.if);
      if (target > this.k) f.br(this.forward(target) + ifDepth + 1);
      else if (target === this.k && this.self) f.br(ifDepth + 1);
      else f.i32(target).set(this.scratch).br(this.loopDepth + ifDepth + 1);
      f.end();
      this.setDeferredPC();
      this.toEpilogue(Exit.NEXT, 0, 0);
    } else if (reason === Exit.NEXT && pcConst === UNKNOWN) {
      // Indirect branch (bx lr, pop {pc}, ldr pc, a computed jump): look the target up
      // among the region's blocks before leaving.
      f.get(this.countL).i32(ninsn).op(O.i32_add).tee(this.countL).get(this.budget).op(O.i32_lt_u).open(O.if);
      f.br(this.forward(this.blocks.length) + ifDepth + 1);
      f.end();
      this.toEpilogue(Exit.NEXT, 0, 0);
    } else {
      this.setDeferredPC();
      this.toEpilogue(reason, ninsn, 0);
    }
    this.deferredPC = UNKNOWN;
  }

  private setDeferredPC(): void {
    if (this.deferredPC !== UNKNOWN) this.f.i32(this.deferredPC).set(this.wordLocal[W.PC]);
  }
}

/** The D registers of one VFP CALL (VfpInliner.cachedForm's out). */
const vfpRegs: number[] = [];

/** The value of the CONST op defining temp `t` among the arena ops from word `first` up to (not including) word `q`, if any. */
function constBefore(C: Int32Array, first: number, q: number, t: number): number | undefined {
  for (let k = first; k < q; k += 6) if (C[k] === Op.CONST && C[k + 1] === t) return C[k + 5];
  return undefined;
}

/** Is state word `w` kept in the state block rather than a local (VFP registers, FPSCR)? */
/** The exit reason in the epilogue's `exit` of a fault (exitPC, exitIT: its instruction's state). */
const EXIT_FAULT = 15;

export { I32, I64 };
