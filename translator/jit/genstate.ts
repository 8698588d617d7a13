// The code generator's state for one region (codegen.ts RegionGen builds on it): the function
// and its locals (the state words the region touches, the IR temps' pool, the fixed ones), the
// dead-set pass's arena and temp plan for the region's ops, the block being generated and the
// constants known so far; and what every part of code generation shares: temps' values
// (val, inLocal, constOf), state words, exits to the shared epilogue.

import { HELPERS } from '../helpers.js';
import { Op, type IRBlock } from '../ir.js';
import { STATE_BYTES, W, wD, wordName } from '../state.js';
import { Bytes, F64, FuncBody, O, OF } from '../wasm/builder.js';
import { Kind, OpArena, ScratchI32, ScratchU8, TempArena, WordUse } from '../opt/scratch.js';
import { removeDeadSetsInto } from '../opt/deadset.js';
import { VfpInliner } from './vfp-inline.js';
import { foldBinary } from './fold.js';
import { BIN } from './binops.js';
import { type RegionDispatch } from './lookup.js';
import type { MemStrategy } from './memstrategy.js';
import { type AccessGroups } from './groupcheck.js';
import { MAX_GROUPS as MAX_LEAD_GROUPS, type LeadGroups } from './leadgroups.js';
import { inState } from './tempplan.js';

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

/** Where an in-region direct branch may go: the index of the target block, or -1. */
export type RegionLookup = (pc: number, thumb: boolean, it: number) => number;

/** "Not a known constant" in the constant tracking of PC, T and ITSTATE (outside int32). */
export const UNKNOWN = 2 ** 32;
const NWORDS = STATE_BYTES / 4;

/** The region's ops after the dead-set pass (opt/deadset.ts), reused region after region. */
export const arena = new OpArena();
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
 * The state of one region's code generation. Ops are read from the packed arena: op i of the
 * block being generated is at words (b0 + i) * 6 (op, d, a, b, c, imm).
 */
export abstract class RegionState {
  /** Parameters: the entry block, and the region's funcref slot + 1 (0: unknown; lookup.ts). */
  readonly f: FuncBody;
  protected readonly C: Int32Array;
  /** Each block's first op in the arena, and its op count. */
  protected readonly starts: Int32Array;
  protected readonly counts: Int32Array;
  /** Each block's base in `temps`, the dead-set pass's count of its temps' readers. */
  protected readonly tempBases: Int32Array;
  /** 1 for a block that writes its own address to PC from a constant: a loop of one block. */
  protected readonly selfLoops: Uint8Array;
  /**
   * Block j's loads and stores outside IF bodies are at arena slots arena.tops[topsAt[j] ..
   * topsAt[j + 1]) (leadgroups.ts plans only where there are two or more).
   */
  protected readonly topsAt: Int32Array;
  protected readonly vfp: VfpInliner;
  /** State word -> its local (-1: none; VFP words and FPSCR never have one). */
  protected readonly wordLocal = wordLocalS.fill(-1);
  /**
   * D register -> its f64 local (-1: only in the state block). The registers that the region's
   * double-precision arithmetic and compares work on are read from locals
   * (VfpInliner.cachedForm): loaded at entry and after the VFP helper calls and inline forms
   * that work on the state block; every write goes to the local and through to the state
   * block, which so stays current for exits, faults and helpers.
   */
  protected readonly dLocal = dLocalS.fill(-1);
  /** The D registers with locals. */
  protected readonly dRegs: number[] = [];
  /** The words with locals, and those written, in order of first appearance. */
  protected readonly words: number[] = [];
  protected readonly written: number[] = [];
  // IR temps share a pool of locals, each held only from its definition to its last use
  // (fewer locals: V8's baseline compiler zero-initializes every one on each call).
  protected readonly pool: number[] = [];
  protected tl!: Int32Array; // temp -> local (tlScratch), for the region's temps (TempArena)
  protected readonly scratch: number;
  protected readonly addrTmp: number; // an access's address when its temp has no local of its own
  protected readonly valueTmp: number; // a store's value, likewise
  protected readonly countL: number; // guest instructions retired in this call, before the current block
  // The shared epilogue's inputs: `exit` packs the exit reason (EXIT_FAULT: a fault) and, from
  // bit 4, the instructions of the current block to add (0 for NEXT with none to add). A branch
  // to the epilogue carries a non-zero one as the value of the $word block, whose end sets it;
  // with 0 it skips that, leaving `exit` 0, as every local starts.
  protected readonly exit: number;
  protected readonly exitPC: number;
  protected readonly exitIT: number; // the faulting instruction's ITSTATE, or -1
  // BUDGET changes while a region runs only when JavaScript zeroes it (an interrupt raised by a
  // device write, TLB maintenance, a write to code...), and JavaScript runs only in the calls
  // generated code makes: a local copy, read again after every call, serves the branches.
  protected readonly budget: number;
  protected selectCond = -1; // a conditional SET's condition (see IF), allocated on first use
  protected hostL = -1; // a word run's host address (genWordRun), allocated on first use
  /** The op indices of the word run being generated (wordRun). */
  protected readonly runOps: number[] = [];
  // DPairCtx's scratch locals.
  readonly t0: number;
  readonly t1: number;

