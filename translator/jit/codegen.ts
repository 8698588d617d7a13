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
//
// One concept per file: genstate.ts holds the region's state and what every part shares,
// genaccess.ts the loads and stores, this file the op loop, helper calls, IF/ENDIF and exits.

import { HELPERS } from '../helpers.js';
import { Exit, Op, type IRBlock } from '../ir.js';
import { W } from '../state.js';
import { Bytes, FuncBody, I32, I64, O } from '../wasm/builder.js';
import { Kind } from '../opt/scratch.js';
import { VfpInliner } from './vfp-inline.js';
import { H } from '../vfp/helpers.js';
import { foldBinary } from './fold.js';
import { emitBudgetUse } from './dispatch.js';
import { EXIT_SLOW } from './slowexit.js';
import { BIN } from './binops.js';
import { emitLookup, type RegionDispatch } from './lookup.js';
import type { MemStrategy } from './memstrategy.js';
import { planGroups } from './groupcheck.js';
import { planLeads } from './leadgroups.js';
import { PURE_OP, inState, sameCondition, skipPure } from './tempplan.js';
import { EXIT_FAULT, UNKNOWN, arena, vfpRegs, type ImportMap, type RegionLookup } from './genstate.js';
import { RegionAccesses } from './genaccess.js';

export type { ImportMap, RegionLookup } from './genstate.js';

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


/** The code generator of one region (genstate.ts, genaccess.ts). */
class RegionGen extends RegionAccesses {
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

  /** Pushes the result of pure op `i`. */
  protected expr(i: number): void {
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
    const { kind, lastUse, pool, tl } = this;
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
      this.freeAt(i);
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

export { I32, I64 };
