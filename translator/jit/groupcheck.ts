// Tier 2's grouped access tests: a block's loads and stores at constant offsets from one base
// address (one register's value, or one temp) share one fast-path test, made at the first of
// them, that the whole range they span lies in one page the accesses may reach directly
// (MemStrategy.emitGroupCheck). Each access then tests only that answer; when it is no, each
// makes its own test as before, so faults and slow paths stay exact, instruction by
// instruction. (n-body's inner block reads and writes 18 doubles through two base registers.)
//
// A pass of the group's test holds for the rest of the block: a page's permissions change
// only in the runtime (a system call, a write to translated code), which generated code
// reaches through an exit, never between two accesses of a block.

import { HELPERS } from '../helpers.js';
import { Mem, Op } from '../ir.js';
import { STATE_BYTES } from '../state.js';

const NWORDS = STATE_BYTES / 4;

/** Fewer accesses than this are not worth a test of their own. */
const MIN_MEMBERS = 3;
/** A wider span than this is likely to cross a page: not grouped. */
const MAX_SPAN = 1024;
/** Groups per block at most. */
export const MAX_GROUPS = 8;

/** The groups of one block's accesses. */
export interface AccessGroups {
  count: number;
  /** Per op of the block: its access group, or -1. */
  groupOf: Int32Array;
  /** Per group: the op index of its first access, which makes the test. */
  lead: number[];
  /** Per group: the range's start minus the first access's address. */
  delta: number[];
  /** Per group: bytes from the range's start that the accesses reach. */
  span: number[];
  /** Per group: alignment mask of the range's start (the aligned accesses' sizes). */
  amask: number[];
  /** Per group: it has loads, it has stores. */
  reads: boolean[];
  writes: boolean[];
}

interface Access {
  i: number;
  off: number;
  bytes: number;
  mask: number;
  write: boolean;
}

/** addressBase's result: the base temp and the sum of the constants added to it. */
export const ADDRESS_BASE = { t: 0, off: 0 };

/**
 * The base of address temp `t` of the block packed at arena op `b0` of `C` (`defAt` giving
 * each temp's defining op): `t` less a chain of ADDs and SUBs of constants, into ADDRESS_BASE.
 * False when the chain goes on past `steps` of them (ADDRESS_BASE then holds where it got to).
 */
export function addressBase(C: Int32Array, b0: number, defAt: Int32Array, t: number, steps: number): boolean {
  let off = 0;
  let whole = true;
  for (let k = 0; ; k++) {
    if (k === steps) {
      whole = false;
      break;
    }
    const d = defAt[t];
    if (d < 0) break;
    const q = (b0 + d) * 6;
    const op = C[q];
    if (op !== Op.ADD && op !== Op.SUB) break;
    const dc = defAt[C[q + 3]];
    if (dc < 0 || C[(b0 + dc) * 6] !== Op.CONST) break;
    const c = C[(b0 + dc) * 6 + 5];
    off += op === Op.ADD ? c : -c;
    t = C[q + 2];
  }
  ADDRESS_BASE.t = t;
  ADDRESS_BASE.off = off;
  return whole;
}

/**
 * The access groups of the block whose `n` ops are packed at arena op `b0` of `C` (6 words an
 * op: op, dest, a, b, c, imm), `defAt` giving each temp's defining op. Null when there are none.
 */
export function planGroups(C: Int32Array, b0: number, n: number, defAt: Int32Array): AccessGroups | null {
  // Value numbers: a GET's temp is keyed by its word and the word's version (bumped by each
  // SET, and for every word by a helper that may write the state); another base by its temp.
  const version = new Int32Array(NWORDS);
  let serial = 0;
  const keyOf = new Map<number, number>();
  const byKey = new Map<number, Access[]>();
  const base = (t: number): [number, number] | null => {
    if (!addressBase(C, b0, defAt, t, 4)) return null;
    const b = ADDRESS_BASE;
    const d = defAt[b.t];
    if (d < 0) return null;
    return [C[(b0 + d) * 6] === Op.GET ? keyOf.get(b.t)! : -(b.t + 1), b.off];
  };
  for (let i = 0; i < n; i++) {
    const q = (b0 + i) * 6;
    const op = C[q];
    if (op === Op.GET) {
      const w = C[q + 5];
      keyOf.set(C[q + 1], version[w] * NWORDS + w);
    } else if (op === Op.SET) {
      version[C[q + 5]] = ++serial;
    } else if (op === Op.CALL) {
      const h = HELPERS[C[q + 5]];
      if (h.touchesState && !h.vfpOnly) {
        serial++;
        version.fill(serial);
      }
    } else if (op === Op.LOAD || op === Op.STORE) {
      const b = base(C[q + 2]);
      if (!b) continue;
      const flags = C[q + 5];
      const size = flags & Mem.SIZE_MASK;
      const mask = flags & Mem.ALIGN8 ? 7 : flags & Mem.ALIGN ? size - 1 : 0;
      let list = byKey.get(b[0]);
      if (!list) byKey.set(b[0], (list = []));
      list.push({ i, off: b[1], bytes: size, mask, write: op === Op.STORE });
    }
  }
  let groups: AccessGroups | null = null;
  for (const list of byKey.values()) {
    if (list.length < MIN_MEMBERS) continue;
    let lo = Infinity;
    let hi = -Infinity;
    let amask = 0;
    for (const a of list) {
      lo = Math.min(lo, a.off);
      hi = Math.max(hi, a.off + a.bytes);
      amask |= a.mask;
    }
    if (hi - lo > MAX_SPAN || Math.abs(lo) > 2 ** 30 || Math.abs(hi) > 2 ** 30 || list.some((a) => ((a.off - lo) & a.mask) !== 0)) continue;
    if (!groups) groups = { count: 0, groupOf: new Int32Array(n).fill(-1), lead: [], delta: [], span: [], amask: [], reads: [], writes: [] };
    const g = groups.count++;
    for (const a of list) groups.groupOf[a.i] = g;
    groups.lead.push(list[0]!.i);
    groups.delta.push(lo - list[0]!.off);
    groups.span.push(hi - lo);
    groups.amask.push(amask);
    groups.reads.push(list.some((a) => !a.write));
    groups.writes.push(list.some((a) => a.write));
    if (groups.count === MAX_GROUPS) break;
  }
  return groups;
}
