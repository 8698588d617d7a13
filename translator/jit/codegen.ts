// Tier 1 code generation: one lifted block's IR -> one wasm function `() -> exit reason`.
//
// State words the block touches live in wasm locals: loaded at entry, written back before
// every exit and helper call (helpers see and may change the state block), reloaded after
// (only the helper's `writes` when it declares them). Memory accesses go through a
// MemStrategy, so the flat user-mode path and the system-mode softmmu TLB share everything
// else. A faulting slow-path access throws; the region function's one `catch_all` leaves with
// the faulting instruction's state, so access sites carry no fault check.

import { HELPERS } from '../helpers.js';
import { Exit, Mem, Op, type IRBlock, type IRInsn } from '../ir.js';
import { W } from '../state.js';
import { FuncBody, I32, I64, O } from '../wasm/builder.js';
import { ScratchI32, ScratchU8, opTable } from '../opt/scratch.js';
import { VfpInliner } from './vfp-inline.js';
import { foldBinary } from './fold.js';
import { emitDLoad, emitDStore, matchDLoad, matchDStore, type DPairCtx } from './vfp-ldst.js';
import { emitBudgetUse } from './dispatch.js';

/** What the code generator needs from its module: function indices of the imports. */
export interface ImportMap {
  /** Function index of helper `id` (imports it on first use). */
  helper(id: number): number;
  /** Slow-path load: (addr, site, pc) -> value; on a fault records it and throws (module.ts). */
  slowLoad: number;
  /** Slow-path store: (addr, value, site, pc); faults as slowLoad. */
  slowStore: number;
}

/**
 * A slow-path access's site, its second-to-last argument: the Mem flags (SITE_FLAGS), the
 * index in its block of the instruction (bits 7-15) and that instruction's ITSTATE + 1 (bits
 * 16-24; 0 when the code generator tracks none). A fault stores it in state word FAULT_SITE,
 * where the region's fault handler reads it.
 */
export const SITE_FLAGS = 0x7f;
export function faultSite(flags: number, insnIndex: number, it: number): number {
  return (flags & SITE_FLAGS) | (insnIndex << 7) | ((it + 1) << 16);
}

/**
 * How guest loads and stores become wasm (DESIGN.md: flat for user mode, the softmmu TLB for
 * system mode). The code generator asks the strategy for a fast-path test; everything else
 * (slow path, fault exit, the access itself) is shared.
 */
export interface MemStrategy {
  /**
   * Emits code that leaves an i32 on the stack, non-zero when the access at the guest address
   * in local `addr` may be done directly. `block` is the block being generated (system mode:
   * its privilege level picks the TLB); `known` is the address when it is a constant (a literal
   * pool load). A pass must hold for every aligned word of addr's page at host + (offset in
   * the page - addr's), as vfp-ldst.ts reads a D register's second word.
   */
  emitFastCheck(f: FuncBody, addr: number, flags: number, write: boolean, block: IRBlock, known?: number): void;
  /**
   * Pushes the host address of that access; emitted only where its fast check passed, right
   * after it (the check may leave what it found in locals of its own).
   */
  emitHost(f: FuncBody, addr: number, block: IRBlock, flags: number, known?: number): void;
}

/** Linux user mode: guest address = host offset; a permission byte per page decides. */
export class FlatStrategy implements MemStrategy {
  constructor(readonly permBase: number) {}
  /** The host address is the guest address itself. */
  emitHost(f: FuncBody, addr: number): void {
    f.get(addr);
  }
  emitFastCheck(f: FuncBody, addr: number, flags: number, write: boolean): void {
    const size = flags & Mem.SIZE_MASK;
    // bad = (perm[addr >>> 12] & need) ^ want: zero when the page allows the access (writes: W
    // set and CODE clear, so code pages go slow). The test ends in one comparison, which V8's
    // baseline compiler fuses with the `if` that follows (cmp + jcc).
    f.get(addr).i32(12).op(O.i32_shr_u).mem(O.i32_load8_u, 0, this.permBase);
    if (write) f.i32(2 | 8).op(O.i32_and).i32(2).op(O.i32_xor);
    else f.i32(1).op(O.i32_and).i32(1).op(O.i32_xor);
    if (flags & (Mem.ALIGN | Mem.ALIGN8)) {
      // (bad | (addr & mask)) == 0
      const mask = flags & Mem.ALIGN8 ? 7 : size - 1;
      f.get(addr).i32(mask).op(O.i32_and).op(O.i32_or).op(O.i32_eqz);
    } else if (size > 1) {
      // (bad << 12 | (addr & 0xfff)) <= 4096 - size: any bad bit makes it 4096 or more
      f.i32(12).op(O.i32_shl).get(addr).i32(0xfff).op(O.i32_and).op(O.i32_or).i32(4096 - size).op(O.i32_le_u);
    } else {
      f.op(O.i32_eqz);
    }
  }
}

const LOADS: Record<number, number> = { 1: O.i32_load8_u, 2: O.i32_load16_u, 4: O.i32_load };
const LOADS_S: Record<number, number> = { 1: O.i32_load8_s, 2: O.i32_load16_s, 4: O.i32_load };
const STORES: Record<number, number> = { 1: O.i32_store8, 2: O.i32_store16, 4: O.i32_store };

