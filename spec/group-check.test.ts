// Tier 2's grouped access tests (translator/jit/groupcheck.ts: a block's accesses at constant
// offsets from one base share one test that their whole range lies in one page they may reach
// directly; each access makes its own test when the answer is no). Which accesses group, on a
// lifted block; and random sequences of loads and stores of every size at immediate offsets
// from three base registers near page boundaries (a range crossing into the next page, a
// neighbouring page unmapped or read-only, unaligned bases, bases written back or loaded
// over) run through tier 2's form of code and the interpreter: exit, PC, fault address, core
// registers and the data pages must agree.

import fc from 'fast-check';
import { disassembleAt } from '../translator/disasm.js';
import { Exit } from '../translator/ir.js';
import { liftBlock } from '../translator/lift/block.js';
import { planGroups } from '../translator/jit/groupcheck.js';
import { CODE, DATA, DATA_LEN, basesNear, interp, jitVfpLocals, mem, runWithBases, enginesAgree } from './helpers/page-edges.js';

/** LDR/STR{B} Rt, [Rn, #+-imm12]{!} or [Rn], #+-imm12 (A8.8.63, A8.8.204). */
const ldr = (load: boolean, byte: boolean, rt: number, rn: number, imm: number, up: boolean, p: boolean, w: boolean) =>
  (0xe4000000 | (p ? 1 << 24 : 0) | (up ? 1 << 23 : 0) | (byte ? 1 << 22 : 0) | (w ? 1 << 21 : 0) | (load ? 1 << 20 : 0) | (rn << 16) | (rt << 12) | imm) >>> 0;
/** LDRH/STRH (0xb0) or LDRD (0xd0) / STRD (0xf0) Rt, [Rn, #+-imm8]{!} or [Rn], #+-imm8 (A8.8.80, A8.8.72). */
const ldrx = (kind: number, load: boolean, rt: number, rn: number, imm: number, up: boolean, p: boolean, w: boolean) =>
  (0xe0400000 | kind | (p ? 1 << 24 : 0) | (up ? 1 << 23 : 0) | (w ? 1 << 21 : 0) | (load && kind === 0xb0 ? 1 << 20 : 0) | (rn << 16) | (rt << 12) | ((imm >> 4) << 8) | (imm & 15)) >>> 0;
/** ADD Rd, Rn, #imm8. */
const addi = (rd: number, rn: number, imm: number) => (0xe2800000 | (rn << 16) | (rd << 12) | imm) >>> 0;

/** Addressing: offset (most, as compilers emit), pre-indexed with write-back, post-indexed. */
const mode = fc.constantFrom([true, false], [true, false], [true, false], [true, true], [false, false]);
const offset = fc.oneof(fc.constantFrom(0, 4, 8, 12, 16, 24, 40, 48), fc.integer({ min: 0, max: 255 }));

const insn = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.boolean(), fc.boolean(), fc.integer({ min: 3, max: 12 }), fc.integer({ min: 0, max: 2 }), offset, fc.boolean(), mode)
      .map(([l, b, rt, rn, imm, up, [p, w]]) => ({ name: `${l ? 'ldr' : 'str'}${b ? 'b' : ''}`, word: ldr(l, b, rt, rn, imm, up, p, w) })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(0xb0, 0xb0, 0xd0, 0xf0), fc.boolean(), fc.constantFrom(4, 6, 8, 10), fc.integer({ min: 0, max: 2 }), offset, fc.boolean(), mode)
      .map(([k, l, rt, rn, imm, up, [p, w]]) => ({ name: k === 0xb0 ? (l ? 'ldrh' : 'strh') : k === 0xd0 ? 'ldrd' : 'strd', word: ldrx(k, l, rt, rn, imm, up, p, w) })),
  },
  {
    weight: 1,
    // a base register loaded over: later accesses from it belong to another group
    arbitrary: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.constantFrom(0, 4, 8)).map(([rt, rn, imm]) => ({ name: 'ldr base', word: ldr(true, false, rt, rn, imm, true, true, false) })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 255 })).map(([rd, rn, imm]) => ({ name: 'add', word: addi(rd, rn, imm) })),
  },
);

/** Base addresses: around the page boundaries of the data area, aligned or not. */
const base = basesNear([0x21000, 0x21008, 0x21fc0, 0x21ff0, 0x21ffc, 0x22000, 0x22f80, 0x22fd0, 0x22ffc, 0x23000, 0x21004, 0x21800, 0x20fe0], [0x20f00, 0x23040], [0x20f00, 0x23010]);

