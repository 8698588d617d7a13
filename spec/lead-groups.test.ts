// Tier 1's access groups (translator/jit/leadgroups.ts: the loads and stores of a block at
// constant offsets from one base share one page test at the first of them, and leave before
// the first when it fails) against the interpreter: random sequences of LDR/STR of words,
// halfwords and bytes, LDRD/STRD and LDM/STM (word runs), with offsets up and down, write-back, conditional forms and
// base changes, from bases near the data area's page edges (an unmapped page below, a
// read-only page above). Run through the JIT (threshold 0) and the interpreter; exit, PC, fault
// address, core registers and the data pages must agree.

import fc from 'fast-check';
import { disassembleAt } from '../translator/disasm.js';
import { Exit } from '../translator/ir.js';
import { CODE, DATA, DATA_LEN, basesNear, interp, jit, mem, runWithBases, enginesAgree } from './helpers/page-edges.js';

/** LDR/STR{B} Rt, [Rn, #+-imm12]{!} or post-indexed (A8.8.63, A8.8.204): `p` pre-indexed, `w` write-back. */
const ldr = (cond: number, load: boolean, byte: boolean, rt: number, rn: number, imm: number, p = true, w = false) =>
  ((cond << 28) | 0x04000000 | (p ? 1 << 24 : 0) | (imm >= 0 ? 1 << 23 : 0) | (byte ? 1 << 22 : 0) | (w ? 1 << 21 : 0) | (load ? 1 << 20 : 0) | (rn << 16) | (rt << 12) | Math.abs(imm)) >>> 0;
/** LDRH/STRH Rt, [Rn, #+-imm8] (A8.8.80, A8.8.217). */
const ldrh = (cond: number, load: boolean, rt: number, rn: number, imm: number) => {
  const a = Math.abs(imm);
  return ((cond << 28) | 0x014000b0 | (imm >= 0 ? 1 << 23 : 0) | (load ? 1 << 20 : 0) | (rn << 16) | (rt << 12) | ((a >> 4) << 8) | (a & 15)) >>> 0;
};
/** LDRD/STRD Rt, Rt+1, [Rn, #+imm8] (A8.8.72, A8.8.210). */
const ldrd = (load: boolean, rt: number, rn: number, imm: number) => (0xe1c000d0 | (load ? 0 : 0x20) | (rn << 16) | (rt << 12) | ((imm >> 4) << 8) | (imm & 15)) >>> 0;
/** LDM/STM{IA,IB,DA,DB} Rn{!}, {list} (A8.8.58-A8.8.61, A8.8.199-A8.8.202). */
const ldm = (load: boolean, rn: number, list: number, p: boolean, u: boolean, w: boolean) =>
  (0xe8000000 | (p ? 1 << 24 : 0) | (u ? 1 << 23 : 0) | (w ? 1 << 21 : 0) | (load ? 1 << 20 : 0) | (rn << 16) | list) >>> 0;
/** ADD Rd, Rn, #imm8. */
const addi = (rd: number, rn: number, imm: number) => (0xe2800000 | (rn << 16) | (rd << 12) | imm) >>> 0;

const AL = 14;
const NE = 1;
const EQ = 0;
const rn = fc.integer({ min: 0, max: 2 });
const rt = fc.integer({ min: 3, max: 12 });
/** Offsets that keep a sequence's accesses within a group's reach, and some that do not. */
const near = fc.oneof(fc.integer({ min: -64, max: 124 }), fc.constantFrom(-4, 0, 4, 8, 60, 64, 120, 124), fc.integer({ min: -255, max: 255 }));

