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

// Packed ops (ir.ts IRBlock.code): 6 words each, +0 op, +1 d, +2 a, +3 b, +4 c, +5 imm. The
// offsets are literals here: bundled, ir.ts's constants become variables that V8 reloads. So
// are the switch's case labels (Op's values): V8 compiles a switch on small-integer literals
// to a jump table, one on `Op.X` to a chain of comparisons (INSN, the 34th, took 33).

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

/** Adds `delta` to the use count of each temp op `i` of `block` reads (forEachOperand on the packed ops). */
function countOperands(block: IRBlock, i: number, uses: Int32Array, delta: number): void {
  const code = block.code;
  const k = i * 6;
  const op = code[k];
  if (op === Op.CALL) {
    const args = block.callArgs[code[k + 4]];
    for (let j = 0; j < args.length; j++) uses[args[j]] += delta;
    return;
  }
  const a = code[k + 2];
  const b = code[k + 3];
  if (a >= 0) uses[a] += delta;
  if (b >= 0 && op !== Op.INSN) uses[b] += delta;
  if (op === Op.SELECT) uses[code[k + 4]] += delta;
}

const NWORDS = STATE_BYTES / 4;
/** Is word `w` one a VFP-only helper may read or change (the VFP registers, FPSCR)? */
const vfpWord = (w: number) => w >= W.VFP || w === W.FPSCR;

// Per-block working arrays, reused (scratch.ts).
const defAtS = new ScratchI32();
const usesS = new ScratchI32();
const keepS = new ScratchU8();
const ifsS = new ScratchI32();
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
  const code = block.code;
  const n = block.nops;
  const defAt = defAtS.take(block.ntemps, -1);
  const keep = keepS.take(n, 1);
  lastSet.fill(-1);
  dense.fill(-1);
  let m = 0;
  let lastCall = -1; // the last helper call that may change any word
  let lastVfpCall = -1; // the last that may change VFP words and FPSCR only
  for (let i = 0, k = 0; i < n; i++, k += 6) {
    const op = code[k];
    const d = code[k + 1];
    if (d >= 0) defAt[d] = i;
    if (op === Op.SET) {
      const w = code[k + 5];
      const g = defAt[code[k + 2]];
      if (g >= 0 && code[g * 6] === Op.GET && code[g * 6 + 5] === w && lastSet[w] < g && lastCall < g && (!vfpWord(w) || lastVfpCall < g)) keep[i] = 0;
      lastSet[w] = i;
      if (dense[w] < 0) {
        dense[w] = m;
        denseWords[m++] = w;
      }
    } else if (op === Op.CALL) {
      const h = HELPERS[code[k + 5]];
      if (h.touchesState) {
        if (h.vfpOnly) lastVfpCall = i;
        else lastCall = i;
      }
    }
  }
  killed.fill(0, 0, m);
  let depth = 0;
  for (let i = n - 1; i >= 0; i--) {
    const k = i * 6;
    switch (code[k]) {
      case 2 /* SET */: {
        const x = dense[code[k + 5]];
        if (killed[x]) keep[i] = 0;
        killed[x] = 1;
        break;
      }
      case 1 /* GET */: {
        const x = dense[code[k + 5]];
        if (x >= 0) killed[x] = 0;
        break;
      }
      case 28 /* LOAD */:
      case 29 /* STORE */:
      case 34 /* EXIT */:
        killed.fill(0, 0, m);
        break;
      case 30 /* CALL */: {
        const h = HELPERS[code[k + 5]];
        if (!h.touchesState) break;
        if (!h.vfpOnly) killed.fill(0, 0, m);
        else for (let x = 0; x < m; x++) if (vfpWord(denseWords[x])) killed[x] = 0;
        break;
      }
      case 32 /* ENDIF */: {
        const sv = (savedKilled[depth++] ??= new Uint8Array(NWORDS));
        for (let x = 0; x < m; x++) sv[x] = killed[x];
        break;
      }
      case 31 /* IF */: {
        const sv = savedKilled[--depth];
        for (let x = 0; x < m; x++) killed[x] &= sv[x];
        break;
      }
    }
  }
  // Dead pure ops, last to first so a removal frees its operands' earlier definitions.
  const uses = usesS.take(block.ntemps, 0);
  let kept = 0;
  for (let i = 0; i < n; i++) if (keep[i]) countOperands(block, i, uses, 1);
  for (let i = n - 1; i >= 0; i--) {
    if (!keep[i]) continue;
    const k = i * 6;
    const d = code[k + 1];
    if (d >= 0 && uses[d] === 0 && PURE[code[k]]) {
      keep[i] = 0;
      countOperands(block, i, uses, -1);
    } else kept++;
  }
  // The kept ops, as the objects the code generator reads (this block goes nowhere else); IF's
  // `c` is the index of its ENDIF, so it is recomputed, on a copy.
  const out: IRInsn[] = new Array(kept);
  const ifs = ifsS.take(kept, 0);
  let nifs = 0;
  let j = 0;
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    const op = code[i * 6];
    let o = block.op(i);
    if (op === 31 /* IF */) {
      o = new IRInsn(o.op, o.d, o.a, o.b, o.c, o.imm, o.args);
      ifs[nifs++] = j;
    } else if (op === 32 /* ENDIF */) out[ifs[--nifs]].c = j;
    out[j++] = o;
  }
  return block.withOps(out, block.ntemps, block.ninsns, block.end);
}
