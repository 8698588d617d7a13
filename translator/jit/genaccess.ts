// Tier 1's loads and stores (codegen.ts RegionGen builds on this): each access through the
// region's MemStrategy, its fast-path test or, with slow-path exits (jit/slowexit.ts), the exit
// before its instruction; the tests shared by a tier-1 access group (leadgroups.ts) or a tier-2
// one (groupcheck.ts); runs of word accesses (LDM, STM, PUSH, POP) under one test; the D
// register pairs of VLDR/VSTR (vfp-ldst.ts).

import { Mem, Op } from '../ir.js';
import { I32, O } from '../wasm/builder.js';
import { Kind } from '../opt/scratch.js';
import { emitDLoad, emitDStore, emitInPage, matchDLoad, matchDStore, type DPairCtx } from './vfp-ldst.js';
import { EXIT_SLOW } from './slowexit.js';
import { faultSite } from './memstrategy.js';
import { PURE_OP, inState } from './tempplan.js';
import { RegionState, UNKNOWN } from './genstate.js';

const LOADS: Record<number, number> = { 1: O.i32_load8_u, 2: O.i32_load16_u, 4: O.i32_load };
const LOADS_S: Record<number, number> = { 1: O.i32_load8_s, 2: O.i32_load16_s, 4: O.i32_load };
const STORES: Record<number, number> = { 1: O.i32_store8, 2: O.i32_store16, 4: O.i32_store };

/** Loads and stores, for the code generator of one region (codegen.ts RegionGen). */
export abstract class RegionAccesses extends RegionState implements DPairCtx {
  /** Pushes a slow-path access's last argument: its site id (ImportMap.site: faultSite and its instruction's PC). */
  protected slowArgs(flags: number): void {
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
  protected slowCheck(addr: number, flags: number, write: boolean, known: number | undefined): boolean {
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
  protected leadTest(addr: number, flags: number, bytes: number): boolean {
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
  protected openGroup(addr: number): boolean {
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
  protected slowExitWord(flags: number): void {
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
  protected exitIf(inGroup = false): void {
    this.f.brIf(this.epilogueDepth(inGroup ? 1 : 0)).op(O.drop);
  }

  /** After a code path's slow-path loads: BUDGET again where a device read may have zeroed it (ImportMap.slowLoad). */
  afterSlowLoads(): void {
    if (this.mem.loadsMayStop) this.readBudget();
  }

  /**
   * The word accesses of one instruction from op i on that go at addresses a, a + 4, a + 8...
   * (LDM, STM, PUSH, POP; a: op i's address temp), of one kind and the same flags. Between
   * two of them only pure ops that need no local, and the next one's address (ADD a, #4k, read
   * by that access alone); a store's value must be a constant, a state word's local or a temp
   * defined before the run. Lists their op indices in `runOps`; returns how many (1: no run).
   */
  protected wordRun(i: number, q: number): number {
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
  protected runValue(x: number, i: number): boolean {
    const kd = this.kind[x];
    return kd === Kind.CONST || kd === Kind.ALIAS || (kd === Kind.LOCAL && this.defAt[x] < i);
  }

  /**
   * A run of `n` word accesses (wordRun): one fast-path check for all of them (the first
   * passes and the last is on its page: a pass holds for the whole page, see MemStrategy),
   * then each access at host + 4k; else each in turn through the slow path, as they would have
   * gone one by one. Returns the index of the run's last op.
   */
  protected genWordRun(n: number, store: boolean): number {
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
  protected genLoad(i: number, q: number): number {
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
      this.freeAt(i);
    } else if (d >= 0) f.set(this.tl[d]);
    else f.op(O.drop);
    return i;
  }

  /** A STORE (op i); returns the index of the last op it consumed. */
  protected genStore(i: number, q: number): number {
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
}