const BIN: Partial<Record<number, number>> = {
  [Op.ADD]: O.i32_add,
  [Op.SUB]: O.i32_sub,
  [Op.AND]: O.i32_and,
  [Op.OR]: O.i32_or,
  [Op.XOR]: O.i32_xor,
  [Op.SHL]: O.i32_shl,
  [Op.SHR]: O.i32_shr_u,
  [Op.SAR]: O.i32_shr_s,
  [Op.ROR]: O.i32_rotr,
  [Op.MUL]: O.i32_mul,
  [Op.EQ]: O.i32_eq,
  [Op.NE]: O.i32_ne,
  [Op.LTU]: O.i32_lt_u,
  [Op.LTS]: O.i32_lt_s,
  [Op.LEU]: O.i32_le_u,
  [Op.LES]: O.i32_le_s,
};

/** Where an in-region direct branch may go: the index of the target block, or -1. */
export type RegionLookup = (pc: number, thumb: boolean, it: number) => number;

/**
 * Generates one region function `(entry) -> exit reason` for `blocks` (DESIGN.md, "Unit of
 * compilation"): a loop around a br_table over the blocks; an exit to a constant PC that is
 * another block of the region becomes a branch back to the dispatcher instead of a return.
 * The state words the region touches stay in locals throughout. The loop leaves when the
 * instructions it ran reach the state word BUDGET, so the runtime keeps control.
 */