const insn = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.boolean(), fc.boolean(), rt, rn, near).map(([l, b, t, n, imm]) => ({ name: `${l ? 'ldr' : 'str'}${b ? 'b' : ''}`, word: ldr(AL, l, b, t, n, imm) })) },
  { weight: 2, arbitrary: fc.tuple(fc.boolean(), rt, rn, near).map(([l, t, n, imm]) => ({ name: l ? 'ldrh' : 'strh', word: ldrh(AL, l, t, n, imm) })) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom(4, 6, 8, 10), rn, fc.constantFrom(0, 4, 8, 12, 56, 64, 116, 120, 124, 128)).map(([t, n, imm]) => ({ name: 'ldrd', word: ldrd(true, t, n, imm) })),
  },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(4, 6, 8), rn, fc.constantFrom(0, 8, 60, 64)).map(([t, n, imm]) => ({ name: 'strd', word: ldrd(false, t, n, imm) })) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.boolean(), rt, rn, fc.integer({ min: -16, max: 16 }).map((x) => 4 * x), fc.boolean()).map(([l, t, n, imm, pre]) => ({
      name: `${l ? 'ldr' : 'str'} write-back`,
      word: ldr(AL, l, false, t, n, imm, pre, pre),
    })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom(NE, EQ), fc.boolean(), rt, rn, near).map(([c, l, t, n, imm]) => ({ name: `${l ? 'ldr' : 'str'}${c === NE ? 'ne' : 'eq'}`, word: ldr(c, l, false, t, n, imm) })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.boolean(), rn, fc.integer({ min: 1, max: 0x1ff8 }), fc.boolean(), fc.boolean())
      .map(([l, n, list, p, u]) => ({ name: l ? 'ldm' : 'stm', word: ldm(l, n, list << 3, p, u, false) })),
  },
  { weight: 1, arbitrary: fc.tuple(rn, fc.integer({ min: 0, max: 255 })).map(([n, imm]) => ({ name: 'add base', word: addi(n, n, imm) })) },
);

/** Base addresses: around the data area's page edges, aligned or not. */
const base = basesNear([0x21000, 0x21040, 0x21f80, 0x21fc0, 0x21ffc, 0x22000, 0x22f80, 0x22fc0, 0x22ffc, 0x23000, 0x23004, 0x20ffc], [0x20f00, 0x23100], [0x20f80, 0x23080]);

describe('access groups in tier 1', () => {
  test('the test encodings are the instructions they claim to be', () => {
    const check = (w: number, re: RegExp) => {
      mem.dv.setUint32(CODE, w, true);
      expect(disassembleAt(mem, CODE, false)).toMatch(re);
    };
    check(ldr(AL, true, false, 3, 1, 8), /ldr\s+r3, \[r1, #8\]/);
    check(ldr(AL, false, true, 4, 0, -12), /strb\s+r4, \[r0, #-12\]/);
    check(ldr(NE, true, false, 5, 2, 4, true, true), /ldrne\s+r5, \[r2, #4\]!/);
    check(ldr(AL, false, false, 6, 1, -8, false, false), /str\s+r6, \[r1\], #-8/);
    check(ldrh(AL, true, 7, 0, -6), /ldrh\s+r7, \[r0, #-6\]/);
    check(ldrh(AL, false, 8, 2, 30), /strh\s+r8, \[r2, #30\]/);
    check(ldrd(true, 4, 1, 0x14), /ldrd\s+r4, r5, \[r1, #20\]/);
  });

  test('random loads and stores from three bases near page edges: JIT and interpreter agree', () => {
    fc.assert(enginesAgree(insn, 10, base, runWithBases), { numRuns: Number(process.env.LEAD_GROUP_RUNS ?? 1500) });
  });

  test('a word run reaching past its group: tested for itself', () => {
    // ldr r3, [r0, #-124]; stmia r0, {r4-r11}: the group holds the load and the run's first
    // word (128 bytes), and its one test covers its chunk and the next, to 0x22fff; the run's
    // last words lie in the read-only page, which the run's own test must find
    const words = [ldr(AL, true, false, 3, 0, -124), ldm(false, 0, 0xff0, false, true, false)];
    const at = [0x22fe4, 0, 0];
    const want = runWithBases(interp, words, 3, at);
    const got = runWithBases(jit, words, 3, at);
    expect(got.exit).toBe(Exit.DATA_ABORT);
    expect(got.fault).toBe(DATA + DATA_LEN);
    expect(got).toEqual(want);
  });

  test('a group whose later member faults: the earlier ones done, the fault at the member', () => {
    // ldr r3, [r0]; str r4, [r0, #4]; ldr r5, [r0, #8], r0 four bytes before the read-only page:
    // the store's page refuses it, so the group's test fails and the interpreter takes over
    const words = [ldr(AL, true, false, 3, 0, 0), ldr(AL, false, false, 4, 0, 4), ldr(AL, true, false, 5, 0, 8)];
    const at = [DATA + DATA_LEN - 4, 0, 0];
    const want = runWithBases(interp, words, 9, at);
    const got = runWithBases(jit, words, 9, at);
    expect(got.exit).toBe(Exit.DATA_ABORT);
    expect(got.fault).toBe(DATA + DATA_LEN);
    expect(got.pc).toBe(CODE + 4);
    expect(got).toEqual(want);
    expect(got.regs[3]).toBe(mem.dv.getUint32(DATA + DATA_LEN - 4, true));
  });
});
