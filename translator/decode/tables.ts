// The decode tables: every group's rows, in match order, built into decoders.
// Groups are meant to be disjoint; within a group more specific rows come first.

import { Decoder, type Args, type DecodeEnv, type Row, type Sem } from './pattern.js';
import * as a32dp from './a32/dp.js';
import * as a32mul from './a32/mul.js';
import * as a32media from './a32/media.js';
import * as a32ldst from './a32/ldst.js';
import * as a32branch from './a32/branch.js';
import * as a32system from './a32/system.js';
import * as a32uncond from './a32/uncond.js';
import * as t16dp from './t16/dp.js';
import * as t16media from './t16/media.js';
import * as t16ldst from './t16/ldst.js';
import * as t16branch from './t16/branch.js';
import * as t16system from './t16/system.js';
import * as t32dp from './t32/dp.js';
import * as t32mul from './t32/mul.js';
import * as t32media from './t32/media.js';
import * as t32ldst from './t32/ldst.js';
import * as t32branch from './t32/branch.js';
import * as t32system from './t32/system.js';
import { VFP_A32, VFP_T32 } from './vfp/rows.js';

export interface DecodedInsn {
  row: Row;
  sem: Sem;
  args: Args;
  /** Executes regardless of condition (BKPT, IT). */
  unconditional: boolean;
  /** A VFP (cp10/cp11) row (isVfpRow). */
  vfp: boolean;
  /**
   * The condition field among the args (A32 rows, Thumb B<c>), or -1. Read here rather than from
   * `args`, whose shape varies by row: the lifter's per-instruction `args.cond` was a
   * megamorphic load.
   */
  cond: number;
}

/** A32 with cond != 1111. Key: bits 27:20 and 7:4. */
export const A32 = new Decoder(
  'a32',
  [...a32dp.ROWS, ...a32mul.ROWS, ...a32media.ROWS, ...a32ldst.ROWS, ...a32branch.ROWS, ...a32system.ROWS, ...VFP_A32],
  32,
  0x0ff000f0,
);
/** A32 with cond == 1111 (the unconditional space, ARM ARM A5.7). */
export const A32_UNCOND = new Decoder('a32-uncond', a32uncond.ROWS, 32, 0x0ff000f0);
/** T16: key bits 15:6. */
export const T16 = new Decoder('t16', [...t16dp.ROWS, ...t16media.ROWS, ...t16ldst.ROWS, ...t16branch.ROWS, ...t16system.ROWS], 16, 0xffc0);
/** T32 (hw1 in bits 31:16): key hw1[15:4] and hw2[15]. */
export const T32 = new Decoder(
  't32',
  [...t32dp.ROWS, ...t32mul.ROWS, ...t32media.ROWS, ...t32ldst.ROWS, ...t32branch.ROWS, ...t32system.ROWS, ...VFP_T32],
  32,
  0xfff08000,
);

const VFP_ROWS = new Set<Row>([...VFP_A32, ...VFP_T32]);
/** A VFP (cp10/cp11) row: UNDEFINED in system mode while VFP is disabled. */
export function isVfpRow(row: Row): boolean {
  return VFP_ROWS.has(row);
}

export const ALL_DECODERS = [A32, A32_UNCOND, T16, T32];

const ARM_ENV: DecodeEnv = { inIT: false, lastInIT: true };

function wrap(d: ReturnType<Decoder['decode']>): DecodedInsn | null {
  return d ? { row: d.row, sem: d.row.sem, args: d.args, unconditional: d.row.always === true, vfp: VFP_ROWS.has(d.row), cond: d.args.cond ?? -1 } : null;
}

/**
 * Decoded instructions by encoding. A program's code repeats many encodings (PUSH {r4, lr},
 * MOV r0, #0...): about half the instructions a short run lifts had been decoded before (four
 * in five of a kernel boot's), and decoding costs a few µs while the decoder is cold. The
 * DecodedInsn (and its args) is shared by every lift of that encoding, so nothing may change it
 * after decoding: rows' `expand` runs before it is cached, semantic routines only read their
 * arguments. The tables are constant (no decode depends on CPU state), so nothing ever
 * invalidates an entry.
 *
 * Each cache is two-way set-associative: the encoding (as an int32) in an Int32Array, in one
 * of the two slots of the set a multiplicative hash picks, the result in a plain array beside
 * it; a new entry goes to an empty slot of its set, or else replaces the set's older entry.
 * A Map keyed by the encoding had cost ~0.35 µs per hit in a kernel boot: an A32 encoding with
 * cond 1110 is above 2^31, so each key was a heap number to allocate and hash, and the Map's
 * buckets and entries were several cache misses apart. Direct-mapped and grown at half full,
 * encodings whose slots collided kept replacing each other: lifting the tier-1 benchmark's
 * A32 or Thumb-2 set (~2,000 instructions) once more decoded 300-335 of them again;
 * two-way, 141-144; two-way and grown at a quarter full, 12-18 (lifting 0.46-0.65 -> 0.34-0.39
 * µs per instruction, Thumb-2).
 * Thumb keys the cache by IT position too (T16 rows' expansion depends on it); a T16 encoding
 * is below 0x10000 and a T32 one above, so the encoding also gives the width.
 */
