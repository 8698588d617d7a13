// An IR pass for generated code: drops state writes that are overwritten before anything can
// see them, writes of a word's own unchanged value, and then the computation nothing reads.
//
// The typical case is the flags: a Thumb-16 ALU instruction outside an IT block sets N and Z
// (ARM ARM A8.4.3, "setflags = !InITBlock()"), and the next `cmp` overwrites them. A state
// word is observable at every point where the block may leave or something else may read the
// state block: an EXIT (including a side exit in an IF that is not taken), a LOAD or STORE
// (a fault leaves the block with the state precise), a helper CALL that touches the state and
// a GET of the word. A write is dead when a later unconditional write of the same word comes
// before any of those. The pass keeps the state exact at every point where it can be seen, so
// the interpreter, --check-jit and the fault paths cannot tell the difference.

import { HELPERS } from '../helpers.js';
import { IRInsn, Op, type IRBlock } from '../ir.js';
import { STATE_BYTES, W } from '../state.js';
import { ScratchI32, ScratchU8, opTable } from './scratch.js';

const PURE = opTable([
  Op.CONST, Op.GET, Op.ADD, Op.SUB, Op.AND, Op.OR, Op.XOR, Op.SHL, Op.SHR, Op.SAR, Op.ROR, Op.MUL,
  Op.MULHU, Op.MULHS, Op.UDIV, Op.SDIV, Op.CLZ, Op.EQ, Op.NE, Op.LTU, Op.LTS, Op.LEU, Op.LES,
  Op.SELECT, Op.SEXT8, Op.SEXT16, Op.BSWAP,
]);

/** Calls `fn` with each temp the op reads. */
export function forEachOperand(o: IRInsn, fn: (t: number) => void): void {
  if (o.args) {
    for (const x of o.args) fn(x);
    return;
  }
  if (o.a >= 0) fn(o.a);
  if (o.b >= 0 && o.op !== Op.INSN) fn(o.b);
  if (o.op === Op.SELECT) fn(o.c);
}

/** Adds `delta` to the use count of each temp `o` reads (forEachOperand without a closure). */
function countOperands(o: IRInsn, uses: Int32Array, delta: number): void {
  const args = o.args;
  if (args) {
    for (let k = 0; k < args.length; k++) uses[args[k]] += delta;
    return;
  }
  if (o.a >= 0) uses[o.a] += delta;
  if (o.b >= 0 && o.op !== Op.INSN) uses[o.b] += delta;
  if (o.op === Op.SELECT) uses[o.c] += delta;
}

const NWORDS = STATE_BYTES / 4;
/** Is word `w` one a VFP-only helper may read or change (the VFP registers, FPSCR)? */
const vfpWord = (w: number) => w >= W.VFP || w === W.FPSCR;

// Per-block working arrays, reused (scratch.ts).
const defAtS = new ScratchI32();
const usesS = new ScratchI32();
const keepS = new ScratchU8();
const lastSet = new Int32Array(NWORDS);
/** The block's SET words numbered densely (-1: never SET): only those can be dead. */
const dense = new Int32Array(NWORDS);
const denseWords = new Int32Array(NWORDS);
/** killed[dense[w]]: from this point on, every path writes w before anything can observe it. */
const killed = new Uint8Array(NWORDS);
/** killed at each open ENDIF (walking backwards), by nesting depth. */
const savedKilled: Uint8Array[] = [];

/**
 * The block with dead state writes and unused pure computation removed (a new block; `block`
 * is unchanged). Three linear passes over the ops:
 * - forwards, a SET is a self-copy when its value is a GET of the same word with no SET of
 *   the word, and no helper that may change it, in between;
 * - backwards, a SET is dead when `killed` says a later unconditional SET of the word comes
 *   before any observer on every path: an observer clears `killed` for what it may read, a SET
 *   sets it, and an IF body (walking out of it at its IF) keeps only what held both before the
 *   body and after its ENDIF, since the body may be skipped;
 * - backwards, pure ops whose result nobody reads, so a removal frees its operands' definitions.
 */
