// Helpers declared 'vfp' (translator/helpers.ts: they touch only the VFP registers and FPSCR):
// generated code spills and reloads no state word around their calls, and the dead-store pass
// lets writes of other words pass over them, so the claim must hold. Checked for every such
// helper on random states and arguments: it changes no word outside D0-D31 and FPSCR, and what
// it writes does not depend on any word outside them.
import fc from 'fast-check';
import { HELPERS } from '../translator/helpers.js';
import { CpuState, STATE_BYTES, W } from '../translator/state.js';
import { randomWords, STATE_WORDS } from './helpers/random-state.js';
import { H, VOp, Cvt } from '../translator/vfp/helpers.js';

const WORDS = STATE_WORDS;

const reg = fc.integer({ min: 0, max: 31 });
/** toInt/fromInt carry the fraction bits + 64 in the third byte, not a register. */
const regOrFbits = fc.oneof(reg, fc.integer({ min: 64, max: 96 }));

/** Valid arguments per helper: the third register byte, and the operation, kind or flags. */
const CASES: [keyof typeof H, fc.Arbitrary<number>, fc.Arbitrary<number>][] = [
  ['dpS', reg, fc.integer({ min: 0, max: VOp.SQRT })],
  ['dpD', reg, fc.integer({ min: 0, max: VOp.SQRT })],
  ['cmp', reg, fc.integer({ min: 0, max: 3 })],
  ['cvt', reg, fc.integer({ min: 0, max: Cvt.F16T_F32 })],
  ['toInt', regOrFbits, fc.integer({ min: 0, max: 15 })],
  ['fromInt', regOrFbits, fc.integer({ min: 0, max: 31 })],
];


function run(id: number, words: Int32Array, a: number, b: number): Int32Array {
  const cpu = new CpuState(new ArrayBuffer(STATE_BYTES), 0);
  cpu.i32.set(words);
  HELPERS[id].fn(cpu, a, b, 0, 0);
  return cpu.i32.slice();
}

/** The words a 'vfp' helper may touch. */
const VFP_WORDS = new Set<number>([W.FPSCR, ...Array.from({ length: 64 }, (_, i) => W.VFP + i)]);

describe("helpers declared 'vfp'", () => {
  test('each one is exercised below', () => {
    const vfpOnly = HELPERS.filter((h) => h.vfpOnly).map((h) => h.id);
    expect(vfpOnly.sort()).toEqual(CASES.map(([name]) => H[name]).sort());
  });

  for (const [name, third, second] of CASES) {
    test(`${name}: touches only the VFP registers and FPSCR`, () => {
      const h = HELPERS[H[name]];
      expect(h.vfpOnly).toBe(true);
      fc.assert(
        fc.property(reg, reg, third, second, fc.integer(), fc.integer(), (d, n, m, b, seed1, seed2) => {
          const a = d | (n << 8) | (m << 16);
          const fp = VFP_WORDS;
          const s1 = randomWords(seed1);
          s1[W.FPSCR] &= ~0x00370000; // no short vectors
          // Same VFP words, everything else different.
          const other = randomWords(seed2 ^ 0x5a5a5a5a);
          const s2 = s1.map((v, i) => (fp.has(i) ? v : other[i]));
          const r1 = run(h.id, s1, a, b);
          const r2 = run(h.id, s2, a, b);
          const bad: string[] = [];
          for (let i = 0; i < WORDS; i++) {
            if (!fp.has(i) && (r1[i] !== s1[i] || r2[i] !== s2[i])) bad.push(`word ${i} written outside the VFP words`);
            if (fp.has(i) && r1[i] !== r2[i]) bad.push(`word ${i} depends on words outside the VFP words`);
          }
          expect(bad).toEqual([]);
        }),
        { numRuns: 200 },
      );
    });
  }
});
