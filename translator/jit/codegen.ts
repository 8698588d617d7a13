// Tier 1 code generation: one lifted block's IR -> one wasm function `() -> exit reason`.
//
// State words the block touches live in wasm locals: loaded at entry, written back before
// every exit and helper call (helpers see and may change the state block), reloaded after.
// Memory accesses go through a MemStrategy, so the flat user-mode path and the system-mode
// softmmu TLB share everything else.

import { HELPERS } from '../helpers.js';
import { Exit, Mem, Op, type IRBlock, type IRInsn } from '../ir.js';
import { W } from '../state.js';
import { FuncBody, I32, I64, O } from '../wasm/builder.js';
import { VfpInliner } from './vfp-inline.js';

/** What the code generator needs from its module: function indices of the imports. */
export interface ImportMap {
  /** Function index of helper `id` (imports it on first use). */
  helper(id: number): number;
  /** Slow-path load: (addr, flags) -> value; sets state JIT_FAULT on a fault. */
  slowLoad: number;
  /** Slow-path store: (addr, value, flags); sets state JIT_FAULT on a fault. */
  slowStore: number;
}

/**
 * How guest loads and stores become wasm (DESIGN.md: flat for user mode, the softmmu TLB for
 * system mode). The code generator asks the strategy for a fast-path test; everything else
 * (slow path, fault exit, the access itself) is shared.
 */
export interface MemStrategy {
  /**
   * Emits code that leaves an i32 on the stack, non-zero when the access at the guest address
   * in local `addr` may be done directly, and stores the host address to use in local `host`
   * (only read when the test passed).
   */
  emitFastCheck(f: FuncBody, addr: number, flags: number, write: boolean, host: number): void;
}