export function removeDeadSets(block: IRBlock): IRBlock {
  const ops = block.ops;
  const n = ops.length;
  const defAt = defAtS.take(block.ntemps, -1);
  const keep = keepS.take(n, 1);
  lastSet.fill(-1);
  dense.fill(-1);
  let m = 0;
  let lastCall = -1; // the last helper call that may change any word
  let lastVfpCall = -1; // the last that may change VFP words and FPSCR only
  for (let i = 0; i < n; i++) {
    const o = ops[i];
    if (o.d >= 0) defAt[o.d] = i;
    if (o.op === Op.SET) {
      const w = o.imm;
      const g = defAt[o.a];
      if (g >= 0 && ops[g].op === Op.GET && ops[g].imm === w && lastSet[w] < g && lastCall < g && (!vfpWord(w) || lastVfpCall < g)) keep[i] = 0;
      lastSet[w] = i;
      if (dense[w] < 0) {
        dense[w] = m;
        denseWords[m++] = w;
      }
    } else if (o.op === Op.CALL) {
      const h = HELPERS[o.imm];
      if (h.touchesState) {
        if (h.vfpOnly) lastVfpCall = i;
        else lastCall = i;
      }
    }
  }
  killed.fill(0, 0, m);
  let depth = 0;
  for (let i = n - 1; i >= 0; i--) {
    const o = ops[i];
    switch (o.op) {
      case Op.SET: {
        const k = dense[o.imm];
        if (killed[k]) keep[i] = 0;
        killed[k] = 1;
        break;
      }
      case Op.GET: {
        const k = dense[o.imm];
        if (k >= 0) killed[k] = 0;
        break;
      }
      case Op.LOAD:
      case Op.STORE:
      case Op.EXIT:
        killed.fill(0, 0, m);
        break;
      case Op.CALL: {
        const h = HELPERS[o.imm];
        if (!h.touchesState) break;
        if (!h.vfpOnly) killed.fill(0, 0, m);
        else for (let k = 0; k < m; k++) if (vfpWord(denseWords[k])) killed[k] = 0;
        break;
      }
      case Op.ENDIF: {
        const s = (savedKilled[depth++] ??= new Uint8Array(NWORDS));
        for (let k = 0; k < m; k++) s[k] = killed[k];
        break;
      }
      case Op.IF: {
        const s = savedKilled[--depth];
        for (let k = 0; k < m; k++) killed[k] &= s[k];
        break;
      }
    }
  }
  // Dead pure ops, last to first so a removal frees its operands' earlier definitions.
  const uses = usesS.take(block.ntemps, 0);
  for (let i = 0; i < n; i++) if (keep[i]) countOperands(ops[i], uses, 1);
  for (let i = n - 1; i >= 0; i--) {
    const o = ops[i];
    if (keep[i] && o.d >= 0 && uses[o.d] === 0 && PURE[o.op]) {
      keep[i] = 0;
      countOperands(o, uses, -1);
    }
  }
  // The kept ops; IF's `c` is the index of its ENDIF, so it is recomputed.
  const out: IRInsn[] = [];
  const ifs: IRInsn[] = [];
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    const o = ops[i];
    if (o.op === Op.IF) {
      const copy = new IRInsn(o.op, o.d, o.a, o.b, o.c, o.imm, o.args);
      ifs.push(copy);
      out.push(copy);
    } else {
      if (o.op === Op.ENDIF) ifs.pop()!.c = out.length;
      out.push(o);
    }
  }
  // The fields in IRBuilder.finish's order: one object shape for every block (ir.ts).
  return { pc: block.pc, thumb: block.thumb, itstate: block.itstate, ops: out, ntemps: block.ntemps, ninsns: block.ninsns, end: block.end, pl: block.pl, usesVfp: block.usesVfp };
}
