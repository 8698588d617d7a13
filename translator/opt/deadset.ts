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
import { Op, setConst, type IRBlock } from '../ir.js';
import { STATE_BYTES, W } from '../state.js';
import { Kind, OpArena, ScratchI32, TempArena, WordUse, opTable } from './scratch.js';

// Packed ops (ir.ts IRBlock.code): 6 words each, +0 op, +1 d, +2 a, +3 b, +4 c, +5 imm. The
// offsets are literals here: bundled, ir.ts's constants become variables that V8 reloads. So
// are the switch's case labels (Op's values): V8 compiles a switch on small-integer literals
// to a jump table, one on `Op.X` to a chain of comparisons (INSN, the 34th, took 33).

/** Ops with no effect but their result: dropped when nothing reads it (the code generator's PURE_OP too). */
export const PURE = opTable([
  Op.CONST, Op.GET, Op.ADD, Op.SUB, Op.AND, Op.OR, Op.XOR, Op.SHL, Op.SHR, Op.SAR, Op.ROR, Op.MUL,
  Op.MULHU, Op.MULHS, Op.UDIV, Op.SDIV, Op.CLZ, Op.EQ, Op.NE, Op.LTU, Op.LTS, Op.LEU, Op.LES,
  Op.SELECT, Op.SEXT8, Op.SEXT16, Op.BSWAP,
]);

/**
 * Ops that read each operand exactly once from straight-line code, so an operand may be an
 * inlined expression (Kind.INLINE): ROR reads its operands twice as shifts (jit/codegen.ts).
 */
const READS_ONCE = opTable([
  Op.ADD, Op.SUB, Op.AND, Op.OR, Op.XOR, Op.SHL, Op.SHR, Op.SAR, Op.MUL, Op.EQ, Op.NE, Op.LTU,
  Op.LTS, Op.LEU, Op.LES, Op.MULHU, Op.MULHS, Op.CLZ, Op.SELECT, Op.SEXT8, Op.SEXT16, Op.SET,
  Op.IF, Op.CALL,
]);

const NWORDS = STATE_BYTES / 4;
/**
 * Is word `w` one a VFP-only helper may read or change (the VFP registers, FPSCR)? Generated
 * code keeps these in the state block, never in locals (the code generator's inState).
 */
export function vfpWord(w: number): boolean {
  return w >= W.VFP || w === W.FPSCR;
}

// Per-block working arrays, reused (scratch.ts).
/** The block's SET words numbered densely as the walk meets them (-1: not met): only those can be dead. */
const dense = new Int32Array(NWORDS).fill(-1);
const denseWords = new Int32Array(NWORDS);
/**
 * killed[dense[w]] === epoch: from this point on, every path writes w before anything can
 * observe it. An observer of every word (a load, a store, an exit, a helper call) clears them
 * all by moving to a new epoch: a loop over the words there had been 4% of the pass.
 */
const killed = new Int32Array(NWORDS);
let epoch = 1;
/** nextSet[dense[w]]: the arena slot of the first kept SET of w after the current op (-1: none). */
const nextSet = new Int32Array(NWORDS);
/**
 * Value numbers of the kept GETs (written to their `c`): GETs of a word with no kept SET of it
 * and no helper call that may change it (VFP-only ones aside) in between read the same value
 * and get the same number. Per word, its number while version[w] holds `vstamp`.
 */
const value = new Int32Array(NWORDS);
const version = new Int32Array(NWORDS);
let vstamp = 1;
let vserial = 0;
/** killed at each open ENDIF (walking backwards), by nesting depth, and how many words were numbered then. */
const savedKilled: Uint8Array[] = [];
const savedM: number[] = [];
/** The arena slots of the open ENDIFs (walking backwards), and of the IFs written so far. */
const endifSlots = new ScratchI32();
const ifSlots = new ScratchI32();

/**
 * Is the SET at word offset `k` (of word `w`) a self-copy: its value a GET of `w` with no SET
 * of `w`, and no helper call that may change `w`, in between? Looks back from the SET to its
 * value's definition, most often a few ops before it.
 */
function selfCopy(code: IRBlock['code'], k: number, w: number): boolean {
  const t = code[k + 2];
  for (let j = k - 6; j >= 0; j -= 6) {
    const op = code[j];
    if (code[j + 1] === t) return op === 1 /* GET */ && code[j + 5] === w;
    if (op === 2 /* SET */) {
      if (code[j + 5] === w) return false;
    } else if (op === 30 /* CALL */) {
      const h = HELPERS[code[j + 5]];
      if (h.touchesState && (!h.vfpOnly || vfpWord(w))) return false;
    }
  }
  return false;
}