/** Linux user mode: guest address = host offset; a permission byte per page decides. */
export class FlatStrategy implements MemStrategy {
  constructor(readonly permBase: number) {}
  emitFastCheck(f: FuncBody, addr: number, flags: number, write: boolean, host: number): void {
    const size = flags & Mem.SIZE_MASK;
    f.get(addr).set(host);
    // perm[addr >>> 12] & need  (writes: W set and CODE clear, so code pages go slow)
    f.get(addr).i32(12).op(O.i32_shr_u).mem(O.i32_load8_u, 0, this.permBase);
    if (write) f.i32(2 | 8).op(O.i32_and).i32(2).op(O.i32_eq);
    else f.i32(1).op(O.i32_and);
    if (flags & (Mem.ALIGN | Mem.ALIGN8)) {
      const mask = flags & Mem.ALIGN8 ? 7 : size - 1;
      f.get(addr).i32(mask).op(O.i32_and).op(O.i32_eqz).op(O.i32_and);
    } else if (size > 1) {
      f.get(addr).i32(0xfff).op(O.i32_and).i32(4096 - size).op(O.i32_le_u).op(O.i32_and);
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
  let tl = new Int32Array(0); // temp -> local, for the block being generated
  const scratch = f.local();
  const host = f.local(); // host address of a fast-path access
  const count = f.local(); // guest instructions retired in this call, before the current block
  // The shared epilogue's inputs: the exit reason (-1: a fault), instructions of the current
  // block to add, and the faulting instruction's PC.
  const exitReason = f.local();
  const exitN = f.local();
  const exitPC = f.local();
  const exitIT = f.local(); // the faulting instruction's ITSTATE, or -1

  /** `vfpOnly`: just the VFP registers and FPSCR (around helpers that touch only those). */
  const isVfpWord = (w: number) => w >= W.VFP || w === W.FPSCR;
  const loadWords = (vfpOnly = false) => {
    for (const [w, l] of wordLocal) if (!vfpOnly || isVfpWord(w)) f.i32(0).mem(O.i32_load, 2, wordAddr(w)).set(l);
  };
  const writeBack = (vfpOnly = false) => {
    for (const w of written) if (!vfpOnly || isVfpWord(w)) f.i32(0).get(wordLocal.get(w)!).mem(O.i32_store, 2, wordAddr(w));
  };
  const spillWords = (words: readonly number[]) => {
    for (const w of words) if (written.has(w)) f.i32(0).get(wordLocal.get(w)!).mem(O.i32_store, 2, wordAddr(w));
  };
  const reloadWords = (words: readonly number[]) => {
    for (const w of words) {
      const l = wordLocal.get(w);
      if (l !== undefined) f.i32(0).mem(O.i32_load, 2, wordAddr(w)).set(l);
    }
  };
  loadWords();
  f.get(entry).set(scratch);

  // Blocks 0..n-1 are the region's; "block" n is the lookup of an indirect branch target.
  const n = blocks.length;
  f.open(O.block); // $epi: every exit branches out of it to the shared epilogue
  f.open(O.loop);
  for (let k = n; k >= 0; k--) f.open(O.block);
  f.get(scratch).brTable(
    [...blocks.map((_, j) => j), n],
    n,
  );

  const t = (i: number) => tl[i];
  blocks.forEach((block, k) => {
    f.end(); // close block $b_k: its code follows
    const loopDepth = n - k; // `br loopDepth` at the block's top level restarts the dispatcher
    let ninsn = 0;
    let pc = block.pc;
    let itNow = -1;
    let ifDepth = 0;
    // Constant tracking for direct branches: temp -> value, and the last PC/T/IT written.
    const consts = new Map<number, number>();
    let pcConst: number | null = null;
    let tConst: number | null = block.thumb ? 1 : 0;
    let itConst: number | null = block.itstate;
    // At IF the known values are saved; at ENDIF a value stays known if both paths agree.
    const saved: [number | null, number | null, number | null][] = [];
    const merge = (a: number | null, b: number | null) => (a === b ? a : null);

    /** To the epilogue from the top level of this block's code, `extra` levels deeper. */
    const toEpilogue = (reason: number, insns: number, extra: number) => {
      f.i32(reason).set(exitReason).i32(insns).set(exitN);
      f.br(loopDepth + ifDepth + 1 + extra);
    };
    /** After a slow-path call (inside the access's if/else): leave if it faulted. */
    const faultCheck = () => {
      f.i32(0).mem(O.i32_load, 2, wordAddr(W.JIT_FAULT)).open(O.if);
      f.i32(pc).set(exitPC).i32(itNow).set(exitIT);
      toEpilogue(-1, ninsn - 1, 2);
      f.end();
    };

    tl = new Int32Array(block.ntemps);
    const lastUse = lastUses(block);
    const ops = block.ops;
    for (let i = 0; i < ops.length; i++) {
      const o = ops[i];
      // Operands whose last use this is give their locals back; then the result takes one.
      forEachOperand(o, (x) => {
        if (lastUse[x] === i) {
          pool.push(tl[x]);
          lastUse[x] = -2; // freed (an operand may appear twice)
        }
      });
      if (o.d >= 0) {
        tl[o.d] = pool.pop() ?? f.local();
        if (lastUse[o.d] === -1) pool.push(tl[o.d]); // never read: free after this op
      }
      const bin = BIN[o.op];
      if (bin !== undefined) {
        f.get(t(o.a)).get(t(o.b)).op(bin).set(t(o.d));
        continue;
      }
      switch (o.op) {
        case Op.CONST:
          consts.set(o.d, o.imm);
          f.i32(o.imm).set(t(o.d));
          break;
        case Op.GET:
          if (inState(o.imm)) f.i32(0).mem(O.i32_load, 2, wordAddr(o.imm)).set(t(o.d));
          else f.get(wordLocal.get(o.imm)!).set(t(o.d));
          break;
        case Op.SET: {
          if (inState(o.imm)) f.i32(0).get(t(o.a)).mem(O.i32_store, 2, wordAddr(o.imm));
          else f.get(t(o.a)).set(wordLocal.get(o.imm)!);
          const v = consts.get(o.a);
          if (o.imm === W.PC) pcConst = v ?? null;
          else if (o.imm === W.T) tConst = v ?? null;
          else if (o.imm === W.ITSTATE) itConst = v ?? null;
          break;
        }
        case Op.MULHU:
        case Op.MULHS: {
          const ext = o.op === Op.MULHU ? O.i64_extend_i32_u : O.i64_extend_i32_s;
          f.get(t(o.a)).op(ext).get(t(o.b)).op(ext).op(O.i64_mul);
          f.i64(32);
          f.op(O.i64_shr_u).op(O.i32_wrap_i64).set(t(o.d));
          break;
        }
        case Op.UDIV:
          // b == 0 ? 0 : a / b, without wasm's trap
          f.i32(0).get(t(o.a)).get(t(o.b)).get(t(o.b)).op(O.i32_eqz).op(O.i32_or).op(O.i32_div_u);
          f.get(t(o.b)).op(O.i32_eqz).op(O.select).set(t(o.d));
          break;
        case Op.SDIV:
          // b == 0 ? 0 : b == -1 ? -a : a / b  (INT_MIN / -1 wraps to INT_MIN, as on ARM)
          f.i32(0).get(t(o.a)).op(O.i32_sub); // -a
          f.get(t(o.a)); // a / (b in {-1, 0} ? 1 : b)
          f.i32(1).get(t(o.b)).get(t(o.b)).i32(1).op(O.i32_add).i32(1).op(O.i32_le_u).op(O.select);
          f.op(O.i32_div_s);
          f.get(t(o.b)).i32(-1).op(O.i32_eq).op(O.select); // b == -1 ? -a : quotient
          f.i32(0).get(t(o.b)).op(O.select).set(t(o.d)); // b != 0 ? that : 0
          break;
        case Op.CLZ:
          f.get(t(o.a)).op(O.i32_clz).set(t(o.d));
          break;
        case Op.SELECT:
          f.get(t(o.b)).get(t(o.c)).get(t(o.a)).op(O.select).set(t(o.d));
          break;
        case Op.SEXT8:
          f.get(t(o.a)).op(O.i32_extend8_s).set(t(o.d));
          break;
        case Op.SEXT16:
          f.get(t(o.a)).op(O.i32_extend16_s).set(t(o.d));
          break;
        case Op.BSWAP:
          // bytes 3,1 move down/up by rotating 24; bytes 2,0 by rotating 8
          f.get(t(o.a)).i32(0xff00ff00).op(O.i32_and).i32(24).op(O.i32_rotr);
          f.get(t(o.a)).i32(0x00ff00ff).op(O.i32_and).i32(8).op(O.i32_rotr);
          f.op(O.i32_or).set(t(o.d));
          break;
        case Op.LOAD: {
          const size = o.imm & Mem.SIZE_MASK;
          const signed = (o.imm & Mem.SIGNED) !== 0;
          const addr = t(o.a);
          mem.emitFastCheck(f, addr, o.imm, false, host);
          f.open(O.if, I32);
          f.get(host).mem((signed ? LOADS_S : LOADS)[size], 0, 0);
          f.op(O.else);
          f.get(addr).i32(o.imm).call(imports.slowLoad).set(scratch);
          faultCheck();
          f.get(scratch);
          f.end().set(t(o.d));
          break;
        }
        case Op.STORE: {
          const size = o.imm & Mem.SIZE_MASK;
          const addr = t(o.a);
          mem.emitFastCheck(f, addr, o.imm, true, host);
          f.open(O.if);
          f.get(host).get(t(o.b)).mem(STORES[size], 0, 0);
          f.op(O.else);
          f.get(addr).get(t(o.b)).i32(o.imm).call(imports.slowStore);
          faultCheck();
          f.end();
          break;
        }
        case Op.CALL: {
          const h = HELPERS[o.imm];
          const args = o.args!;
          // A helper that names the words it touches (from a constant first argument) gets
          // just those spilled and reloaded (translation cost: far fewer bytes per call).
          const a0 = h.footprint && args.length ? consts.get(args[0]) : undefined;
          const touched = a0 !== undefined ? h.footprint!(a0) : null;
          const call = () => {
            if (h.touchesState) {
              if (touched) spillWords(touched);
              else writeBack(h.vfpOnly);
            }
            for (let i = 0; i < 4; i++) {
              if (i < args.length) f.get(t(args[i]));
              else f.i32(0);
            }
            f.call(imports.helper(o.imm));
            if (o.d >= 0) f.set(t(o.d));
            else f.op(O.drop);
            if (h.touchesState) {
              if (touched) reloadWords(touched);
              else loadWords(h.vfpOnly);
            }
          };
          // A VFP operation inline, with the call as its slow path.
          if (o.d < 0 && vfp.emit(o.imm, args.map((x) => consts.get(x)), call, ops, i)) break;
          call();
          break;
        }
        case Op.IF:
          f.get(t(o.a)).open(O.if);
          ifDepth++;
          saved.push([pcConst, tConst, itConst]);
          break;
        case Op.ENDIF: {
          f.end();
          ifDepth--;
          const [p, tt, it] = saved.pop()!;
          pcConst = merge(p, pcConst);
          tConst = merge(tt, tConst);
          itConst = merge(it, itConst);
          break;
        }
        case Op.INSN:
          ninsn++;
          pc = o.imm;
          itNow = o.c;
          break;
        case Op.EXIT: {
          const target = o.imm === Exit.NEXT && pcConst !== null && tConst !== null && itConst !== null ? lookup(pcConst >>> 0, tConst !== 0, tConst ? itConst : 0) : -1;
          if (target >= 0) {
            // Direct branch inside the region while the budget lasts. BUDGET is re-read: the
            // runtime zeroes it to make generated code leave (a write to code, a signal...).
            f.get(count).i32(ninsn).op(O.i32_add).tee(count).i32(0).mem(O.i32_load, 2, wordAddr(W.BUDGET)).op(O.i32_lt_u).open(O.if);
            f.i32(target).set(scratch).br(loopDepth + ifDepth + 1);
            f.end();
            toEpilogue(Exit.NEXT, 0, 0);
          } else if (o.imm === Exit.NEXT && pcConst === null) {
            // Indirect branch (bx lr, pop {pc}, ldr pc, a computed jump): look the target up
            // among the region's blocks before leaving.
            f.get(count).i32(ninsn).op(O.i32_add).tee(count).i32(0).mem(O.i32_load, 2, wordAddr(W.BUDGET)).op(O.i32_lt_u).open(O.if);
            f.i32(n).set(scratch).br(loopDepth + ifDepth + 1);
            f.end();
            toEpilogue(Exit.NEXT, 0, 0);
          } else {
            toEpilogue(o.imm, ninsn, 0);
          }
          break;
        }
        default:
          throw new Error(`codegen: op ${o.op} not handled`);
      }
    }
    f.op(O.unreachable);
  });
  f.end(); // close "block" n: the indirect-branch lookup follows
  emitLookup(f, blocks, wordLocal.get(W.PC)!, wordLocal.get(W.T)!, wordLocal.get(W.ITSTATE)!, scratch, exitReason, exitN);
  f.end(); // loop
  f.op(O.unreachable);
  f.end(); // $epi
  // The epilogue: state back to memory, instructions counted, faults completed.
  writeBack();
  f.i32(0).i32(0).mem(O.i64_load, 3, wordAddr(W.ICOUNT_LO));
  f.get(count).get(exitN).op(O.i32_add).op(O.i64_extend_i32_u).op(0x7c /* i64.add */).mem(O.i64_store, 3, wordAddr(W.ICOUNT_LO));
  f.get(exitReason).i32(0).op(O.i32_lt_s).open(O.if);
  f.i32(0).get(exitPC).mem(O.i32_store, 2, wordAddr(W.PC));
  f.i32(0).get(exitPC).mem(O.i32_store, 2, wordAddr(W.FAULT_PC));
  f.get(exitIT).i32(0).op(O.i32_ge_s).open(O.if).i32(0).get(exitIT).mem(O.i32_store, 2, wordAddr(W.ITSTATE)).end();
  f.i32(0).mem(O.i32_load, 2, wordAddr(W.JIT_FAULT)).set(exitReason);
  f.i32(0).i32(0).mem(O.i32_store, 2, wordAddr(W.JIT_FAULT));
  f.end();
  f.get(exitReason);
  return f;
}

/** Calls `fn` with each temp the op reads. */
function forEachOperand(o: IRInsn, fn: (t: number) => void): void {
  if (o.args) {
    for (const x of o.args) fn(x);
    return;
  }
  if (o.a >= 0) fn(o.a);
  if (o.b >= 0 && o.op !== Op.INSN) fn(o.b);
  if (o.op === Op.SELECT) fn(o.c);
}

/** The index of the last op reading each temp (-1: never read). */
function lastUses(block: IRBlock): Int32Array {
  const last = new Int32Array(block.ntemps).fill(-1);
  block.ops.forEach((o, i) => forEachOperand(o, (x) => (last[x] = i)));
  return last;
}

/**
 * The indirect-branch lookup, at the top level of the region loop: hashes the target PC into
 * a br_table of stubs, each comparing with the one region block that hashes there; a hit
 * restarts the loop at that block, a miss leaves through the epilogue.
 */
function emitLookup(f: FuncBody, blocks: IRBlock[], pcL: number, tL: number, itL: number, scratch: number, exitReason: number, exitN: number): void {
  let size = 8;
  while (size < 2 * blocks.length && size < 256) size *= 2;
  const hash = (pc: number) => ((pc >>> 1) ^ (pc >>> 7)) & (size - 1);
  const slot: number[] = new Array(size).fill(-1);
  blocks.forEach((b, j) => {
    const h = hash(b.pc);
    if (slot[h] < 0) slot[h] = j;
  });
  const key = (b: IRBlock) => (b.thumb ? 1 : 0) | ((b.thumb ? b.itstate : 0) << 1);
  // Stubs only for occupied slots; the br_table sends empty ones straight to $miss.
  const occupied = slot.map((j, h) => (j >= 0 ? h : -1)).filter((h) => h >= 0);
  const k = occupied.length;
  const stubOf = new Map(occupied.map((h, i) => [h, i]));
  f.open(O.block); // $miss
  for (let i = k - 1; i >= 0; i--) f.open(O.block);
  f.get(pcL).i32(1).op(O.i32_shr_u).get(pcL).i32(7).op(O.i32_shr_u).op(O.i32_xor).i32(size - 1).op(O.i32_and);
  f.brTable(
    slot.map((_, h) => stubOf.get(h) ?? k),
    k,
  );
  for (let i = 0; i < k; i++) {
    f.end(); // stub i follows; enclosing: stubs i+1.., $miss, loop
    const j = slot[occupied[i]];
    const b = blocks[j];
    f.get(pcL).i32(b.pc).op(O.i32_eq);
    f.get(tL).get(itL).i32(0xff).op(O.i32_and).i32(1).op(O.i32_shl).op(O.i32_or).i32(key(b)).op(O.i32_eq).op(O.i32_and);
    f.open(O.if).i32(j).set(scratch).br(k - i + 1).end();
    f.br(k - 1 - i); // to $miss
  }
  f.end(); // $miss: leave with NEXT (the instructions are already counted)
  f.i32(Exit.NEXT).set(exitReason).i32(0).set(exitN).br(1);
}

export { I32, I64 };
