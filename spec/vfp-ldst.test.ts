// Tier 1's D-register transfers (translator/jit/vfp-ldst.ts: one 64-bit access when both words
// are in one page) against the interpreter: random sequences of VLDR, VSTR, VLDM, VSTM (IA and
// DB!) of double registers, with the base register near page boundaries: the last word of a
// page (the pair crosses pages), a neighbouring page unmapped or read-only (a data abort on
// the first or the second word), unaligned bases (alignment faults). Among them VADD.F64 and
// VMOV between two core registers and a D register, so that the region keeps those D
// registers in f64 locals (codegen.ts dLocal, as tier 2's code does) and the transfers, word
// reads and writes of halves, faults and exits meet them there. Run through the JIT (threshold 0) and the
// interpreter; exit, PC, fault address, core and VFP registers and the data pages must agree.

import fc from 'fast-check';
import { disassembleAt } from '../translator/disasm.js';
import { Exit } from '../translator/ir.js';
import { W } from '../translator/state.js';
import { CODE, DATA, DATA_LEN, cpu, interp, jit, jitVfpLocals, mem, runPageEdges, enginesAgree, type EdgeRun } from './helpers/page-edges.js';

/** D register d as the Vd field and D bit. */
const dreg = (d: number) => ((d & 15) << 12) | ((d >> 4) << 22);
/** VLDR/VSTR Dd, [Rn, #+-4*imm8]. */
const vldr = (load: boolean, d: number, rn: number, imm8: number, up: boolean) => (0xed000b00 | (up ? 1 << 23 : 0) | (load ? 1 << 20 : 0) | dreg(d) | (rn << 16) | imm8) >>> 0;
/** VLDMIA/VSTMIA Rn{!}, {Dd..Dd+n-1}, or the DB! form. */
const vldm = (load: boolean, d: number, rn: number, n: number, db: boolean, wb: boolean) =>
  ((db ? 0xed200b00 : 0xec800b00) | (wb || db ? 1 << 21 : 0) | (load ? 1 << 20 : 0) | dreg(d) | (rn << 16) | (2 * n)) >>> 0;

/** VADD.F64 Dd, Dn, Dm. */
const vadd = (d: number, n: number, m: number) => (0xee300b00 | dreg(d) | ((n & 15) << 16) | ((n >> 4) << 7) | (m & 15) | ((m >> 4) << 5)) >>> 0;
/** VMOV r3, r4, Dm (toCore) or VMOV Dm, r3, r4. */
const vmov = (toCore: boolean, m: number) => ((toCore ? 0xec543b10 : 0xec443b10) | (m & 15) | ((m >> 4) << 5)) >>> 0;

const insn = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 })).map(([d, n, m]) => ({ name: 'vadd', word: vadd(d, n, m) })),
  fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 7 })).map(([t, m]) => ({ name: 'vmov', word: vmov(t, m) })),
  fc
    .tuple(fc.boolean(), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 4 }), fc.boolean())
    .map(([l, d, rn, imm, up]) => ({ name: l ? 'vldr' : 'vstr', word: vldr(l, d, rn, imm, up) })),
  fc
    .tuple(fc.boolean(), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.boolean())
    .map(([l, d, rn, n, db, wb]) => ({ name: l ? 'vldm' : 'vstm', word: vldm(l, d, rn, n, db, wb) })),
);

/** Base addresses: around the page boundaries of the data area, aligned or not. */
const base = fc.oneof(
  fc.constantFrom(0x21000, 0x21008, 0x21ff8, 0x21ffc, 0x22000, 0x22ff8, 0x22ffc, 0x23000, 0x23ffc, 0x21004, 0x22004, 0x21800),
  fc.integer({ min: 0x20ff0 / 4, max: 0x23010 / 4 }).map((x) => x * 4),
  fc.integer({ min: 0x20ff0, max: 0x23010 }),
);

interface Side extends EdgeRun {
  regs: number[];
  vfp: number[];
}

function runOn(e: typeof jit, words: number[], seed: number, bases: number[]): Side {
  const r = runPageEdges(e, words, seed, () => {
    bases.forEach((b, i) => (cpu.u32[i] = b));
    cpu.u32[W.FPEXC] = 0x40000000;
    cpu.u32[W.FPSCR] = seed & 1 ? 0x10 : 0; // IXC set (inline arithmetic runs) or clear (its slow path)
    for (let i = 0; i < 32; i++) cpu.u32[W.VFP + i] = Math.imul(i + 1, seed | 1) >>> 0;
  });
  return { ...r, regs: Array.from(cpu.u32.subarray(0, 4)), vfp: Array.from(cpu.u32.subarray(W.VFP, W.VFP + 32)) };
}

describe('D-register transfers in tier 1', () => {
  test('the test encodings are the instructions they claim to be', () => {
    const check = (w: number, re: RegExp) => {
      mem.dv.setUint32(CODE, w, true);
      expect(disassembleAt(mem, CODE, false)).toMatch(re);
    };
    check(vldr(true, 17, 1, 3, false), /vldr\s+d17, \[r1, #-12\]/);
    check(vldr(false, 2, 0, 1, true), /vstr\s+d2, \[r0, #4\]/);
    check(vldm(true, 3, 2, 2, false, true), /vldmia\s+r2!, \{d3-d4\}/);
    check(vldm(false, 1, 0, 3, true, true), /vstmdb\s+r0!, \{d1-d3\}/);
    check(vadd(5, 1, 7), /vadd\.f64\s+d5, d1, d7/);
    check(vmov(true, 6), /vmov\s+r3, r4, d6/);
    check(vmov(false, 2), /vmov\s+d2, r3, r4/);
  });

  test('random VLDR/VSTR/VLDM/VSTM near page boundaries: JIT and interpreter agree', () => {
    fc.assert(enginesAgree(insn, 5, base, runOn), { numRuns: Number(process.env.VFP_LDST_RUNS ?? 1000) });
  });

  test("the same with tier 2's code, D registers in f64 locals: JIT and interpreter agree", () => {
    fc.assert(enginesAgree(insn, 5, base, runOn, jitVfpLocals), { numRuns: Number(process.env.VFP_LDST_RUNS ?? 1000) });
  });

  test('a pair across two pages, the second read-only: the store faults on its second word', () => {
    // vstr d0, [r0]; r0 = the last word of the read-write area
    const words = [vldr(false, 0, 0, 0, true)];
    const want = runOn(interp, words, 7, [DATA + DATA_LEN - 4, 0, 0]);
    const got = runOn(jit, words, 7, [DATA + DATA_LEN - 4, 0, 0]);
    expect(got.exit).toBe(Exit.DATA_ABORT);
    expect(got.fault).toBe(DATA + DATA_LEN);
    expect(got).toEqual(want);
    // the first word was written before the fault
    expect(got.data[DATA_LEN / 4 - 1]).toBe(got.vfp[0]);
  });
});
