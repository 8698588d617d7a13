// The generator: random valid encodings of every row of every decode table, and random
// start states shaped by what the row does (memory rows get bases in the scratch pages).

import { A32, A32_UNCOND, T16, T32, isThumb32 } from '../../translator/decode/tables.js';
import type { Args, CompiledRow, Decoder, Row } from '../../translator/decode/pattern.js';
import { decodeAt, liftBlock } from '../../translator/lift/block.js';
import { Op, type IRBlock } from '../../translator/ir.js';
import { W } from '../../translator/state.js';
import { CODE_PAGE, CODE_REGION, SCRATCH_REGION } from './layout.js';
import type { Rng } from './rng.js';
import type { CaseInput } from './wire.js';

export interface Target {
  table: string;
  decoder: Decoder;
  c: CompiledRow;
  thumb: boolean;
  /** Encoding length in bytes. */
  len: 2 | 4;
}

/** Every row of every table, in table order. */
export function allTargets(): Target[] {
  const out: Target[] = [];
  const add = (d: Decoder, thumb: boolean, len: 2 | 4) => {
    for (const c of d.rows) out.push({ table: d.tableName, decoder: d, c, thumb, len });
  };
  add(A32, false, 4);
  add(A32_UNCOND, false, 4);
  add(T16, true, 2);
  add(T32, true, 4);
  return out;
}

export const rowKey = (t: { table: string; c: { row: Row } }): string => `${t.table}:${t.c.row.name}`;

/** One drawn encoding that decodes to its target row. */
export interface Drawn {
  target: Target;
  insn: number;
  /** ITSTATE the instruction runs under (Thumb, 0 = outside an IT block). */
  it: number;
  /** The IT instruction before it, or 0. */
  itInsn: number;
  args: Args;
  /** The bytes placed at the end of the test page: [IT] instruction [NOP]. */
  code: Uint8Array;
  /** Address of the instruction. */
  pc: number;
}

/** T16 NOP: appended after a Thumb instruction half of the time, so both halfword alignments occur. */
const T16_NOP = 0xbf00;

/** Why a row yields no encoding (for the coverage report). */
export type DrawFailure = 'noRandom' | 'shadowed' | 'invalid';

function codeBytes(t: Target, insn: number, itInsn: number, nop = false): Uint8Array {
  const out: number[] = [];
  const hw = (v: number) => out.push(v & 0xff, (v >>> 8) & 0xff);
  if (itInsn) hw(itInsn);
  if (t.len === 2) hw(insn);
  else if (t.thumb) {
    hw(insn >>> 16);
    hw(insn & 0xffff);
  } else {
    hw(insn & 0xffff);
    hw(insn >>> 16);
  }
  if (nop) hw(T16_NOP);
  return Uint8Array.from(out);
}

/** A random IT instruction for one following instruction (firstcond, mask; ARM ARM A8.8.54). */
function randomIT(rng: Rng): number {
  const firstcond = rng.int(15);
  let mask: number;
  if (firstcond === 14) mask = 8;
  else {
    const n = 1 + rng.int(4); // instructions in the block
    mask = ((rng.u32() & 0xe) | 1) << (4 - n);
    mask &= 0xf;
    if (n === 1) mask = 8;
  }
  return 0xbf00 | (firstcond << 4) | mask;
}

/**
 * Draws an encoding of `t`'s row: random bits with the row's fixed bits forced, accepted
 * when the table's decoder (first match wins) gives this very row, its `valid` predicate
 * passes (no UNPREDICTABLE forms) and for Thumb the length is right. Thumb rows are put
 * inside a random IT block some of the time.
 */
export function drawEncoding(t: Target, rng: Rng, tries = 400): Drawn | DrawFailure {
  const row = t.c.row;
  if (row.noRandom) return 'noRandom';
  let decodedElsewhere = 0;
  for (let k = 0; k < tries; k++) {
    let insn = t.len === 2 ? rng.u32() & 0xffff : rng.u32();
    insn = ((insn & ~t.c.mask) | t.c.bits) >>> 0;
    if (!t.thumb && t.table === A32.tableName && (t.c.mask >>> 28) !== 0xf) {
      const cond = rng.chance(0.5) ? 14 : rng.int(15);
      insn = ((insn & 0x0fffffff) | (cond << 28)) >>> 0;
    }
    if (t.thumb && (t.len === 2) === isThumb32(t.len === 2 ? insn : insn >>> 16)) {
      decodedElsewhere++;
      continue;
    }
    let it = 0;
    let itInsn = 0;
    if (t.thumb && !row.always && rng.chance(0.3)) {
      itInsn = randomIT(rng);
      it = itInsn & 0xff;
    }
    if (it && (it & 0xf) !== 8 && writesPC(t, insn)) {
      // A PC write must be the last instruction of an IT block (ARM ARM A8.8.54): one-instruction block.
      itInsn = (itInsn & 0xfff0) | 8;
      it = itInsn & 0xff;
    }
    let d = decodeAt(insn, t.len, t.thumb, it);
    if ((!d || d.row !== row) && it) {
      // Not allowed (or decoded differently) inside an IT block: try it outside.
      it = 0;
      itInsn = 0;
      d = decodeAt(insn, t.len, t.thumb, 0);
    }
    if (!d || d.row !== row) {
      decodedElsewhere++;
      continue;
    }
    if (row.valid && !row.valid(d.args)) continue;
    const nop = t.thumb && rng.chance(0.5);
    const code = codeBytes(t, insn, itInsn, nop);
    const pc = CODE_PAGE + 0x1000 - code.length + (itInsn ? 2 : 0);
    return { target: t, insn, it, itInsn, args: d.args, code, pc };
  }
  return decodedElsewhere === tries ? 'shadowed' : 'invalid';
}