export function genRegion(blocks: IRBlock[], stateBase: number, mem: MemStrategy, imports: ImportMap, lookup: RegionLookup): FuncBody {
  const f = new FuncBody(1);
  const entry = 0;
  const wordAddr = (w: number) => stateBase + 4 * w;

  // State words used and written anywhere in the region, each in a local; but the VFP
  // registers and FPSCR stay in the state block, where inline VFP code (vfp-inline.ts) and
  // the VFP helpers work on them, so helper calls need no spills.
  const inState = (w: number) => w >= W.VFP || w === W.FPSCR;
  const vfp = new VfpInliner(f, stateBase);
  const wordLocal = new Map<number, number>();
  const written = new Set<number>();
  for (const b of blocks) {
    for (const o of b.ops) {
      if ((o.op === Op.GET || o.op === Op.SET) && !inState(o.imm)) {
        if (!wordLocal.has(o.imm)) wordLocal.set(o.imm, -1);
        if (o.op === Op.SET) written.add(o.imm);
      }
    }
  }
  written.add(W.PC); // budget exits store the PC of the next block
  // PC, T and ITSTATE are always in locals: the indirect-branch lookup reads them.
  for (const w of [W.PC, W.T, W.ITSTATE]) if (!wordLocal.has(w)) wordLocal.set(w, -1);
  for (const w of wordLocal.keys()) wordLocal.set(w, f.local());
  // IR temps share a pool of locals, each held only from its definition to its last use
  // (fewer locals: V8's baseline compiler zero-initializes every one on each call).
  const pool: number[] = [];
  let tl: Int32Array = new Int32Array(0); // temp -> local, for the block being generated (tlScratch)
  const scratch = f.local();
  const addrTmp = f.local(); // an access's address when its temp has no local of its own
  const valueTmp = f.local(); // a store's value, likewise
  const count = f.local(); // guest instructions retired in this call, before the current block
  // The shared epilogue's inputs: `exit` packs the exit reason (EXIT_FAULT: a fault) and, from
  // bit 4, the instructions of the current block to add. It is set only on the way out, so it
  // is still 0 (NEXT, none to add) for the budget exits, which just branch to the epilogue.
  const exit = f.local();
  const exitPC = f.local();
  const exitIT = f.local(); // the faulting instruction's ITSTATE, or -1
  // BUDGET changes while a region runs only when JavaScript zeroes it (an interrupt raised by a
  // device write, TLB maintenance, a write to code...), and JavaScript runs only in the calls
  // generated code makes: a local copy, read again after every call, serves the branches.
  const budget = f.local();
  let selectCond = -1; // a conditional SET's condition (see IF), allocated on first use
  const readBudget = () => f.i32(0).mem(O.i32_load, 2, wordAddr(W.BUDGET)).set(budget);

  const loadWords = () => {
    for (const [w, l] of wordLocal) f.i32(0).mem(O.i32_load, 2, wordAddr(w)).set(l);
  };
  const writeBack = () => {
    for (const w of written) f.i32(0).get(wordLocal.get(w)!).mem(O.i32_store, 2, wordAddr(w));
  };
  /** Pushes state word `w`: its local, or (VFP words, FPSCR) a load from the state block. */
  const getWord = (w: number) => {
    if (inState(w)) f.i32(0).mem(O.i32_load, 2, wordAddr(w));
    else f.get(wordLocal.get(w)!);
  };
  loadWords();
  readBudget();
  f.get(entry).set(scratch);

  // Blocks 0..n-1 are the region's; "block" n is the lookup of an indirect branch target.
  const n = blocks.length;
  f.open(O.block); // $epi: every exit branches out of it to the shared epilogue
  // A faulting slow-path access throws (module.ts slowPaths); the handler after the loop
  // leaves with the faulting instruction's state, so access sites need no check of their own.
  f.open(O.try);
  f.open(O.loop);
  for (let k = n; k >= 0; k--) f.open(O.block);
  f.get(scratch).brTable(
    [...blocks.map((_, j) => j), n],
    n,
  );

  blocks.forEach((block, k) => {
    f.end(); // close block $b_k: its code follows
    // A block that may branch to itself (a tight loop) runs inside its own `loop`, so its
    // back edge skips the dispatcher's br_table.
    const self = branchesToSelf(block) ? 1 : 0;
    if (self) f.open(O.loop);
    const loopDepth = n - k + self; // `br loopDepth` at the block's top level restarts the dispatcher
    /** `br` depth, from the top level of this block's code, to the start of block m > k (or the lookup, m = n). */
    const forward = (m: number) => m - k - 1 + self;
    let ninsn = 0;
    let pc = block.pc;
    let itNow = -1;
    let ifDepth = 0;
    // Constant tracking for direct branches: the last PC/T/IT written (constOf: a temp's value).
    let pcConst: number | null = null;
    /** A constant PC whose SET waits for the EXIT right after it (written only where the exit leaves). */
    let deferredPC: number | null = null;
    // The outermost open `if`: its condition, whether its body so far leaves the flags and
    // the exits alone (then the next instruction's same condition may join it), and the IF
    // op that joined it.
    let openCond = -1;
    let openClean = false;
    let mergedIf = -1;
    /** The SET of a conditional instruction emitted as a select (see IF), or -1. */
    let selectSet = -1;
    let tConst: number | null = block.thumb ? 1 : 0;
    let itConst: number | null = block.itstate;
    // At IF the known values are saved; at ENDIF a value stays known if both paths agree, or
    // is the saved one if the IF's body ended in an EXIT (a side exit such as `bxeq lr`, which
    // writes T, must not hide the constant target of a later `b`).
    const saved: [number | null, number | null, number | null][] = [];
    const exited: boolean[] = [];
    const merge = (a: number | null, b: number | null) => (a === b ? a : null);
    /** Word `w` was written with constant `v` (null: not a constant). */
    const noteWrite = (w: number, v: number | null) => {
      if (w === W.PC) pcConst = v;
      else if (w === W.T) tConst = v;
      else if (w === W.ITSTATE) itConst = v;
    };

    /** To the epilogue from the top level of this block's code, `extra` levels deeper. */
    const toEpilogue = (reason: number, insns: number, extra: number) => {
      if (reason !== 0 || insns !== 0) f.i32((insns << 4) | reason).set(exit);
      f.br(loopDepth + ifDepth + 2 + extra);
    };
    /** Pushes a slow-path access's last two arguments: its site (faultSite) and its instruction's PC. */
    const slowArgs = (flags: number) => {
      if (ninsn - 1 > 0x1ff) throw new Error('codegen: a block of more than 512 instructions');
      f.i32(faultSite(flags, ninsn - 1, itNow)).i32(pc);
    };
    /** After a helper that may trap (at the block's level, `depth` 1): leave if it faulted. */
    const faultCheck = (depth = 1) => {
      f.i32(0).mem(O.i32_load, 2, wordAddr(W.JIT_FAULT)).open(O.if);
      f.i32(pc).set(exitPC).i32(itNow).set(exitIT);
      toEpilogue(EXIT_FAULT, ninsn - 1, depth);
      f.end();
    };

    const ops = block.ops;
    const plan = planTemps(block);
    const { kind, defAt, lastUse, freeHead, freeNext } = plan;
    // D-register transfers as one 64-bit access (vfp-ldst.ts); `consume` skips the ops of the
    // pattern after the first, giving back the locals of the temps they read last.
    const dpair: DPairCtx = { f, mem, block, wordAddr, t0: scratch, t1: valueTmp, slowLoad: imports.slowLoad, slowStore: imports.slowStore, slowArgs, afterCall: readBudget };
    const consume = (from: number, to: number) => {
      for (let j = from + 1; j <= to; j++) for (let x = freeHead[j]; x >= 0; x = freeNext[x]) if (defAt[x] <= from) pool.push(tl[x]);
    };
    tl = tlScratch.take(block.ntemps, 0);
    /** Pushes the value of temp `x`: a constant, a state word's local, an inlined expression or its local. */
    const val = (x: number): void => {
      switch (kind[x]) {
        case Kind.CONST:
          f.i32(ops[defAt[x]].imm);
          break;
        case Kind.ALIAS:
          getWord(ops[defAt[x]].imm);
          break;
        case Kind.INLINE:
          expr(ops[defAt[x]]);
          break;
        default:
          f.get(tl[x]);
      }
    };
    /** A local holding temp `x` (for operands read more than once): its own, a word's, or `spare`. */
    const inLocal = (x: number, spare: number): number => {
      if (kind[x] === Kind.LOCAL) return tl[x];
      if (kind[x] === Kind.ALIAS && !inState(ops[defAt[x]].imm)) return wordLocal.get(ops[defAt[x]].imm)!;
      val(x);
      f.set(spare);
      return spare;
    };
    /** The value of temp `x` if it is a constant or a pure op on constants (fold.ts), memoized. */
    const known = knownS.take(block.ntemps, 0); // 0: not yet asked, 1: constant, 2: not
    const knownValue = knownValueS.take(block.ntemps, 0);
    const constOf = (x: number): number | undefined => {
      if (kind[x] === Kind.CONST) return ops[defAt[x]].imm;
      if (known[x] !== 0) return known[x] === 1 ? knownValue[x] : undefined;
      known[x] = 2;
      const d = defAt[x] >= 0 && kind[x] !== Kind.ALIAS ? ops[defAt[x]] : null;
      if (!d || BIN[d.op] === undefined) return undefined;
      const a = constOf(d.a);
      const b = a === undefined ? undefined : constOf(d.b);
      if (b === undefined) return undefined;
      known[x] = 1;
      return (knownValue[x] = foldBinary(d.op, a!, b)!);
    };
    /** Pushes the result of pure op `o`. */
    const expr = (o: IRInsn): void => {
      const bin = BIN[o.op];
      if (bin !== undefined) {
        const ka = constOf(o.a);
        const kb = constOf(o.b);
        if (ka !== undefined && kb !== undefined) {
          f.i32(foldBinary(o.op, ka, kb)!);
          return;
        }
        // (x + K1) + K2, the inner sum inlined here: x + (K1 + K2).
        const inner = o.op === Op.ADD && kb !== undefined && kind[o.a] === Kind.INLINE ? ops[defAt[o.a]] : null;
        if (inner && inner.op === Op.ADD) {
          const k1b = constOf(inner.b);
          const k1a = k1b === undefined ? constOf(inner.a) : undefined;
          if (k1b !== undefined || k1a !== undefined) {
            val(k1b !== undefined ? inner.a : inner.b);
            const sum = ((k1b ?? k1a!) + kb!) | 0;
            if (sum !== 0) f.i32(sum).op(O.i32_add);
            return;
          }
        }
        if (o.op === Op.EQ && kb === 0) {
          // x == 0: eqz; (a - b) == 0, the difference inlined here (a CMP's Z): a == b.
          const d = kind[o.a] === Kind.INLINE ? ops[defAt[o.a]] : null;
          if (d && d.op === Op.SUB) {
            const da = constOf(d.a);
            const db = constOf(d.b);
            if (da !== undefined) f.i32(da);
            else val(d.a);
            if (db !== undefined) f.i32(db);
            else val(d.b);
            f.op(O.i32_eq);
          } else {
            val(o.a);
            f.op(O.i32_eqz);
          }
          return;
        }
        if (ka !== undefined) f.i32(ka);
        else val(o.a);
        if (kb !== undefined) f.i32(kb);
        else val(o.b);
        f.op(bin);
        return;
      }
      switch (o.op) {
        case Op.CONST:
          f.i32(o.imm);
          break;
        case Op.GET:
          getWord(o.imm);
          break;
        case Op.MULHU:
        case Op.MULHS: {
          const ext = o.op === Op.MULHU ? O.i64_extend_i32_u : O.i64_extend_i32_s;
          val(o.a);
          f.op(ext);
          val(o.b);
          f.op(ext).op(O.i64_mul).i64(32).op(O.i64_shr_u).op(O.i32_wrap_i64);
          break;
        }
        case Op.UDIV:
          // b == 0 ? 0 : a / b, without wasm's trap
          f.i32(0);
          val(o.a);
          val(o.b);
          val(o.b);
          f.op(O.i32_eqz).op(O.i32_or).op(O.i32_div_u);
          val(o.b);
          f.op(O.i32_eqz).op(O.select);
          break;
        case Op.SDIV:
          // b == 0 ? 0 : b == -1 ? -a : a / b  (INT_MIN / -1 wraps to INT_MIN, as on ARM)
          f.i32(0);
          val(o.a);
          f.op(O.i32_sub); // -a
          val(o.a); // a / (b in {-1, 0} ? 1 : b)
          f.i32(1);
          val(o.b);
          val(o.b);
          f.i32(1).op(O.i32_add).i32(1).op(O.i32_le_u).op(O.select);
          f.op(O.i32_div_s);
          val(o.b);
          f.i32(-1).op(O.i32_eq).op(O.select); // b == -1 ? -a : quotient
          f.i32(0);
          val(o.b);
          f.op(O.select); // b != 0 ? that : 0
          break;
        case Op.CLZ:
          val(o.a);
          f.op(O.i32_clz);
          break;
        case Op.SELECT:
          val(o.b);
          val(o.c);
          val(o.a);
          f.op(O.select);
          break;
        case Op.SEXT8:
          val(o.a);
          f.op(O.i32_extend8_s);
          break;
        case Op.SEXT16:
          val(o.a);
          f.op(O.i32_extend16_s);
          break;
        case Op.BSWAP:
          // bytes 3,1 move down/up by rotating 24; bytes 2,0 by rotating 8
          val(o.a);
          f.i32(0xff00ff00).op(O.i32_and).i32(24).op(O.i32_rotr);
          val(o.a);
          f.i32(0x00ff00ff).op(O.i32_and).i32(8).op(O.i32_rotr);
          f.op(O.i32_or);
          break;
        default:
          throw new Error(`codegen: op ${o.op} is not pure`);
      }
    };

    for (let i = 0; i < ops.length; i++) {
      const o = ops[i];
      // Temps read for the last time here give their locals back; then the result takes one.
      for (let x = freeHead[i]; x >= 0; x = freeNext[x]) pool.push(tl[x]);
      if (o.d >= 0) {
        const kd = kind[o.d];
        if (kd !== Kind.LOCAL) continue; // emitted where it is used
        if (lastUse[o.d] < 0 && PURE_OP[o.op]) continue; // never read
        tl[o.d] = pool.pop() ?? f.local();
        if (lastUse[o.d] < 0) pool.push(tl[o.d]); // never read: free after this op
        if (PURE_OP[o.op]) {
          expr(o);
          f.set(tl[o.d]);
          continue;
        }
      }
      switch (o.op) {
        case Op.SET: {
          if (i === selectSet) {
            val(o.a);
            getWord(o.imm);
            f.get(selectCond).op(O.select).set(wordLocal.get(o.imm)!);
            break;
          }
          if (o.imm === W.N || o.imm === W.Z || o.imm === W.C || o.imm === W.V) openClean = false;
          const v = constOf(o.a);
          if (o.imm === W.PC && v !== undefined && ops[i + 1]?.op === Op.EXIT) {
            // A constant PC right before its exit is written on the way out only: a direct
            // branch that stays in the region needs no PC (see the EXIT case).
            pcConst = v;
            deferredPC = v;
            break;
          }
          if (inState(o.imm)) {
            f.i32(0);
            val(o.a);
            f.mem(O.i32_store, 2, wordAddr(o.imm));
          } else {
            val(o.a);
            f.set(wordLocal.get(o.imm)!);
          }
          noteWrite(o.imm, v ?? null);
          break;
        }
        case Op.LOAD: {
          const dw = matchDLoad(ops, i, defAt, lastUse);
          if (dw >= 0) {
            emitDLoad(dpair, inLocal(o.a, addrTmp), o.imm, dw);
            consume(i, i + 3);
            i += 3;
            break;
          }
          const size = o.imm & Mem.SIZE_MASK;
          const signed = (o.imm & Mem.SIGNED) !== 0;
          const addr = inLocal(o.a, addrTmp);
          const k = constOf(o.a);
          mem.emitFastCheck(f, addr, o.imm, false, block, k);
          f.open(O.if, I32);
          mem.emitHost(f, addr, block, o.imm, k);
          f.mem((signed ? LOADS_S : LOADS)[size], 0, 0);
          f.op(O.else);
          f.get(addr);
          slowArgs(o.imm);
          f.call(imports.slowLoad);
          readBudget();
          f.end();
          const nx = ops[i + 1];
          if (o.d >= 0 && nx !== undefined && nx.op === Op.SET && nx.a === o.d && lastUse[o.d] === i + 1 && !inState(nx.imm)) {
            // `SET word, t` right after, its only reader: the value goes straight to the word's local.
            f.set(wordLocal.get(nx.imm)!);
            noteWrite(nx.imm, null);
            i++;
            for (let x = freeHead[i]; x >= 0; x = freeNext[x]) pool.push(tl[x]);
          } else if (o.d >= 0) f.set(tl[o.d]);
          else f.op(O.drop);
          break;
        }
        case Op.STORE: {
          const dw = matchDStore(ops, i, defAt);
          if (dw >= 0) {
            emitDStore(dpair, inLocal(o.a, addrTmp), o.imm, dw);
            consume(i, i + 2);
            i += 2;
            break;
          }
          const size = o.imm & Mem.SIZE_MASK;
          const addr = inLocal(o.a, addrTmp);
          const value = inLocal(o.b, valueTmp);
          const k = constOf(o.a);
          mem.emitFastCheck(f, addr, o.imm, true, block, k);
          f.open(O.if);
          mem.emitHost(f, addr, block, o.imm, k);
          f.get(value).mem(STORES[size], 0, 0);
          f.op(O.else);
          f.get(addr).get(value);
          slowArgs(o.imm);
          f.call(imports.slowStore);
          readBudget();
          f.end();
          break;
        }
        case Op.CALL: {
          const h = HELPERS[o.imm];
          if (h.touchesState) openClean = false;
          const args = o.args!;
          // Helpers that touch only VFP words and FPSCR need no spills: those never live in locals.
          const spills = h.touchesState && !h.vfpOnly;
          const call = () => {
            if (spills) writeBack();
            for (let i = 0; i < 4; i++) {
              if (i < args.length) val(args[i]);
              else f.i32(0);
            }
            f.call(imports.helper(o.imm));
            if (o.d >= 0) f.set(tl[o.d]);
            else f.op(O.drop);
            readBudget();
            if (spills && h.writes) {
              for (const w of h.writes) {
                const l = wordLocal.get(w);
                if (l !== undefined) f.i32(0).mem(O.i32_load, 2, wordAddr(w)).set(l);
              }
            } else if (spills) loadWords();
          };
          // A VFP operation inline, with the call as its slow path.
          if (o.d < 0 && vfp.emit(o.imm, args.map(constOf), call, ops, i)) break;
          call();
          if (h.traps) faultCheck(); // a CpuTrap: the import's wrapper set JIT_FAULT (module.ts)
          break;
        }
        case Op.IF: {
          if (i === mergedIf) {
            mergedIf = -1; // the same condition as the `if` still open (ENDIF below)
            break;
          }
          // A conditional instruction that only sets a core register from pure ops (movne r0,
          // #0; addeq r1, r1, r2): a select, with no branch (the pure ops run either way).
          const j = skipPure(ops, i + 1);
          if (ifDepth === 0 && ops[j]?.op === Op.SET && ops[j].imm < W.PC && ops[j + 1]?.op === Op.ENDIF) {
            if (selectCond < 0) selectCond = f.local();
            val(o.a);
            f.set(selectCond);
            selectSet = j;
            break;
          }
          val(o.a);
          f.open(O.if);
          ifDepth++;
          if (ifDepth === 1) {
            openCond = o.a;
            openClean = true;
          }
          saved.push([pcConst, tConst, itConst]);
          exited.push(false);
          break;
        }
        case Op.ENDIF: {
          if (selectSet >= 0) {
            selectSet = -1; // the select's: no `if` to close
            break;
          }
          if (ifDepth === 1 && openClean) {
            // The next instruction has the same condition on flags its body left alone (a run
            // of ldrne, addne...): its ops join this `if`.
            if (ops[i + 1]?.op === Op.INSN) {
              const j = skipPure(ops, i + 2);
              if (ops[j]?.op === Op.IF && sameCondition(ops, defAt, ops[j].a, openCond)) {
                mergedIf = j;
                break;
              }
            }
          }
          f.end();
          ifDepth--;
          const [p, tt, it] = saved.pop()!;
          const dead = exited.pop()!;
          pcConst = dead ? p : merge(p, pcConst);
          tConst = dead ? tt : merge(tt, tConst);
          itConst = dead ? it : merge(it, itConst);
          break;
        }
        case Op.INSN:
          ninsn++;
          pc = o.imm;
          itNow = o.c;
          break;
        case Op.EXIT: {
          if (ifDepth > 0) exited[exited.length - 1] = true;
          openClean = false;
          const setPC = () => {
            if (deferredPC !== null) f.i32(deferredPC).set(wordLocal.get(W.PC)!);
          };
          const target = o.imm === Exit.NEXT && pcConst !== null && tConst !== null && itConst !== null ? lookup(pcConst >>> 0, tConst !== 0, tConst ? itConst : 0) : -1;
          if (target >= 0) {
            // Direct branch inside the region while the budget lasts (the `budget` local: BUDGET
            // as of the last call, which the runtime zeroes to make generated code leave).
            // A later block or this one (in its own loop) is reached by a plain `br`; an earlier
            // one through the dispatcher's br_table.
            // Out of budget: the epilogue with `exit` still 0 (NEXT, the instructions counted). An
            // `if` around the `br`: a `br_if` made busybox bzip2 5% slower under Liftoff.
            f.get(count).i32(ninsn).op(O.i32_add).tee(count).get(budget).op(O.i32_lt_u).open(O.if);
            if (target > k) f.br(forward(target) + ifDepth + 1);
            else if (target === k && self) f.br(ifDepth + 1);
            else f.i32(target).set(scratch).br(loopDepth + ifDepth + 1);
            f.end();
            setPC();
            toEpilogue(Exit.NEXT, 0, 0);
          } else if (o.imm === Exit.NEXT && pcConst === null) {
            // Indirect branch (bx lr, pop {pc}, ldr pc, a computed jump): look the target up
            // among the region's blocks before leaving.
            f.get(count).i32(ninsn).op(O.i32_add).tee(count).get(budget).op(O.i32_lt_u).open(O.if);
            f.br(forward(n) + ifDepth + 1);
            f.end();
            toEpilogue(Exit.NEXT, 0, 0);
          } else {
            setPC();
            toEpilogue(o.imm, ninsn, 0);
          }
          deferredPC = null;
          break;
        }
        default:
          throw new Error(`codegen: op ${o.op} not handled`);
      }
    }
    f.op(O.unreachable);
    if (self) f.end();
  });
  f.end(); // close "block" n: the indirect-branch lookup follows
  emitLookup(f, blocks, wordLocal.get(W.PC)!, wordLocal.get(W.T)!, wordLocal.get(W.ITSTATE)!, scratch, addrTmp);
  f.end(); // loop
  f.op(O.unreachable);
  // A slow-path access faulted (anything else thrown is not ours: rethrown): leave as after
  // the faulting instruction's predecessors, with its PC and ITSTATE (FAULT_PC, FAULT_SITE).
  f.op(O.catch_all);
  f.i32(0).mem(O.i32_load, 2, wordAddr(W.JIT_FAULT)).op(O.i32_eqz).open(O.if).op(O.rethrow).code.uleb(1);
  f.end();
  f.i32(0).mem(O.i32_load, 2, wordAddr(W.FAULT_PC)).set(exitPC);
  // exit = instruction index << 4 | EXIT_FAULT; exitIT = ITSTATE + 1 - 1
  f.i32(0).mem(O.i32_load, 2, wordAddr(W.FAULT_SITE)).tee(exitIT).i32(3).op(O.i32_shr_u).i32(0x1ff << 4).op(O.i32_and).i32(EXIT_FAULT).op(O.i32_or).set(exit);
  f.get(exitIT).i32(16).op(O.i32_shr_u).i32(1).op(O.i32_sub).set(exitIT);
  f.end(); // try
  f.end(); // $epi
  // The epilogue: state back to memory, instructions counted (ICOUNT up, BUDGET down), faults completed.
  writeBack();
  f.get(count).get(exit).i32(4).op(O.i32_shr_u).op(O.i32_add).set(count);
  f.i32(0).i32(0).mem(O.i64_load, 3, wordAddr(W.ICOUNT_LO));
  f.get(count).op(O.i64_extend_i32_u).op(0x7c /* i64.add */).mem(O.i64_store, 3, wordAddr(W.ICOUNT_LO));
  emitBudgetUse(f, stateBase, count);
  f.get(exit).i32(15).op(O.i32_and).tee(exit).i32(EXIT_FAULT).op(O.i32_eq).open(O.if);
  f.i32(0).get(exitPC).mem(O.i32_store, 2, wordAddr(W.PC));
  f.i32(0).get(exitPC).mem(O.i32_store, 2, wordAddr(W.FAULT_PC));
  f.get(exitIT).i32(0).op(O.i32_ge_s).open(O.if).i32(0).get(exitIT).mem(O.i32_store, 2, wordAddr(W.ITSTATE)).end();
  f.i32(0).mem(O.i32_load, 2, wordAddr(W.JIT_FAULT)).set(exit);
  f.i32(0).i32(0).mem(O.i32_store, 2, wordAddr(W.JIT_FAULT));
  f.end();
  f.get(exit);
  return f;
}