/**
 * Writes the ops of `block` that remain once dead state writes and unused pure computation
 * are removed into `arena` (`block` is unchanged); returns the arena op index where they
 * begin (they end at the arena's new `used`). Their temps are renumbered from the base
 * `temps` reserves for the block (TempArena), which gets what the walk learns of them. One
 * walk over the ops, last to first:
 * - a SET is dead when `killed` says a later unconditional SET of the word comes before any
 *   observer on every path: an observer clears `killed` for what it may read, a SET sets it,
 *   and an IF body (walking out of it at its IF) keeps only what held both before the body and
 *   after its ENDIF, since the body may be skipped;
 * - a SET is a self-copy (selfCopy) when it writes a word's own unchanged value;
 * - a pure op is dropped when no kept op reads its result: walking backwards, every reader of
 *   a temp (which comes after its definition) has been seen when the definition is reached.
 * Each kept op is written as it is decided, from the end of the block's room in the arena
 * down; an IF's `c`, the index of its ENDIF, is set once the kept ops are counted, and a GET's
 * `c` is its value number (`value`). The state words the kept ops read and write and whether
 * the block writes its own start to PC go to `words`, when given; the arena slots of the
 * loads and stores outside any IF body to `arena.tops`, last first.
 *
 * The same walk makes the code generator's temp plan (jit/tempplan.ts), which a walk of its
 * own over the kept ops had cost ~13% of code generation. At a kept op defining a temp, all
 * its readers have been seen, so its place is known: a CONST is a constant; a GET an alias of
 * its word's local when no kept SET of the word, and no helper call that may change it, comes
 * before its last read (a word kept in the state block and read more than once gets a local);
 * a pure op read once by an op that reads each operand once is inlined there, so its own
 * operands are read where that reader is (its "effective" position); anything else a local,
 * free after its last read. Positions are arena slots during the walk and op indices within
 * the block at its end.
 */