/** The IR of the instruction alone (no IT), lifted at its place at the end of the test page. */
function liftAlone(t: Target, insn: number): IRBlock | null {
  const code = codeBytes(t, insn, 0);
  const at = CODE_PAGE + 0x1000 - code.length;
  const src = {
    fetch16: (a: number) => {
      const off = a - at;
      return off >= 0 && off + 1 < code.length ? code[off] | (code[off + 1] << 8) : -1;
    },
  };
  try {
    return liftBlock(src, at, t.thumb, 0, { maxInsns: 1 });
  } catch {
    return null;
  }
}

/** True when the instruction may write the PC (a SET of R15 other than the fall-through one). */
function writesPC(t: Target, insn: number): boolean {
  const b = liftAlone(t, insn);
  if (!b) return false;
  const next = (CODE_PAGE + 0x1000) | 0;
  return b.ops.some((o, i) => {
    if (o.op !== Op.SET || o.imm !== W.PC) return false;
    for (let j = i - 1; j >= 0; j--) if (b.ops[j].d === o.a) return !(b.ops[j].op === Op.CONST && b.ops[j].imm === next);
    return true;
  });
}

/** True when the row's IR accesses memory (then its base register gets a scratch address). */
export function accessesMemory(d: Drawn): boolean {
  const b = liftAlone(d.target, d.insn);
  return b !== null && b.ops.some((o) => o.op === Op.LOAD || o.op === Op.STORE);
}

// ---- start states ----

const INTERESTING = [
  0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 33, 63, 64, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
  0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0xffff8000, 0xffffff80, 0x00ff00ff, 0xff00ff00,
  0x7f7f7f7f, 0x80808080, 0x7fff8000, 0x80007fff, 0x55555555, 0xaaaaaaaa, 0x12345678, 0xfedcba98,
];

function scratchPointer(rng: Rng): number {
  let p = SCRATCH_REGION + 0x1000 + rng.int(0x1000);
  const a = rng.int(20);
  if (a < 12) p &= ~7;
  else if (a < 17) p &= ~3;
  return p >>> 0;
}

/** An address in a non-executable page next to the test page: where branches should land. */
function landingAddress(rng: Rng): number {
  const page = rng.chance(0.5) ? CODE_REGION : CODE_PAGE + 0x1000;
  const off = rng.int(0x1000);
  return rng.chance(0.5) ? (page + (off & ~3)) >>> 0 : (page + (off & ~1) + 1) >>> 0;
}

function randomReg(rng: Rng, landing: number): number {
  const x = rng.u32() / 0x100000000;
  if (x < landing) return landingAddress(rng);
  const y = rng.int(100);
  if (y < 35) return rng.u32();
  if (y < 55) return rng.pick(INTERESTING) >>> 0;
  if (y < 70) return rng.int(65);
  if (y < 85) return scratchPointer(rng);
  return (rng.pick([0, 0x80000000, 0x7fffffff, 0xffffffff]) + rng.int(9) - 4) >>> 0;
}

const F32_SPECIAL = [
  0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0x7fa00000, 0xffc00001,
  0x00000001, 0x807fffff, 0x00800000, 0x80800000, 0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000, 0x3f000000,
  0x3fc00000, 0x40200000, 0xbfc00000, 0x4f000000, 0x4f800000, 0xcf000000, 0xcf000001, 0x4effffff, 0x477fe000,
  0x477ff000, 0x387fc000, 0x33800000, 0x3eaaaaab, 0x40490fdb,
];
const F64_SPECIAL: [number, number][] = [
  [0, 0], [0, 0x80000000], [0, 0x7ff00000], [0, 0xfff00000], [0, 0x7ff80000], [0, 0xfff80000], [1, 0x7ff00000],
  [0, 0x7ff40000], [1, 0xfff80000], [1, 0], [0xffffffff, 0x800fffff], [0, 0x00100000], [0, 0x80100000],
  [0xffffffff, 0x7fefffff], [0, 0x3ff00000], [0, 0xbff00000], [0, 0x3fe00000], [0, 0x3ff80000], [0, 0x40040000],
  [0, 0xbff80000], [0, 0x41e00000], [0, 0x41f00000], [0, 0xc1e00000], [0x00200000, 0xc1e00000], [0xffc00000, 0x41dfffff],
  [0, 0x40efffc0], [0, 0x36a00000], [0xe0000000, 0x380fffff], [0x55555555, 0x3fd55555], [0x54442d18, 0x400921fb],
  [0x20000000, 0x47efffff], [0, 0x3690000],
];