/** The exit reason in the epilogue's `exit` of a fault (exitPC, exitIT: its instruction's state). */
const EXIT_FAULT = 15;

/** How a temp's value reaches its readers. */
const enum Kind {
  /** In a wasm local from the pool, from its definition to its last read. */
  LOCAL = 0,
  /** A constant, emitted at each read. */
  CONST = 1,
  /** A GET whose word's local is unchanged until the last read: that local is read instead. */
  ALIAS = 2,
  /** A pure op read once: its expression is emitted at the read (wasm's operand stack). */
  INLINE = 3,
}

const PURE_OP = opTable([...Object.keys(BIN).map(Number), Op.CONST, Op.GET, Op.MULHU, Op.MULHS, Op.UDIV, Op.SDIV, Op.CLZ, Op.SELECT, Op.SEXT8, Op.SEXT16, Op.BSWAP]);
/** Ops that read each operand exactly once from straight-line code, so an operand may be an inlined expression. */
const READS_ONCE = opTable([...Object.keys(BIN).map(Number), Op.MULHU, Op.MULHS, Op.CLZ, Op.SELECT, Op.SEXT8, Op.SEXT16, Op.SET, Op.IF, Op.CALL]);

/** Where each temp of the block being generated lives. Its arrays are scratch (reused by the next block). */
interface TempPlan {
  kind: Uint8Array;
  /** Op index defining each temp. */
  defAt: Int32Array;
  /** Op index at which a LOCAL temp is read for the last time (-1: never). */
  lastUse: Int32Array;
  /**
   * The temps whose locals return to the pool at each op index, as lists: the first at
   * freeHead[op] (-1: none), each next at freeNext[temp], in increasing temp order.
   */
  freeHead: Int32Array;
  freeNext: Int32Array;
}

