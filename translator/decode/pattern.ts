// Instruction encodings as data, in the manner of QEMU's decodetree (docs/devel/decodetree.rst).
//
// A row's `enc` lists the instruction's bits from the most significant down, separated by
// spaces for readability:  `0` / `1` fixed bit,  `.` or `-` any bit,  `name:N` an N-bit field,
// `name:sN` a signed N-bit field. A name used twice is concatenated (first part = high bits),
// as MOVW's imm4:imm12. T32 rows list hw1 then hw2 (32 bits); T16 rows 16 bits.
//
// Several rows (A32, T32, T16) point at one semantic routine (`sem`), whose arguments they
// produce with the same names; `set` supplies constant arguments and `expand` derives the
// rest (ThumbExpandImm, the IT-dependent S bit of T16...). First matching row wins, so
// more specific rows come first within a table.

import type { LiftCtx } from '../lift/ctx.js';
import { PREBUILT } from './prebuilt.js';

export type Args = Record<string, number>;

/** What decode-time expanders may look at. */
export interface DecodeEnv {
  /** Inside an IT block (Thumb): T16 data-processing then does not set flags. */
  inIT: boolean;
  /** Last instruction of an IT block, or outside one (branches are allowed only there). */
  lastInIT: boolean;
}

/** Context for disassembly. */
export interface DisCtx {
  pc: number;
  thumb: boolean;
  /** Condition suffix ('' for always), from the cond field or the IT block. */
  cc: string;
  /** Encoding width in bytes (Thumb: 2 or 4); lets `.n`/`.w` be chosen. */
  len: number;
}

/** One ARM operation: lifted to IR by `lift`, printed by `dis`. */
export interface Sem {
  name: string;
  lift(ctx: LiftCtx, a: Args): void;
  dis(a: Args, d: DisCtx): string;
}

export interface Row {
  /** Unique per table; the coverage report and the random tester key on it. */
  name: string;
  enc: string;
  sem: Sem;
  set?: Args;
  /** Extra constraint on the fields (decodetree's overlap groups, as a predicate). */
  when?: (a: Args) => boolean;
  /** Derives arguments after extraction; may return false to reject the match. */
  expand?: (a: Args, env: DecodeEnv) => boolean | void;
  /** Not a valid target for the random differential tester (UNPREDICTABLE forms, SVC...). */
  noRandom?: boolean;
  /**
   * False for field values the ARM ARM calls UNPREDICTABLE (e.g. R15 where not allowed); the
   * decoder ignores it, the random differential tester draws only encodings that pass it.
   */
  valid?: (a: Args) => boolean;
  /** Executes whatever the condition or IT state says (BKPT, IT itself). */
  always?: boolean;
}

interface Field {
  name: string;
  shift: number;
  width: number;
  /** Bits already placed to the right of this part when names repeat. */
  signed: boolean;
}

export interface CompiledRow {
  row: Row;
  /** Fixed-bit mask and values, as int32 (small integers to V8, unlike values above 2^31). */
  mask: number;
  bits: number;
  fields: Field[];
  index: number;
  /** Field names in first-appearance order, each name's total width and signedness. */
  names: string[];
  widths: number[];
  signed: boolean[];
  /** For each field part, the index of its name. */
  nameOf: number[];
  /** extract() and the row's `set`, as one function made for this row on its first match (extractor). */
  fx?: (insn: number) => Args;
}

export interface Decoded {
  row: Row;
  args: Args;
}

/** ASCII space, tab, CR or LF (row encodings are ASCII). */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** [A-Za-z_] (first) or [A-Za-z0-9_] (rest) of a field name. */
function isNameChar(c: number, first: boolean): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || (!first && c >= 0x30 && c <= 0x39);
}

/**
 * Parses a row's encoding into mask, fixed bits and fields. Scanned by character rather than
 * with regular expressions: a run compiles each table it reaches (~300 rows) while this code
 * is still cold, and the regex version cost ~4 ms per table.
 */