  // The block being generated.
  block!: IRBlock;
  protected k = 0;
  protected b0 = 0;
  protected n = 0;
  /** 1 when the block runs inside its own `loop` (it branches to itself). */
  protected self = 0;
  /** `br loopDepth` at the block's top level restarts the dispatcher. */
  protected loopDepth = 0;
  protected ninsn = 0;
  protected pc = 0;
  protected itNow = -1;
  protected ifDepth = 0;
  /** Tier 2's grouped access tests (groupcheck.ts): this block's groups, their answers' locals, the op being generated. */
  protected readonly groupChecks: boolean;
  protected groups: AccessGroups | null = null;
  protected readonly covL: number[] = [];
  protected groupAddr = -1;
  protected access = -1;
  /** Tier 1's access groups (leadgroups.ts) of this block, and which groups' tests have been made. */
  protected leads: LeadGroups | null = null;
  protected readonly leadDone = new Uint8Array(MAX_LEAD_GROUPS);
  // Constant tracking for direct branches: the last PC/T/IT written (constOf: a temp's value).
  protected pcConst = UNKNOWN;
  protected tConst = UNKNOWN;
  protected itConst = UNKNOWN;
  /** A constant PC whose SET waits for the EXIT right after it (written only where the exit leaves). */
  protected deferredPC = UNKNOWN;
  // The outermost open `if`: its condition, whether its body so far leaves the flags and the
  // exits alone (then the next instruction's same condition may join it), and the IF op that
  // joined it.
  protected openCond = -1;
  protected openClean = false;
  protected mergedIf = -1;
  /** The SET of a conditional instruction emitted as a select (see IF), or -1. */
  protected selectSet = -1;
  // At IF the known values are saved (three per IF); at ENDIF a value stays known if both
  // paths agree, or is the saved one if the IF's body ended in an EXIT (a side exit such as
  // `bxeq lr`, which writes T, must not hide the constant target of a later `b`).
  protected readonly saved: number[] = [];
  protected readonly exited: boolean[] = [];
  // The temp plan the dead-set pass made for the region's temps (opt/scratch.ts TempArena:
  // temps numbered region-wide, positions within their blocks; tempplan.ts), the block's
  // temp base, and constOf's memo.
  protected kind!: Uint8Array;
  protected defAt!: Int32Array;
  protected lastUse!: Int32Array;
  protected freeNext!: Int32Array;
  protected tb = 0;
  protected known!: Uint8Array; // 0: not yet asked, 1: constant, 2: not
  protected knownValue!: Int32Array;