function randomSingle(rng: Rng): number {
  const y = rng.int(10);
  if (y < 3) return rng.u32();
  if (y < 6) return rng.pick(F32_SPECIAL) >>> 0;
  const f = new Float32Array(1);
  f[0] = y < 8 ? rng.int(2001) - 1000 : (rng.u32() / 0x100000000 - 0.5) * 2 ** (rng.int(80) - 40);
  if (y === 9 && rng.chance(0.5)) f[0] += 0.5;
  return new Uint32Array(f.buffer)[0];
}

function randomDouble(rng: Rng, out: Uint32Array, i: number): void {
  const y = rng.int(10);
  if (y < 2) {
    out[i] = rng.u32();
    out[i + 1] = rng.u32();
    return;
  }
  if (y < 5) {
    const [lo, hi] = rng.pick(F64_SPECIAL);
    out[i] = lo;
    out[i + 1] = hi;
    return;
  }
  if (y < 7) {
    out[i] = randomSingle(rng);
    out[i + 1] = randomSingle(rng);
    return;
  }
  const f = new Float64Array(1);
  f[0] = y < 8 ? rng.int(2 ** 33) - 2 ** 32 : (rng.u32() / 0x100000000 - 0.5) * 2 ** (rng.int(140) - 70);
  if (y === 9) f[0] = Math.round(f[0] * 2) / 2;
  const w = new Uint32Array(f.buffer);
  out[i] = w[0];
  out[i + 1] = w[1];
}

function randomFPSCR(rng: Rng): number {
  let v = rng.u32() & 0xf0000000; // NZCV
  if (rng.chance(0.2)) v |= 1 << 27; // QC
  if (rng.chance(0.2)) v |= 1 << 26; // AHP
  if (rng.chance(0.3)) v |= 1 << 25; // DN
  if (rng.chance(0.3)) v |= 1 << 24; // FZ
  if (rng.chance(0.5)) v |= rng.int(4) << 22; // RMode
  if (rng.chance(0.5)) v |= rng.u32() & 0x9f; // IDC, IXC..IOC
  return v >>> 0;
}

const REG_ARG = /^r[a-z]?[a-z0-9]?\d?$/;

/**
 * A random start state for a drawn instruction. `attempt` counts earlier states rejected
 * because armvisor's run left the safe window; later attempts aim more registers at the
 * landing pages and the scratch pages.
 */
export function drawState(rng: Rng, d: Drawn, memory: boolean, attempt: number): CaseInput {
  const landing = Math.min(0.08 + 0.06 * attempt, 0.5);
  const r = new Uint32Array(15);
  for (let i = 0; i < 15; i++) r[i] = randomReg(rng, landing);
  r[13] = scratchPointer(rng);
  if (memory) {
    const a = d.args;
    if (a.rn !== undefined && a.rn < 15 && rng.chance(0.92)) r[a.rn] = scratchPointer(rng);
    if (a.rm !== undefined && a.rm < 15 && a.rm !== a.rn && rng.chance(0.8)) {
      const v = rng.chance(0.6) ? rng.int(9) * 4 : rng.int(33);
      r[a.rm] = rng.chance(0.8) ? v : -v >>> 0;
    }
    if (attempt >= 4) {
      // Unknown register names: aim the row's other register fields at the scratch pages too.
      for (const k of Object.keys(a)) {
        if (REG_ARG.test(k) && k !== 'rot' && a[k] >= 0 && a[k] < 13 && k !== 'rn' && k !== 'rm' && rng.chance(0.5)) r[a[k]] = scratchPointer(rng);
      }
    }
  }
  const dd = new Uint32Array(64);
  for (let i = 0; i < 64; i += 2) randomDouble(rng, dd, i);
  return {
    thumb: d.target.thumb,
    code: d.code,
    r,
    apsr: ((rng.u32() & 0xf8000000) | (rng.u32() & 0x000f0000)) >>> 0,
    fpscr: randomFPSCR(rng),
    tpidrurw: rng.chance(0.5) ? 0 : rng.u32(),
    memSeed: rng.u32() | 1,
    d: dd,
  };
}
