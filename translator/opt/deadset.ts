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
import { Op, type IRBlock } from '../ir.js';
import { STATE_BYTES, W } from '../state.js';
import { OpArena, ScratchI32, ScratchU8, opTable } from './scratch.js';

// Packed ops (ir.ts IRBlock.code): 6 words each, +0 op, +1 d, +2 a, +3 b, +4 c, +5 imm. The
// offsets are literals here: bundled, ir.ts's constants become variables that V8 reloads. So
// are the switch's case labels (Op's values): V8 compiles a switch on small-integer literals
// to a jump table, one on `Op.X` to a chain of comparisons (INSN, the 34th, took 33).

const PURE = opTable([
  Op.CONST, Op.GET, Op.ADD, Op.SUB, Op.AND, Op.OR, Op.XOR, Op.SHL, Op.SHR, Op.SAR, Op.ROR, Op.MUL,
  Op.MULHU, Op.MULHS, Op.UDIV, Op.SDIV, Op.CLZ, Op.EQ, Op.NE, Op.LTU, Op.LTS, Op.LEU, Op.LES,
  Op.SELECT, Op.SEXT8, Op.SEXT16, Op.BSWAP,
]);

/** Counts a use of each temp op `i` of `block` reads. */
function countOperands(block: IRBlock, i: number, uses: Int32Array): void {
  const code = block.code;
  const k = i * 6;
  const op = code[k];
  if (op === Op.CALL) {
    const args = block.callArgs[code[k + 4]];
    for (let j = 0; j < args.length; j++) uses[args[j]]++;
    return;
  }
  const a = code[k + 2];
  const b = code[k + 3];
  if (a >= 0) uses[a]++;
  if (b >= 0 && op !== Op.INSN) uses[b]++;
  if (op === Op.SELECT) uses[code[k + 4]]++;
}

const NWORDS = STATE_BYTES / 4;
/** Is word `w` one a VFP-only helper may read or change (the VFP registers, FPSCR)? */
const vfpWord = (w: number) => w >= W.VFP || w === W.FPSCR;

// Per-block working arrays, reused (scratch.ts).
const defAtS = new ScratchI32();
const usesS = new ScratchI32();
const keepS = new ScratchU8();
const ifsS = new ScratchI32();
const lastSet = new Int32Array(NWORDS).fill(-1);
/** The block's SET words numbered densely (-1: never SET): only those can be dead. */
const dense = new Int32Array(NWORDS).fill(-1);
const denseWords = new Int32Array(NWORDS);
/** killed[dense[w]]: from this point on, every path writes w before anything can observe it. */
const killed = new Uint8Array(NWORDS);
/** killed at each open ENDIF (walking backwards), by nesting depth. */
const savedKilled: Uint8Array[] = [];

/**
 * Appends the ops of `block` that remain once dead state writes and unused pure computation
 * are removed to `arena` (`block` is unchanged); returns how many. Three linear passes over
 * the ops:
 * - forwards, a SET is a self-copy when its value is a GET of the same word with no SET of
 *   the word, and no helper that may change it, in between;
 * - backwards, a SET is dead when `killed` says a later unconditional SET of the word comes
 *   before any observer on every path: an observer clears `killed` for what it may read, a SET
 *   sets it, and an IF body (walking out of it at its IF) keeps only what held both before the
 *   body and after its ENDIF, since the body may be skipped. The same pass drops pure ops whose
 *   result no kept op reads: walking backwards, every reader of a temp (which comes after its
 *   definition) has been seen, so a removal frees its operands' definitions before they are
 *   reached;
 * - forwards, the kept ops are copied out.
 */
export function removeDeadSetsInto(block: IRBlock, arena: OpArena): number {
  const code = block.code;
  const n = block.nops;
  const defAt = defAtS.take(block.ntemps, -1);
  const keep = keepS.take(n, 1);
  // lastSet and dense are all -1 here: the end of this function resets the words it used.
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
  let kept = 0;
  // Backwards: dead SETs and dead pure ops, counting the uses of the temps the kept ops read.
  const uses = usesS.take(block.ntemps, 0);
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
    if (keep[i]) {
      const d = code[k + 1];
      if (d >= 0 && uses[d] === 0 && PURE[code[k]]) keep[i] = 0;
      else {
        countOperands(block, i, uses);
        kept++;
      }
    }
  }
  for (let x = 0; x < m; x++) {
    dense[denseWords[x]] = -1;
    lastSet[denseWords[x]] = -1;
  }
  // The kept ops, appended to the arena; IF's `c` is the index (in the block) of its ENDIF, so
  // it is recomputed.
  const base = arena.used;
  const out = arena.reserve(kept);
  if (kept === n) {
    // Nothing removed (most A32 blocks): the ops as they are, IFs' ENDIF indexes included.
    out.set(code, base * 6);
    arena.used += n;
    return n;
  }
  const ifs = ifsS.take(kept, 0);
  let nifs = 0;
  let q = base * 6;
  for (let i = 0, j = 0; i < n; i++) {
    if (!keep[i]) continue;
    const k = i * 6;
    const op = code[k];
    out[q] = op;
    out[q + 1] = code[k + 1];
    out[q + 2] = code[k + 2];
    out[q + 3] = code[k + 3];
    out[q + 4] = code[k + 4];
    out[q + 5] = code[k + 5];
    if (op === 31 /* IF */) ifs[nifs++] = j;
    else if (op === 32 /* ENDIF */) out[(base + ifs[--nifs]) * 6 + 4] = j;
    q += 6;
    j++;
  }
  arena.used += kept;
  return kept;
}

const arenaS = new OpArena();

/** removeDeadSetsInto as a block of its own (tests, tools). */
export function removeDeadSets(block: IRBlock): IRBlock {
  arenaS.reset();
  const n = removeDeadSetsInto(block, arenaS);
  return block.withCode(Array.from(arenaS.code.subarray(0, n * 6)), n, block.ntemps, block.ninsns, block.end);
}