  constructor(
    protected readonly blocks: IRBlock[],
    protected readonly stateBase: number,
    readonly mem: MemStrategy,
    protected readonly imports: ImportMap,
    protected readonly lookup: RegionLookup,
    /** The wasm dispatcher's table (lookup.ts), if any. */
    protected readonly dispatch: RegionDispatch | undefined,
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

  protected readBudget(): void {
    this.f.i32(0).mem(O.i32_load, 2, this.wordAddr(W.BUDGET)).set(this.budget);
  }


  protected loadWords(): void {
    const f = this.f;
    for (const w of this.words) f.i32(0).mem(O.i32_load, 2, this.wordAddr(w)).set(this.wordLocal[w]);
  }

  protected writeBack(): void {
    const f = this.f;
    for (const w of this.written) f.i32(0).get(this.wordLocal[w]).mem(O.i32_store, 2, this.wordAddr(w));
  }

  /**
   * Pushes state word `w`: its local, or (VFP words, FPSCR) a load from the state block, which
   * holds the D registers kept in locals too (written through).
   */
  protected getWord(w: number): void {
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
  protected noteVfpCall(block: IRBlock, tb: number, C: Int32Array, first: number, q: number): void {
    const args = block.callArgs[C[q + 4]];
    const a = args.length < 2 ? undefined : constBefore(C, first, q, tb + args[0]);
    const b = a === undefined ? undefined : constBefore(C, first, q, tb + args[1]);
    const regs = vfpRegs;
    if (a === undefined || b === undefined || VfpInliner.cachedForm(C[q + 5], a, b, regs) < 0) return;
    for (const n of regs) this.dLocal[n] = -2;
  }

  /** D registers' locals from the state block (all, or those in `only`). */
  protected loadD(only?: readonly number[]): void {
    const f = this.f;
    for (const n of only ?? this.dRegs) {
      const l = this.dLocal[n];
      if (l >= 0) f.i32(0).mem(OF.f64_load, 3, this.wordAddr(wD(n))).set(l);
    }
  }

  /** Word `w` was written with constant `v` (UNKNOWN: not a constant). */
  protected noteWrite(w: number, v: number): void {
    if (w === W.PC) this.pcConst = v;
    else if (w === W.T) this.tConst = v;
    else if (w === W.ITSTATE) this.itConst = v;
  }

  /** `br` depth, from the top level of this block's code, to the start of block m > k (or the lookup, m = n). */
  protected forward(m: number): number {
    return m - this.k - 1 + this.self;
  }

  /** `br` depth of the epilogue's $word block from the top level of this block's code, `extra` levels deeper ($epi: one more). */
  protected epilogueDepth(extra: number): number {
    return this.loopDepth + this.ifDepth + 2 + extra;
  }

  /** To the epilogue from the top level of this block's code, `extra` levels deeper, with its `exit` word. */
  protected toEpilogue(reason: number, insns: number, extra: number): void {
    const word = (insns << 4) | reason;
    if (word === 0) this.f.br(this.epilogueDepth(extra) + 1);
    else this.f.i32(word).br(this.epilogueDepth(extra));
  }

  /** After a helper that may trap (at the block's level, `depth` 1): leave if it faulted. */
  protected faultCheck(depth = 1): void {
    const f = this.f;
    f.i32(0).mem(O.i32_load, 2, this.wordAddr(W.JIT_FAULT)).open(O.if);
    f.i32(this.pc).set(this.exitPC).i32(this.itNow).set(this.exitIT);
    this.toEpilogue(EXIT_FAULT, this.ninsn - 1, depth);
    f.end();
  }

  /** Gives back the locals of the temps that op `i` reads last. */
  protected freeAt(i: number): void {
    const { freeNext, pool, tl } = this;
    for (let x = arena.freeHead[this.b0 + i]; x >= 0; x = freeNext[x]) pool.push(tl[x]);
  }

  /** Gives back the locals of the temps that ops from+1..to read last (a pattern's later ops, skipped; freeAt's rule but for temps defined inside). */
  protected consume(from: number, to: number): void {
    const { freeNext, defAt, pool, tl, b0 } = this;
    const freeHead = arena.freeHead;
    for (let j = from + 1; j <= to; j++) for (let x = freeHead[b0 + j]; x >= 0; x = freeNext[x]) if (defAt[x] <= from) pool.push(tl[x]);
  }

  /** Word offset in the arena of op `i` of the block. */
  protected at(i: number): number {
    return (this.b0 + i) * 6;
  }

  /** Pushes the value of temp `x`: a constant, a state word's local, an inlined expression or its local. */
  protected val(x: number): void {
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
  protected inLocal(x: number, spare: number): number {
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
  protected constOf(x: number): number | undefined {
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

  /** Pushes the result of pure op `i` (codegen.ts). */
  protected abstract expr(i: number): void;
}

/** The D registers of one VFP CALL (VfpInliner.cachedForm's out). */
export const vfpRegs: number[] = [];

/** The value of the CONST op defining temp `t` among the arena ops from word `first` up to (not including) word `q`, if any. */
function constBefore(C: Int32Array, first: number, q: number, t: number): number | undefined {
  for (let k = first; k < q; k += 6) if (C[k] === Op.CONST && C[k + 1] === t) return C[k + 5];
  return undefined;
}

/** The exit reason in the epilogue's `exit` of a fault (exitPC, exitIT: its instruction's state). */
export const EXIT_FAULT = 15;