// Working arrays of planTemps and genRegion, reused from block to block (opt/scratch.ts).
/** constOf's memo (per block, reused). */
const knownS = new ScratchU8();
const knownValueS = new ScratchI32();
const kindS = new ScratchU8();
const defAtS = new ScratchI32();
const usesS = new ScratchI32();
const userS = new ScratchI32();
const effS = new ScratchI32();
const lastUseS = new ScratchI32();
const freeHeadS = new ScratchI32();
const freeNextS = new ScratchI32();
const tlScratch = new ScratchI32();

/** Counts the reads of each temp `o` reads and remembers op `i` as its (so far) last reader. */
function noteReads(o: IRInsn, i: number, uses: Int32Array, user: Int32Array): void {
  const args = o.args;
  if (args) {
    for (let k = 0; k < args.length; k++) {
      uses[args[k]]++;
      user[args[k]] = i;
    }
    return;
  }
  if (o.a >= 0) {
    uses[o.a]++;
    user[o.a] = i;
  }
  if (o.b >= 0 && o.op !== Op.INSN) {
    uses[o.b]++;
    user[o.b] = i;
  }
  if (o.op === Op.SELECT) {
    uses[o.c]++;
    user[o.c] = i;
  }
}

/** Raises the last use of each temp `o` reads to `at`. */
function noteLastUse(o: IRInsn, at: number, lastUse: Int32Array): void {
  const args = o.args;
  if (args) {
    for (let k = 0; k < args.length; k++) if (at > lastUse[args[k]]) lastUse[args[k]] = at;
    return;
  }
  if (o.a >= 0 && at > lastUse[o.a]) lastUse[o.a] = at;
  if (o.b >= 0 && o.op !== Op.INSN && at > lastUse[o.b]) lastUse[o.b] = at;
  if (o.op === Op.SELECT && at > lastUse[o.c]) lastUse[o.c] = at;
}