class DecodeCache {
  private keys!: Int32Array;
  /** Thumb: the IT position of each slot's entry. */
  private envs!: Int8Array;
  /** undefined: empty slot; null: UNDEFINED encoding. */
  private vals!: (DecodedInsn | null | undefined)[];
  /** 32 - log2(sets). */
  private shift = 0;
  /** Slots in use. */
  private used = 0;

  /**
   * Starts small and grows fourfold, up to 2^maxBits slots, whenever a quarter of its slots are
   * in use: a short run decodes a few thousand instructions, and the full tables cost ~1 ms to
   * allocate.
   */
  constructor(private readonly maxBits: number) {
    this.alloc(12);
  }

  private alloc(bits: number): void {
    this.keys = new Int32Array(1 << bits);
    this.envs = new Int8Array(1 << bits);
    this.vals = new Array<DecodedInsn | null | undefined>(1 << bits).fill(undefined);
    this.shift = 33 - bits;
    this.used = 0;
  }

  /** The first of the two slots of the set `insn` at IT position `e` belongs to. */
  slot(insn: number, e: number): number {
    return (Math.imul(insn ^ (e << 29), 0x9e3779b1) >>> this.shift) << 1;
  }

  /** The remembered decode of `insn` at IT position `e`, or undefined. */
  get(insn: number, e: number): DecodedInsn | null | undefined {
    const s = this.slot(insn, e);
    const k = insn | 0;
    if (this.keys[s] === k && this.envs[s] === e) return this.vals[s];
    if (this.keys[s + 1] === k && this.envs[s + 1] === e) return this.vals[s + 1];
    return undefined;
  }

  put(insn: number, e: number, d: DecodedInsn | null): DecodedInsn | null {
    if (this.used >= this.vals.length >> 2 && 32 - this.shift < this.maxBits - 1) this.grow();
    this.insert(insn | 0, e, d);
    return d;
  }

  /** Stores an entry not in the cache: in an empty slot of its set, else in place of the set's older entry (the second slot). */
  private insert(k: number, e: number, d: DecodedInsn | null): void {
    const { keys, envs, vals } = this;
    const s = this.slot(k, e);
    if (vals[s] !== undefined) {
      if (vals[s + 1] === undefined) this.used++;
      keys[s + 1] = keys[s];
      envs[s + 1] = envs[s];
      vals[s + 1] = vals[s];
    } else this.used++;
    keys[s] = k;
    envs[s] = e;
    vals[s] = d;
  }

  /** Four times the slots, with the entries kept. */
  private grow(): void {
    const { keys, envs, vals } = this;
    this.alloc(Math.min(this.maxBits, 35 - this.shift));
    // The older entry of each set first, so that the newer one stays first in its new set.
    for (let i = 1; i < vals.length; i += 2) if (vals[i] !== undefined) this.insert(keys[i], envs[i], vals[i] as DecodedInsn | null);
    for (let i = 0; i < vals.length; i += 2) if (vals[i] !== undefined) this.insert(keys[i], envs[i], vals[i] as DecodedInsn | null);
  }
}

const armCache = new DecodeCache(17);
/** e: 0 outside an IT block, 1 inside it but not last, 2 last in it. */
const thumbCache = new DecodeCache(16);

const THUMB_ENVS: DecodeEnv[] = [
  { inIT: false, lastInIT: true },
  { inIT: true, lastInIT: false },
  { inIT: true, lastInIT: true },
];

export function decodeArm(insn: number): DecodedInsn | null {
  const d = armCache.get(insn, 0);
  if (d !== undefined) return d;
  return armCache.put(insn, 0, wrap(insn >>> 28 === 0xf ? A32_UNCOND.decode(insn, ARM_ENV) : A32.decode(insn, ARM_ENV)));
}

/** The IT position `decodeThumbAt` takes for an ITSTATE (0 outside an IT block, 1 inside, 2 last). */
export function itPosition(it: number): number {
  return (it & 0xf) === 0 ? 0 : (it & 0xf) === 0x8 ? 2 : 1;
}

/** decodeThumb with the IT position as a number (itPosition). */
export function decodeThumbAt(insn: number, len: number, e: number): DecodedInsn | null {
  const d = thumbCache.get(insn, e);
  if (d !== undefined) return d;
  return thumbCache.put(insn, e, wrap(len === 2 ? T16.decode(insn, THUMB_ENVS[e]) : T32.decode(insn, THUMB_ENVS[e])));
}

export function decodeThumb(insn: number, len: number, env: DecodeEnv): DecodedInsn | null {
  return decodeThumbAt(insn, len, env.inIT ? (env.lastInIT ? 2 : 1) : 0);
}

/** A Thumb halfword that starts a 32-bit instruction (ARM ARM A6.1). */
export function isThumb32(hw1: number): boolean {
  return (hw1 & 0xf800) >= 0xe800;
}
