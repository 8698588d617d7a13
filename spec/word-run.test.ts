// Tier 1's word runs (codegen.ts genWordRun: the word accesses of an LDM, STM, PUSH or POP
// checked once when they all lie in one page) against the interpreter: random sequences of
// LDM/STM in all four addressing modes, with and without write-back, LDRD/STRD, and ALU
// instructions, with the base registers near page boundaries: a run crossing into the next
// page, a neighbouring page unmapped or read-only (a data abort part-way through a run), and
// unaligned bases (alignment faults). Run through the JIT (threshold 0) and the interpreter;
// exit, PC, fault address, core registers and the data pages must agree.

import fc from 'fast-check';
import { disassembleAt } from '../translator/disasm.js';
import { Exit } from '../translator/ir.js';
import { CODE, DATA, DATA_LEN, basesNear, interp, jit, mem, runWithBases, enginesAgree } from './helpers/page-edges.js';

/** LDM/STM{IA,IB,DA,DB} Rn{!}, {list} (A32, A8.8.58-A8.8.61, A8.8.199-A8.8.202). */
const ldm = (load: boolean, rn: number, list: number, p: boolean, u: boolean, w: boolean) =>
  (0xe8000000 | (p ? 1 << 24 : 0) | (u ? 1 << 23 : 0) | (w ? 1 << 21 : 0) | (load ? 1 << 20 : 0) | (rn << 16) | list) >>> 0;
/** LDRD/STRD Rt, Rt+1, [Rn, #+imm8] (A8.8.72, A8.8.210): the second address is computed before the first access. */
const ldrd = (load: boolean, rt: number, rn: number, imm: number) => (0xe1c000d0 | (load ? 0 : 0x20) | (rn << 16) | (rt << 12) | ((imm >> 4) << 8) | (imm & 15)) >>> 0;
/** ADD Rd, Rn, #imm8. */
const addi = (rd: number, rn: number, imm: number) => (0xe2800000 | (rn << 16) | (rd << 12) | imm) >>> 0;

const insn = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.boolean(), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 0x1ff8 }), fc.boolean(), fc.boolean(), fc.boolean())
      .map(([l, rn, list, p, u, w]) => ({ name: l ? 'ldm' : 'stm', word: ldm(l, rn, list << 3, p, u, w) })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.boolean(), fc.constantFrom(4, 6, 8, 10), fc.integer({ min: 0, max: 2 }), fc.oneof(fc.constantFrom(0, 4, 8, 12, 248, 252), fc.integer({ min: 0, max: 255 })))
      .map(([l, rt, rn, imm]) => ({ name: l ? 'ldrd' : 'strd', word: ldrd(l, rt, rn, imm) })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 3, max: 12 }), fc.integer({ min: 3, max: 12 }), fc.integer({ min: 0, max: 255 })).map(([rd, rn, imm]) => ({ name: 'add', word: addi(rd, rn, imm) })),
  },
);

/** Base addresses: around the page boundaries of the data area, aligned or not. */
const base = basesNear([0x21000, 0x21008, 0x21ff8, 0x21ffc, 0x21fe0, 0x22000, 0x22ff8, 0x22ffc, 0x22fe4, 0x23000, 0x23004, 0x21004, 0x21800], [0x20fc0, 0x23040], [0x20ff0, 0x23010]);

const runOn = runWithBases;

describe('word runs in tier 1', () => {
  test('the test encodings are the instructions they claim to be', () => {
    const check = (w: number, re: RegExp) => {
      mem.dv.setUint32(CODE, w, true);
      expect(disassembleAt(mem, CODE, false)).toMatch(re);
    };
    check(ldm(true, 1, 0x30, false, true, true), /ldm\s+r1!, \{r4, r5\}/);
    check(ldm(false, 0, 0x1008, true, false, true), /stmdb\s+r0!, \{r3, ip\}/);
    check(ldm(true, 2, 0x8, true, true, false), /ldmib\s+r2, \{r3\}/);
    check(ldm(false, 2, 0x38, false, false, false), /stmda\s+r2, \{r3-r5\}/);
    check(addi(4, 5, 9), /add\s+r4, r5, #9/);
    check(ldrd(true, 4, 1, 0x14), /ldrd\s+r4, r5, \[r1, #20\]/);
    check(ldrd(false, 10, 0, 8), /strd\s+sl, fp, \[r0, #8\]/);
  });

  test('random LDM/STM near page boundaries: JIT and interpreter agree', () => {
    fc.assert(enginesAgree(insn, 8, base, runOn), { numRuns: Number(process.env.WORD_RUN_RUNS ?? 1000) });
  });

  test('a run across into the read-only page: the store faults at its first word there, the words before it written', () => {
    // stmia r0, {r3-r6}, r0 two words before the read-only page
    const words = [ldm(false, 0, 0x78, false, true, false)];
    const want = runOn(interp, words, 5, [DATA + DATA_LEN - 8, 0, 0]);
    const got = runOn(jit, words, 5, [DATA + DATA_LEN - 8, 0, 0]);
    expect(got.exit).toBe(Exit.DATA_ABORT);
    expect(got.fault).toBe(DATA + DATA_LEN);
    expect(got).toEqual(want);
    expect(got.data.slice(-2)).toEqual([got.regs[3], got.regs[4]]);
  });
});