/**
 * Decides, last op first, where each temp lives. An inlined op is evaluated where its reader
 * is emitted (its "effective" position), so its own operands stay live until then; temps in the
 * IR are defined once and pure ops cannot fault, so moving a pure op later changes nothing. A GET
 * becomes an alias of its word's local when no SET of the word, and no helper call that may
 * change it, comes between the GET and its last effective read.
 */
function planTemps(block: IRBlock): TempPlan {
  const ops = block.ops;
  const n = ops.length;
  const nt = block.ntemps;
  const kind = kindS.take(nt, Kind.LOCAL);
  const defAt = defAtS.take(nt, -1);
  const uses = usesS.take(nt, 0);
  const user = userS.take(nt, -1);
  for (let i = 0; i < n; i++) {
    const o = ops[i];
    if (o.d >= 0) defAt[o.d] = i;
    noteReads(o, i, uses, user);
  }
  const eff = effS.take(n, 0);
  const lastUse = lastUseS.take(nt, -1);
  for (let i = n - 1; i >= 0; i--) {
    const o = ops[i];
    eff[i] = i;
    const d = o.d;
    if (d >= 0 && PURE_OP[o.op]) {
      if (o.op === Op.CONST) kind[d] = Kind.CONST;
      else if (o.op === Op.GET) {
        if (uses[d] > 0 && !changedBetween(ops, o.imm, i, lastUse[d])) kind[d] = Kind.ALIAS;
      } else if (uses[d] === 1 && READS_ONCE[ops[user[d]].op]) {
        kind[d] = Kind.INLINE;
        eff[i] = lastUse[d];
      }
    }
    noteLastUse(o, eff[i], lastUse);
  }
  const freeHead = freeHeadS.take(n, -1);
  const freeNext = freeNextS.take(nt, -1);
  for (let x = nt - 1; x >= 0; x--) {
    if (kind[x] !== Kind.LOCAL || lastUse[x] < 0) continue;
    freeNext[x] = freeHead[lastUse[x]];
    freeHead[lastUse[x]] = x;
  }
  return { kind, defAt, lastUse, freeHead, freeNext };
}

