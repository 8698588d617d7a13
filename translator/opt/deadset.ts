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
import { W } from '../state.js';

const PURE = new Set<number>([
  Op.CONST, Op.GET, Op.ADD, Op.SUB, Op.AND, Op.OR, Op.XOR, Op.SHL, Op.SHR, Op.SAR, Op.ROR, Op.MUL,
  Op.MULHU, Op.MULHS, Op.UDIV, Op.SDIV, Op.CLZ, Op.EQ, Op.NE, Op.LTU, Op.LTS, Op.LEU, Op.LES,
  Op.SELECT, Op.SEXT8, Op.SEXT16, Op.BSWAP,
]);

/** True when executing `o` may read state word `w` (or let something outside the block see it). */
function observes(o: IRInsn, w: number): boolean {
  switch (o.op) {
    case Op.GET:
      return o.imm === w;
    case Op.LOAD:
    case Op.STORE:
    case Op.EXIT:
      return true;
    case Op.CALL: {
      const h = HELPERS[o.imm];
      return h.touchesState && (!h.vfpOnly || w >= W.VFP || w === W.FPSCR);
    }
    default:
      return false;
  }
}

/** True when `o` may change state word `w` other than by a SET (a helper writing the state). */
function clobbers(o: IRInsn, w: number): boolean {
  return o.op === Op.CALL && observes(o, w);
}

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

/** Is the SET at `i` overwritten, on every path, before the word can be observed? */
function overwritten(ops: IRInsn[], i: number): boolean {
  const w = ops[i].imm;
  let depth = 0;
  let minDepth = 0;
  for (let j = i + 1; j < ops.length; j++) {
    const o = ops[j];
    if (o.op === Op.IF) depth++;
    else if (o.op === Op.ENDIF) minDepth = Math.min(minDepth, --depth);
    else if (o.op === Op.SET && o.imm === w && depth === minDepth) return true; // not inside an IF opened after i
    else if (observes(o, w)) return false;
  }
  return false;
}

/** Is the SET at `i` writing the value its word already holds (a GET of it, unchanged since)? */
function selfCopy(ops: IRInsn[], i: number, defAt: Int32Array): boolean {
  const set = ops[i];
  const g = defAt[set.a];
  if (g < 0 || ops[g].op !== Op.GET || ops[g].imm !== set.imm) return false;
  for (let j = g + 1; j < i; j++) {
    const o = ops[j];
    if ((o.op === Op.SET && o.imm === set.imm) || clobbers(o, set.imm)) return false;
  }
  return true;
}

/** The block with dead state writes and unused pure computation removed (a new block; `block` is unchanged). */
export function removeDeadSets(block: IRBlock): IRBlock {
  const ops = block.ops;
  const n = ops.length;
  const defAt = new Int32Array(block.ntemps).fill(-1);
  ops.forEach((o, i) => {
    if (o.d >= 0) defAt[o.d] = i;
  });
  const keep = new Uint8Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    if (ops[i].op === Op.SET && (overwritten(ops, i) || selfCopy(ops, i, defAt))) keep[i] = 0;
  }
  // Dead pure ops, last to first so a removal frees its operands' earlier definitions.
  const uses = new Int32Array(block.ntemps);
  for (let i = 0; i < n; i++) if (keep[i]) forEachOperand(ops[i], (x) => uses[x]++);
  for (let i = n - 1; i >= 0; i--) {
    const o = ops[i];
    if (keep[i] && o.d >= 0 && uses[o.d] === 0 && PURE.has(o.op)) {
      keep[i] = 0;
      forEachOperand(o, (x) => uses[x]--);
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
  return { ...block, ops: out };
}