const runOn = runWithBases;

/** The access groups planGroups finds in the block lifted from A32 `words`. */
function groupsOf(words: number[]): { members: number[][]; span: number[] } {
  const src = { fetch16: (a: number) => (words[(a - CODE) >>> 2] >>> (a & 2 ? 16 : 0)) & 0xffff };
  const b = liftBlock(src, CODE, false, 0, { maxInsns: words.length });
  const defAt = new Int32Array(b.ntemps).fill(-1);
  for (let i = 0; i < b.nops; i++) if (b.code[i * 6 + 1] >= 0) defAt[b.code[i * 6 + 1]] = i;
  const g = planGroups(b.code, 0, b.nops, defAt);
  const members: number[][] = [];
  for (let k = 0; g && k < g.count; k++) members.push([...g.groupOf.keys()].filter((i) => g.groupOf[i] === k));
  return { members, span: g ? g.span.slice(0, g.count) : [] };
}

describe("tier 2's grouped access tests", () => {
  test('the test encodings are the instructions they claim to be', () => {
    const check = (w: number, re: RegExp) => {
      mem.dv.setUint32(CODE, w, true);
      expect(disassembleAt(mem, CODE, false)).toMatch(re);
    };
    check(ldr(true, false, 3, 1, 8, true, true, false), /ldr\s+r3, \[r1, #8\]/);
    check(ldr(false, true, 4, 0, 5, false, true, true), /strb\s+r4, \[r0, #-5\]!/);
    check(ldr(true, false, 5, 2, 12, true, false, false), /ldr\s+r5, \[r2\], #12/);
    check(ldrx(0xb0, true, 6, 1, 0x22, true, true, false), /ldrh\s+r6, \[r1, #34\]/);
    check(ldrx(0xd0, true, 4, 0, 8, true, true, false), /ldrd\s+r4, r5, \[r0, #8\]/);
    check(ldrx(0xf0, false, 8, 2, 16, false, true, true), /strd\s+r8, r9, \[r2, #-16\]!/);
  });

  test('accesses from one register value group; a base loaded over starts another value', () => {
    const g = groupsOf([
      ldr(true, false, 3, 0, 4, true, true, false), // ldr r3, [r0, #4]
      ldr(false, false, 4, 0, 12, true, true, false), // str r4, [r0, #12]
      ldrx(0xd0, true, 6, 0, 16, true, true, false), // ldrd r6, r7, [r0, #16]
      ldr(true, false, 5, 1, 0, true, true, false), // ldr r5, [r1] (alone)
      ldr(true, false, 0, 0, 0, true, true, false), // ldr r0, [r0]: its own access is r0's first value's
      ldr(true, false, 8, 0, 4, true, true, false), // r0's new value: two accesses, not a group
      ldr(true, false, 9, 0, 8, true, true, false),
    ]);
    expect(g.members.length).toBe(1);
    expect(g.members[0].length).toBe(5); // 4..8, 12..16, 16..24, 0..4: span 24
    expect(g.span).toEqual([24]);
  });

  test('random loads and stores near page boundaries: tier 2 code and interpreter agree', () => {
    fc.assert(enginesAgree(insn, 10, base, runOn, jitVfpLocals), { numRuns: Number(process.env.GROUP_CHECK_RUNS ?? 1500) });
  });

  test('a group across into the read-only page: the store there faults, the stores before it done', () => {
    // r0 16 bytes below the read-only page: str at +0 and +8, then +16 (read-only), then +4
    const words = [0, 8, 16, 4].map((o) => ldr(false, false, 3 + o / 4, 0, o, true, true, false));
    const r0 = DATA + DATA_LEN - 16;
    const want = runOn(interp, words, 3, [r0, 0, 0]);
    const got = runOn(jitVfpLocals, words, 3, [r0, 0, 0]);
    expect(got.exit).toBe(Exit.DATA_ABORT);
    expect(got.fault).toBe(DATA + DATA_LEN);
    expect(got).toEqual(want);
    expect(got.data[DATA_LEN / 4 - 4]).toBe(got.regs[3]);
    expect(got.data[DATA_LEN / 4 - 2]).toBe(got.regs[5]);
  });
});
