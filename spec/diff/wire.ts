// The harness's binary protocol (spec/diff/harness.c): test-case records in, result
// records out, all little-endian.

import { IN_MAGIC, MAX_CHANGES, MAX_CODE, OUT_MAGIC } from './layout.js';

/** What a test case starts from. */
export interface CaseInput {
  thumb: boolean;
  /** The bytes placed at the very end of the test page (IT + instruction, or one instruction). */
  code: Uint8Array;
  /** R0-R14 (R15 is the code's address). */
  r: Uint32Array;
  /** NZCVQ in 31:27, GE in 19:16. */
  apsr: number;
  fpscr: number;
  tpidrurw: number;
  /** Seed of the scratch pages' contents. */
  memSeed: number;
  /** D0-D31 as 64 words (low word first). */
  d: Uint32Array;
}

/** The state after a case, as the harness's signal handler saw it. */
export interface CaseResult {
  /** The signal that ended the case (SIGSEGV at the fetch after the code is the normal end); -1 = harness died. */
  sig: number;
  /** si_addr: the fault address (the PC for fetch faults). */
  addr: number;
  /** R0-R15. */
  r: Uint32Array;
  cpsr: number;
  fpscr: number;
  tpidrurw: number;
  tpidruro: number;
  d: Uint32Array;
  /** Changed bytes of the code (region 0) and scratch (region 1) pages: region<<30 | offset<<8 | value. */
  changes: number[];
}

export const IN_BYTES = 360;
export const OUT_BYTES = 352;

export function encodeCases(cases: readonly CaseInput[]): Buffer {
  const buf = Buffer.alloc(8 + IN_BYTES * cases.length);
  buf.writeUInt32LE(IN_MAGIC, 0);
  buf.writeUInt32LE(cases.length, 4);
  cases.forEach((c, k) => {
    const o = 8 + k * IN_BYTES;
    if (c.code.length === 0 || c.code.length > MAX_CODE) throw new Error('diff: bad code length');
    buf.writeUInt32LE(c.thumb ? 1 : 0, o);
    buf.writeUInt32LE(c.code.length, o + 4);
    buf.set(c.code, o + 8);
    for (let i = 0; i < 15; i++) buf.writeUInt32LE(c.r[i] >>> 0, o + 24 + 4 * i);
    buf.writeUInt32LE(c.apsr >>> 0, o + 84);
    buf.writeUInt32LE(c.fpscr >>> 0, o + 88);
    buf.writeUInt32LE(c.memSeed >>> 0, o + 92);
    buf.writeUInt32LE(c.tpidrurw >>> 0, o + 96);
    for (let i = 0; i < 64; i++) buf.writeUInt32LE(c.d[i] >>> 0, o + 104 + 4 * i);
  });
  return buf;
}

/** Parses as many complete result records as `buf` holds. */
export function decodeResults(buf: Buffer): CaseResult[] {
  const out: CaseResult[] = [];
  let o = 0;
  while (o + OUT_BYTES + 4 <= buf.length) {
    if (buf.readUInt32LE(o) !== OUT_MAGIC) throw new Error(`diff: bad result record at byte ${o}`);
    const n = buf.readUInt32LE(o + OUT_BYTES);
    const kept = Math.min(n, MAX_CHANGES);
    const end = o + OUT_BYTES + 4 + 4 * kept;
    if (end > buf.length) break;
    const r = new Uint32Array(16);
    for (let i = 0; i < 16; i++) r[i] = buf.readUInt32LE(o + 12 + 4 * i);
    const d = new Uint32Array(64);
    for (let i = 0; i < 64; i++) d[i] = buf.readUInt32LE(o + 96 + 4 * i);
    const changes: number[] = [];
    for (let i = 0; i < kept; i++) changes.push(buf.readUInt32LE(o + OUT_BYTES + 4 + 4 * i));
    out.push({
      sig: buf.readInt32LE(o + 4),
      addr: buf.readUInt32LE(o + 8),
      r,
      cpsr: buf.readUInt32LE(o + 76),
      fpscr: buf.readUInt32LE(o + 80),
      tpidrurw: buf.readUInt32LE(o + 84),
      tpidruro: buf.readUInt32LE(o + 88),
      d,
      changes,
    });
    o = end;
  }
  return out;
}
