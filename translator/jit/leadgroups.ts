// Tier 1's access groups, for a strategy with range tests (MemStrategy.rangeSpan: user mode's
// chunk tests, flat.ts): a block's loads and stores at constant offsets from one base value,
// outside any IF body and within the bytes one test covers, share one test made at the first
// of them. When it fails, the region exits before that first access's instruction and the
// interpreter runs the block on from there, so every fault is still raised by its own
// instruction; the other accesses carry no test. (A page's permissions change only in the
// runtime, which generated code reaches through an exit, never between two accesses of a
// block.) Tier 2 has groups of its own (groupcheck.ts), whose members test again when their
// group's test fails.

import { HELPERS } from '../helpers.js';
import { Mem } from '../ir.js';
import { STATE_BYTES } from '../state.js';
import { ScratchI32 } from '../opt/scratch.js';
import { ADDRESS_BASE, addressBase } from './groupcheck.js';

const NWORDS = STATE_BYTES / 4;
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
const keyS = new ScratchI32();
/** Per state word: its current version, valid while versionStamp holds `stamp` (else none yet). */
const version = new Int32Array(NWORDS);
const versionStamp = new Int32Array(NWORDS);
let stamp = 0;
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
 * dest, a, b, c, imm), `defAt` giving each temp's defining op (temps below `ntemps`); `maxSpan`: the
 * bytes one test covers. Null when no two accesses share a test.
 */
export function planLeads(C: Int32Array, b0: number, n: number, defAt: Int32Array, ntemps: number, maxSpan: number): LeadGroups | null {
  // Value numbers, as keys: a GET's temp is keyed by its word's current version (each SET of the
  // word, and each helper that may write the state, makes a new one); another base by its temp.
  const key = keyS.room(ntemps); // set at each GET before any read
  stamp++;
  let serial = 0; // the last version number given out in this block
  const groupOf = (G.groupOf = groupOfS.take(n, -1));
  const offOf = offS.room(n);
  const ops = inGroup.room(n);
  let nops = 0;
  let ng = 0;
  let depth = 0;
  let real = 0;
  for (let i = 0; i < n; i++) {
    const q = (b0 + i) * 6;
    switch (C[q]) {
      case 1 /* GET */: {
        const w = C[q + 5];
        if (versionStamp[w] !== stamp) {
          versionStamp[w] = stamp;
          version[w] = ++serial;
        }
        key[C[q + 1]] = version[w];
        break;
      }
      case 2 /* SET */: {
        const w = C[q + 5];
        versionStamp[w] = stamp;
        version[w] = ++serial;
        break;
      }
      case 30 /* CALL */: {
        const h = HELPERS[C[q + 5]];
        if (h.touchesState && !h.vfpOnly) stamp++; // every word's next GET is a new value
        break;
      }
      case 31 /* IF */:
        depth++;
        break;
      case 32 /* ENDIF */:
        depth--;
        break;
      case 28 /* LOAD */:
      case 29 /* STORE */: {
        if (depth !== 0) break;
        // the base: a temp, less a chain of constant ADDs and SUBs (past 3 of them, the temp reached)
        addressBase(C, b0, defAt, C[q + 2], 3);
        const t = ADDRESS_BASE.t;
        const off = ADDRESS_BASE.off;
        const dt = defAt[t];
        if (dt < 0) break;
        const k = C[(b0 + dt) * 6] === 1 /* GET */ ? key[t] : -(t + 1);
        if (k === 0 || off > 1 << 24 || off < -(1 << 24)) break;
        const flags = C[q + 5];
        const size = flags & Mem.SIZE_MASK;
        const mask = flags & Mem.ALIGN8 ? 7 : flags & Mem.ALIGN ? size - 1 : 0;
        const write = C[q] === 29;
        let g = -1;
        for (let j = ng - 1; j >= 0; j--) {
          if (gKey[j] === k) {
            g = j;
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
          break;
        }
        if (g >= 0) gKey[g] = 0; // that group is closed: later accesses of the base start another
        if (ng === MAX_GROUPS || size > maxSpan) break;
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
        break;
      }
    }
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