/** Does `block` write its own address to PC from a constant (a loop of one block)? */
function branchesToSelf(block: IRBlock): boolean {
  const ops = block.ops;
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i];
    if (o.op !== Op.SET || o.imm !== W.PC) continue;
    for (let j = i - 1; j >= 0; j--) {
      if (ops[j].d !== o.a) continue;
      if (ops[j].op === Op.CONST && ops[j].imm >>> 0 === block.pc) return true;
      break;
    }
  }
  return false;
}

/** The index of the first op from `from` on that is not pure. */
function skipPure(ops: IRInsn[], from: number): number {
  let j = from;
  while (j < ops.length && PURE_OP[ops[j].op]) j++;
  return j;
}

/**
 * Do temps `a` and `b` compute the same pure expression of the same state words and constants
 * (two instructions' conditions)? The caller knows no word they read changed in between.
 */
function sameCondition(ops: IRInsn[], defAt: Int32Array, a: number, b: number, depth = 0): boolean {
  if (a === b) return true;
  if (a < 0 || b < 0 || depth > 4) return false;
  const x = ops[defAt[a]];
  const y = ops[defAt[b]];
  if (!x || !y || x.op !== y.op || !PURE_OP[x.op]) return false;
  if (x.op === Op.CONST || x.op === Op.GET) return x.imm === y.imm;
  if (BIN[x.op] === undefined) return false;
  return sameCondition(ops, defAt, x.a, y.a, depth + 1) && sameCondition(ops, defAt, x.b, y.b, depth + 1);
}