export function compileRow(row: Row, width: number, index: number): CompiledRow {
  let pos = width;
  let mask = 0;
  let bits = 0;
  const fields: Field[] = [];
  const enc = row.enc;
  const n = enc.length;
  let i = 0;
  while (i < n) {
    if (isSpace(enc.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < n && !isSpace(enc.charCodeAt(i))) i++;
    const colon = enc.indexOf(':', start);
    if (colon >= 0 && colon < i) {
      // name:N or name:sN
      let ok = colon > start && isNameChar(enc.charCodeAt(start), true);
      for (let j = start + 1; ok && j < colon; j++) ok = isNameChar(enc.charCodeAt(j), false);
      let j = colon + 1;
      const signed = j < i && enc.charCodeAt(j) === 0x73; // 's'
      if (signed) j++;
      let w = 0;
      if (j >= i) ok = false;
      for (; ok && j < i; j++) {
        const d = enc.charCodeAt(j) - 0x30;
        if (d < 0 || d > 9) ok = false;
        else w = w * 10 + d;
      }
      if (!ok) throw new Error(`decode: bad token '${enc.slice(start, i)}' in ${row.name}`);
      pos -= w;
      fields.push({ name: enc.slice(start, colon), shift: pos, width: w, signed });
      continue;
    }
    for (let j = start; j < i; j++) {
      const c = enc.charCodeAt(j);
      pos--;
      if (c === 0x30 || c === 0x31) {
        mask |= 1 << pos;
        if (c === 0x31) bits |= 1 << pos;
      } else if (c !== 0x2e && c !== 0x2d) throw new Error(`decode: bad token '${enc.slice(start, i)}' in ${row.name}`);
    }
  }
  if (pos !== 0) throw new Error(`decode: ${row.name} has ${width - pos} bits, expected ${width}`);
  const names: string[] = [];
  const widths: number[] = [];
  const signed: boolean[] = [];
  const nameOf = fields.map((f) => {
    let i = names.indexOf(f.name);
    if (i < 0) {
      i = names.push(f.name) - 1;
      widths.push(0);
      signed.push(false);
    }
    widths[i] += f.width;
    signed[i] ||= f.signed;
    return i;
  });
  return { row, mask: mask | 0, bits: bits | 0, fields, index, names, widths, signed, nameOf };
}

/** Extracts the fields of `insn` for a compiled row, concatenating repeated names. */
export function extract(c: CompiledRow, insn: number): Args {
  const a: Args = {};
  const { fields, names, nameOf } = c;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const v = ((insn >>> f.shift) & ((1 << f.width) - 1 || -1)) >>> 0;
    const name = names[nameOf[i]];
    const prev = a[name];
    a[name] = prev === undefined ? v : (prev * 2 ** f.width + v) >>> 0;
  }
  for (let i = 0; i < names.length; i++) {
    if (!c.signed[i]) continue;
    const w = c.widths[i];
    a[names[i]] = w < 32 ? (a[names[i]] << (32 - w)) >> (32 - w) : a[names[i]] | 0;
  }
  return a;
}

/**
 * What extract() and then the row's `set` give, as a function of the instruction word compiled
 * for the row: its fields' shifts and masks are constants and the arguments one object
 * literal, so every decode of the row builds an object of one shape in one step. (extract()
 * adds the names one by one under computed keys: with a kernel's worth of new instruction
 * words to decode, that was a tenth of the decoder's time.)
 */
export function extractor(c: CompiledRow): (insn: number) => Args {
  return new Function('insn', `"use strict"; return ${extractorExpr(c)};`) as (insn: number) => Args;
}

