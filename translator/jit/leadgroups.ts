// Tier 1's access groups, for a strategy with range tests (MemStrategy.rangeSpan: user mode's
// chunk tests, flat.ts): a block's loads and stores at constant offsets from one base value,
// outside any IF body and within the bytes one test covers, share one test made at the first
// of them. When it fails, the region exits before that first access's instruction and the
// interpreter runs the block on from there, so every fault is still raised by its own
// instruction; the other accesses carry no test. (A page's permissions change only in the
// runtime, which generated code reaches through an exit, never between two accesses of a
// block.) Tier 2 has groups of its own (groupcheck.ts), whose members test again when their
// group's test fails.

import { Mem } from '../ir.js';
import { ScratchI32 } from '../opt/scratch.js';
import { ADDRESS_BASE, addressBase } from './groupcheck.js';

/** Groups open at once in a block at most; an access finding no room keeps its own test. */
export const MAX_GROUPS = 16;

/** The groups of one block's accesses. Scratch: valid until the next planLeads. */
export interface LeadGroups {
  /** Per op of the block: its group, or -1 (it tests for itself). */
  groupOf: Int32Array;
  /** Per op in a group: its offset from the range's start. */
  at: Int32Array;
  /** Per group: the op index of its first access, which tests the group's range. */
  lead: Int32Array;
  /** Per group: the range's start minus that first access's address. */
  delta: Int32Array;
  /** Per group: the bytes the range spans. */
  span: Int32Array;
  /** Per group: what of the first access's address must be zero (the aligned members' masks). */
  amask: Int32Array;
  /** Per group: 1 when it has loads; stores. */
  reads: Int32Array;
  writes: Int32Array;
}

const groupOfS = new ScratchI32();
const atS = new ScratchI32();
/** The ops given a group, in order, and their offsets from their base. */
const inGroup = new ScratchI32();
const offS = new ScratchI32();
const G: LeadGroups = {
  groupOf: groupOfS.room(0),
  at: atS.room(0),
  lead: new Int32Array(MAX_GROUPS),
  delta: new Int32Array(MAX_GROUPS),
  span: new Int32Array(MAX_GROUPS),
  amask: new Int32Array(MAX_GROUPS),
  reads: new Int32Array(MAX_GROUPS),
  writes: new Int32Array(MAX_GROUPS),
};
// Per group while planning: its base's key, the first access's offset, the range, members.
const gKey = new Int32Array(MAX_GROUPS);
const gLeadOff = new Int32Array(MAX_GROUPS);
const gLo = new Int32Array(MAX_GROUPS);
const gHi = new Int32Array(MAX_GROUPS);
const gCount = new Int32Array(MAX_GROUPS);

/**
 * The groups of the block whose `n` ops are packed at arena op `b0` of `C` (6 words an op: op,
 * dest, a, b, c, imm), `defAt` giving each temp's defining op; its loads and stores outside
 * any IF body are at the arena slots tops[from..to), last first (opt/deadset.ts); `maxSpan`:
 * the bytes one test covers. Null when no two accesses share a test.
 */
export function planLeads(C: Int32Array, b0: number, n: number, defAt: Int32Array, tops: Int32Array, from: number, to: number, maxSpan: number): LeadGroups | null {
  // Bases as keys: a GET's temp by its value number (the dead-set pass's, in the GET's `c`:
  // GETs of a word with no SET of it or helper that may write the state in between share
  // one), another base by its temp.
  const groupOf = (G.groupOf = groupOfS.take(n, -1));
  const offOf = offS.room(to - from);
  const ops = inGroup.room(to - from);
  let nops = 0;
  let ng = 0;
  let real = 0;
  for (let j = to - 1; j >= from; j--) {
    const q = tops[j] * 6;
    const i = tops[j] - b0;
    // the base: a temp, less a chain of constant ADDs and SUBs (past 3 of them, the temp reached)
    addressBase(C, b0, defAt, C[q + 2], 3);
    const t = ADDRESS_BASE.t;
    const off = ADDRESS_BASE.off;
    const dt = defAt[t];
    if (dt < 0) continue;
    const qt = (b0 + dt) * 6;
    const k = C[qt] === 1 /* GET */ ? C[qt + 4] : -(t + 1);
    if (k === 0 || off > 1 << 24 || off < -(1 << 24)) continue;
    const flags = C[q + 5];
    const size = flags & Mem.SIZE_MASK;
    const mask = flags & Mem.ALIGN8 ? 7 : flags & Mem.ALIGN ? size - 1 : 0;
    const write = C[q] === 29 /* STORE */;
    let g = -1;
    for (let x = ng - 1; x >= 0; x--) {
      if (gKey[x] === k) {
        g = x;
        break;
      }
    }
    if (g >= 0 && Math.max(gHi[g], off + size) - Math.min(gLo[g], off) <= maxSpan && ((off - gLeadOff[g]) & mask) === 0) {
      gLo[g] = Math.min(gLo[g], off);
      gHi[g] = Math.max(gHi[g], off + size);
      G.amask[g] |= mask;
      if (write) G.writes[g] = 1;
      else G.reads[g] = 1;
      if (++gCount[g] === 2) real++;
      groupOf[i] = g;
      offOf[nops] = off;
      ops[nops++] = i;
      continue;
    }
    if (g >= 0) gKey[g] = 0; // that group is closed: later accesses of the base start another
    if (ng === MAX_GROUPS || size > maxSpan) continue;
    g = ng++;
    gKey[g] = k;
    gLeadOff[g] = off;
    gLo[g] = off;
    gHi[g] = off + size;
    gCount[g] = 1;
    G.lead[g] = i;
    G.amask[g] = mask;
    G.reads[g] = write ? 0 : 1;
    G.writes[g] = write ? 1 : 0;
    groupOf[i] = g;
    offOf[nops] = off;
    ops[nops++] = i;
  }
  if (real === 0) return null;
  for (let g = 0; g < ng; g++) {
    if (gCount[g] < 2) groupOf[G.lead[g]] = -1;
    G.delta[g] = gLo[g] - gLeadOff[g];
    G.span[g] = gHi[g] - gLo[g];
  }
  const at = (G.at = atS.room(n));
  for (let j = 0; j < nops; j++) at[ops[j]] = offOf[j] - gLo[groupOf[ops[j]]];
  return G;
}