/** May state word `w` change strictly between ops `from` and `to`? */
function changedBetween(ops: IRInsn[], w: number, from: number, to: number): boolean {
  for (let j = from + 1; j < to; j++) {
    const o = ops[j];
    if (o.op === Op.SET && o.imm === w) return true;
    if (o.op === Op.CALL && HELPERS[o.imm].touchesState) return true;
  }
  return false;
}
/**
 * The indirect-branch lookup, at the top level of the region loop: hashes the target PC into
 * a br_table of stubs, each comparing with the one region block that hashes there; a hit
 * restarts the loop at that block, a miss leaves through the epilogue.
 */
function emitLookup(f: FuncBody, blocks: IRBlock[], pcL: number, tL: number, itL: number, scratch: number, keyL: number): void {
  let size = 8;
  while (size < 2 * blocks.length && size < 256) size *= 2;
  const hash = (pc: number) => ((pc >>> 1) ^ (pc >>> 7)) & (size - 1);
  // Each slot's blocks (colliding ones are compared in turn).
  const slot: number[][] = Array.from({ length: size }, () => []);
  blocks.forEach((b, j) => slot[hash(b.pc)].push(j));
  const key = (b: IRBlock) => (b.thumb ? 1 : 0) | ((b.thumb ? b.itstate : 0) << 1);
  // Stubs only for occupied slots; the br_table sends empty ones straight to $miss.
  const occupied = slot.map((l, h) => (l.length ? h : -1)).filter((h) => h >= 0);
  const k = occupied.length;
  const stubOf = new Map(occupied.map((h, i) => [h, i]));
  f.open(O.block); // $miss
  for (let i = k - 1; i >= 0; i--) f.open(O.block);
  f.get(tL).get(itL).i32(0xff).op(O.i32_and).i32(1).op(O.i32_shl).op(O.i32_or).set(keyL);
  f.get(pcL).i32(1).op(O.i32_shr_u).get(pcL).i32(7).op(O.i32_shr_u).op(O.i32_xor).i32(size - 1).op(O.i32_and);
  f.brTable(
    slot.map((_, h) => stubOf.get(h) ?? k),
    k,
  );
  for (let i = 0; i < k; i++) {
    f.end(); // stub i follows; enclosing: stubs i+1.., $miss, loop
    for (const j of slot[occupied[i]]) {
      const b = blocks[j];
      f.get(pcL).i32(b.pc).op(O.i32_eq);
      if (key(b) === 0) f.get(keyL).op(O.i32_eqz);
      else f.get(keyL).i32(key(b)).op(O.i32_eq);
      f.op(O.i32_and);
      f.open(O.if).i32(j).set(scratch).br(k - i + 1).end();
    }
    f.br(k - 1 - i); // to $miss
  }
  f.end(); // $miss: leave with NEXT (the instructions are already counted)
  f.br(2); // `exit` is 0: NEXT, nothing more to count
}

export { I32, I64 };