/** The object literal extractor() returns, as JavaScript source over `insn` (also the build's, scripts/gen-decode.mjs). */
export function extractorExpr(c: CompiledRow): string {
  const parts: string[][] = c.names.map(() => []);
  c.fields.forEach((f, i) => {
    const v = f.width >= 32 ? `(insn >>> ${f.shift})` : `((insn >>> ${f.shift}) & ${(1 << f.width) - 1})`;
    const l = parts[c.nameOf[i]];
    l.push(l.length === 0 ? v : `((${l.pop()}) * ${2 ** f.width} + ${v}) >>> 0`);
  });
  const props = c.names.map((name, j) => {
    let e = parts[j][0];
    if (c.signed[j]) {
      const w = c.widths[j];
      e = w < 32 ? `((${e}) << ${32 - w}) >> ${32 - w}` : `(${e}) | 0`;
    }
    return `${JSON.stringify(name)}: ${e}`;
  });
  for (const [k, v] of Object.entries(c.row.set ?? {})) props.push(`${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  return `{ ${props.join(', ')} }`;
}

/**
 * A row as the decoder matches it: fixed-bit mask and value, and its extractor, made on first
 * match from `compiled` or, in the bundle, compiled at build time (prebuilt.ts).
 */
interface MatchRow {
  row: Row;
  mask: number;
  bits: number;
  fx: ((insn: number) => Args) | undefined;
  /** The row compiled at run time; undefined for a prebuilt row, whose fx is set. */
  compiled: CompiledRow | undefined;
}

/** One row of a table compiled by the build (scripts/gen-decode.mjs): name, mask, fixed bits, extractor. */
export type PrebuiltRow = [name: string, mask: number, bits: number, fx: (insn: number) => Args];

/**
 * The rows compatible with one key, and their masks and fixed bits side by side
 * ([mask0, bits0, mask1, bits1...]): a decode scans those without touching each row's object,
 * which in a long run (a kernel boot) is rarely in the CPU's caches.
 */
interface Bucket {
  rows: MatchRow[];
  fixed: number[];
}

/**
 * A decoder over one table. Rows are bucketed by the values of `keyBits` (a mask of bit
 * positions that most rows fix), so a lookup scans only the rows compatible with the key.
 * A bucket is filled from a coarser one (the key's high half: rows compatible with a key are
 * compatible with its high bits), so a new key scans tens of rows rather than the table: a
 * short run fills several hundred buckets while the decoder's code is still cold.
 */
export class Decoder {
  private compiled: CompiledRow[] | null = null;
  private matchRows: MatchRow[] | null = null;
  /**
   * The key bits as runs of adjacent instruction bits: run j is `(insn >>> runShift[j]) &
   * runMask[j]`, placed at key bit runAt[j]. Two runs for A32 and T32, one for T16: key()
   * runs while the decoder is still cold (interpreted by V8), where a loop over each key bit
   * cost ~1 µs per new encoding.
   */
  private readonly runShift: number[] = [];
  private readonly runMask: number[] = [];
  private readonly runAt: number[] = [];
  private readonly buckets: (Bucket | undefined)[];
  private readonly keyBits: number;
  /** Key bits below the coarse key (the coarse key is `k >>> fineBits`). */
  private readonly fineBits: number;
  /** Instruction bits of the coarse key. */
  private readonly coarseMask: number;
  private readonly coarse: (MatchRow[] | undefined)[];

  constructor(
    readonly tableName: string,
    private readonly source: Row[],
    readonly width: 16 | 32,
    keyBits: number,
  ) {
    const seen = new Set<string>();
    for (const r of source) {
      if (seen.has(r.name)) throw new Error(`decode: duplicate row name ${r.name} in ${tableName}`);
      seen.add(r.name);
    }
    // The instruction bit of each key bit, low to high.
    const keyPos: number[] = [];
    for (let i = 0; i < 32; i++) if ((keyBits >>> i) & 1) keyPos.push(i);
    for (let j = 0; j < keyPos.length; ) {
      let n = 1;
      while (j + n < keyPos.length && keyPos[j + n] === keyPos[j] + n) n++;
      this.runShift.push(keyPos[j]);
      this.runMask.push(n === 32 ? -1 : (1 << n) - 1);
      this.runAt.push(j);
      j += n;
    }
    this.keyBits = keyBits >>> 0;
    this.fineBits = keyPos.length >>> 1;
    let cm = 0;
    for (let j = this.fineBits; j < keyPos.length; j++) cm |= 1 << keyPos[j];
    this.coarseMask = cm >>> 0;
    // Rows are compiled, and buckets filled, on first use: start-up pays only for the tables
    // (and the parts of their key space) a guest actually reaches.
    this.buckets = new Array(1 << keyPos.length);
    this.coarse = new Array(1 << (keyPos.length - this.fineBits));
  }

  /**
   * The rows as the decoder matches them (on first use): the build's compiled table when there
   * is one for exactly these rows, else the rows compiled here. The bundle carries the build's:
   * parsing ~700 encodings and making each matched row's extractor with `new Function` (which
   * V8's code cache cannot hold) cost ~10 ms of a trivial program's run.
   */
  private get match(): MatchRow[] {
    if (this.matchRows) return this.matchRows;
    const pre = PREBUILT?.[this.tableName]?.();
    const src = this.source;
    if (pre && pre.length === src.length && pre.every((p, i) => p[0] === src[i].name)) {
      this.matchRows = pre.map(([, mask, bits, fx], i) => ({ row: src[i], mask, bits, fx, compiled: undefined }));
    } else {
      this.matchRows = this.rows.map((c) => ({ row: c.row, mask: c.mask, bits: c.bits, fx: undefined, compiled: c }));
    }
    return this.matchRows;
  }

  /** The table's rows, compiled (on first use). */
  get rows(): CompiledRow[] {
    return (this.compiled ??= this.source.map((r, i) => compileRow(r, this.width, i)));
  }

  /** The instruction bits a key index stands for. */
  private keyInsnBits(k: number): number {
    let kb = 0;
    for (let j = 0; j < this.runShift.length; j++) kb |= ((k >>> this.runAt[j]) & this.runMask[j]) << this.runShift[j];
    return kb >>> 0;
  }

  /** Rows of `from` whose fixed bits under `mask` agree with `kb`, in table order. */
  private static compatible(from: MatchRow[], kb: number, mask: number): MatchRow[] {
    const out: MatchRow[] = [];
    for (let i = 0; i < from.length; i++) {
      const c = from[i];
      if (((c.bits ^ kb) & c.mask & mask) === 0) out.push(c);
    }
    return out;
  }

  private bucket(k: number): Bucket {
    const kb = this.keyInsnBits(k);
    const ck = k >>> this.fineBits;
    const from = (this.coarse[ck] ??= Decoder.compatible(this.match, kb, this.coarseMask));
    const rows = Decoder.compatible(from, kb, this.keyBits);
    const fixed: number[] = [];
    for (const c of rows) fixed.push(c.mask, c.bits);
    const b = { rows, fixed };
    this.buckets[k] = b;
    return b;
  }

  private key(insn: number): number {
    let k = 0;
    const sh = this.runShift;
    for (let j = 0; j < sh.length; j++) k |= ((insn >>> sh[j]) & this.runMask[j]) << this.runAt[j];
    return k;
  }

  /** First row matching `insn` whose constraints hold, with its arguments; null if none. */
  decode(insn: number, env: DecodeEnv): Decoded | null {
    insn |= 0;
    const k = this.key(insn);
    const { rows, fixed } = this.buckets[k] ?? this.bucket(k);
    for (let i = 0; i < rows.length; i++) {
      if ((insn & fixed[2 * i]) !== fixed[2 * i + 1]) continue;
      const c = rows[i];
      const args = (c.fx ??= extractor(c.compiled!))(insn); // a prebuilt row's fx is set
      if (c.row.when && !c.row.when(args)) continue;
      if (c.row.expand && c.row.expand(args, env) === false) continue;
      return { row: c.row, args };
    }
    return null;
  }
}