export function removeDeadSetsInto(block: IRBlock, arena: OpArena, temps: TempArena, words: WordUse | null = null): number {
  const code = block.code;
  const n = block.nops;
  const out = arena.reserve(n);
  const freeHead = arena.freeHead;
  const top = arena.used + n;
  let s = top; // the kept ops fill slots s.. top-1
  const nt = block.ntemps;
  const tb = temps.reserve(nt);
  const { uses, lastReader, kind, defAt, lastUse, freeNext } = temps;
  const endifs = endifSlots.room(n);
  const ifs = ifSlots.room(n);
  let nendifs = 0;
  let nifs = 0;
  let m = 0;
  let depth = 0;
  const wordFlags = words?.flags;
  // (a fresh epoch per block; the words it numbers start unkilled anyway)
  if (++epoch > 0x3fffffff) {
    killed.fill(0);
    epoch = 1;
  }
  if (++vstamp > 0x3fffffff || vserial > 0x3fffffff) {
    version.fill(0);
    vstamp = 1;
    vserial = 0;
  }
  const tops = arena.reserveTops(n);
  let ntops = arena.ntops;
  let selfLoop = false;
  // the slot of the first kept helper call after the current op that may change the state (top: none)
  let nextCall = top;
  for (let i = n - 1, k = i * 6; i >= 0; i--, k -= 6) {
    const op = code[k];
    switch (op) {
      case 2 /* SET */: {
        const w = code[k + 5];
        let x = dense[w];
        if (x < 0) {
          x = dense[w] = m;
          denseWords[m++] = w;
          killed[x] = 0;
          nextSet[x] = -1;
        }
        const dead = killed[x] === epoch || selfCopy(code, k, w);
        killed[x] = epoch;
        if (dead) continue;
        if (wordFlags !== undefined) {
          wordFlags[w] |= WordUse.WRITTEN;
          if (w === 15 /* PC */ && !selfLoop && setConst(code, 0, k) === block.pc >>> 0) selfLoop = true;
        }
        break;
      }
      case 1 /* GET */: {
        const x = dense[code[k + 5]];
        if (x >= 0) killed[x] = 0;
        break;
      }
      case 28 /* LOAD */:
      case 29 /* STORE */:
        epoch++;
        break;
      case 34 /* EXIT */:
        epoch++;
        break;
      case 30 /* CALL */: {
        const h = HELPERS[code[k + 5]];
        if (!h.touchesState) break;
        if (!h.vfpOnly) epoch++;
        else for (let x = 0; x < m; x++) if (vfpWord(denseWords[x])) killed[x] = 0;
        break;
      }
      case 32 /* ENDIF */: {
        const sv = (savedKilled[depth] ??= new Uint8Array(NWORDS));
        savedM[depth++] = m;
        for (let x = 0; x < m; x++) sv[x] = killed[x] === epoch ? 1 : 0;
        break;
      }
      case 31 /* IF */: {
        const sv = savedKilled[--depth];
        const m0 = savedM[depth];
        for (let x = 0; x < m0; x++) if (sv[x] === 0) killed[x] = 0;
        for (let x = m0; x < m; x++) killed[x] = 0; // met inside the body: not killed after it
        break;
      }
    }
    let d = code[k + 1];
    const pure = PURE[op];
    if (d >= 0) {
      d += tb;
      if (uses[d] === 0 && pure) continue;
    }
    // Kept, at the next slot down.
    const slot = --s;
    const imm = code[k + 5];
    // Its temp's place (see above); eff: where the op is evaluated.
    let eff = slot;
    if (d >= 0) {
      defAt[d] = slot;
      let kd: number = Kind.LOCAL;
      if (pure) {
        if (op === 0 /* CONST */) kd = Kind.CONST;
        else if (op === 1 /* GET */) {
          const x = dense[imm];
          const ns = x < 0 || nextSet[x] < 0 ? top : nextSet[x];
          if (uses[d] > 0 && (ns < nextCall ? ns : nextCall) >= lastUse[d] && !(vfpWord(imm) && uses[d] > 1)) kd = Kind.ALIAS;
        } else if (uses[d] === 1 && READS_ONCE[out[lastReader[d] * 6]]) {
          kd = Kind.INLINE;
          eff = lastUse[d];
        }
      }
      kind[d] = kd;
      const lu = lastUse[d];
      if (kd === Kind.LOCAL && lu >= 0) {
        freeNext[d] = freeHead[lu];
        freeHead[lu] = d;
      }
    }
    freeHead[slot] = -1;
    let c = code[k + 4];
    switch (op) {
      case 2 /* SET */:
        nextSet[dense[imm]] = slot;
        version[imm] = 0;
        break;
      case 30 /* CALL */: {
        const h = HELPERS[imm];
        if (h.touchesState) {
          nextCall = slot;
          if (!h.vfpOnly) vstamp++;
        }
        break;
      }
      case 1 /* GET */:
        if (version[imm] !== vstamp) {
          version[imm] = vstamp;
          value[imm] = ++vserial;
        }
        c = value[imm];
        break;
      case 28 /* LOAD */:
      case 29 /* STORE */:
        if (depth === 0) tops[ntops++] = slot;
        break;
    }
    // Its operands' readers counted (walking backwards, the first met is a temp's last reader,
    // whose slot goes to lastReader) and their last reads raised to eff; then the op written
    // with its temps renumbered.
    let a = code[k + 2];
    let b = code[k + 3];
    if (op === 30 /* CALL */) {
      const args = block.callArgs[c];
      for (let j = 0; j < args.length; j++) {
        const t = tb + args[j];
        if (uses[t]++ === 0) lastReader[t] = slot;
        if (eff > lastUse[t]) lastUse[t] = eff;
      }
    } else {
      if (a >= 0) {
        a += tb;
        if (uses[a]++ === 0) lastReader[a] = slot;
        if (eff > lastUse[a]) lastUse[a] = eff;
      }
      if (b >= 0 && op !== 33 /* INSN */) {
        b += tb;
        if (uses[b]++ === 0) lastReader[b] = slot;
        if (eff > lastUse[b]) lastUse[b] = eff;
      }
      if (op === 24 /* SELECT */) {
        c += tb;
        if (uses[c]++ === 0) lastReader[c] = slot;
        if (eff > lastUse[c]) lastUse[c] = eff;
      } else if (op === 1 /* GET */ && wordFlags !== undefined) wordFlags[imm] |= WordUse.READ;
    }
    const q = slot * 6;
    out[q] = op;
    out[q + 1] = d;
    out[q + 2] = a;
    out[q + 3] = b;
    out[q + 4] = c;
    out[q + 5] = imm;
    if (op === 32 /* ENDIF */) endifs[nendifs++] = s;
    else if (op === 31 /* IF */) {
      out[q + 4] = endifs[--nendifs];
      ifs[nifs++] = q + 4;
    }
  }
  for (let j = 0; j < nifs; j++) out[ifs[j]] -= s;
  for (let x = 0; x < m; x++) dense[denseWords[x]] = -1;
  // The plan's positions within the block (freeHead stays by arena slot).
  for (let t = tb, end = tb + nt; t < end; t++) {
    if (defAt[t] >= 0) defAt[t] -= s;
    if (lastUse[t] >= 0) lastUse[t] -= s;
  }
  if (words !== null) {
    words.selfLoop = selfLoop;
  }
  arena.ntops = ntops;
  arena.used = top;
  return s;
}

const arenaS = new OpArena();
const tempsS = new TempArena();

/** removeDeadSetsInto as a block of its own (tests, tools). */
export function removeDeadSets(block: IRBlock): IRBlock {
  arenaS.reset();
  tempsS.reset();
  const start = removeDeadSetsInto(block, arenaS, tempsS);
  const n = arenaS.used - start;
  return block.withCode(Array.from(arenaS.code.subarray(start * 6, arenaS.used * 6)), n, block.ntemps, block.ninsns, block.end);
}
