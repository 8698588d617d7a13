// Helpers that declare the state words they may change (translator/helpers.ts Helper.writes):
// generated code reloads only those words after calling them, so a word outside the list that
// a helper changed would be lost. Checked on random states and arguments for the helpers that
// need no machine, and on a virt machine for every system register an MRC/MRRC can read.
import fc from 'fast-check';
import { HELPERS } from '../translator/helpers.js';
import { CpuState, STATE_BYTES, W } from '../translator/state.js';
import { randomWords, STATE_WORDS } from './helpers/random-state.js';
import { CpuTrap } from '../translator/sys.js';
import { CP_READ_WRITES } from '../translator/sem/priv.js';
import '../translator/sem/parallel.js';
import { VirtMachine } from '../runtime/board/machine.js';

const WORDS = STATE_WORDS;


/** Words that differ between `before` and `after` and are not in `allowed`. */
function stray(before: Int32Array, after: Int32Array, allowed: readonly number[]): number[] {
  const bad: number[] = [];
  for (let i = 0; i < before.length; i++) if (before[i] !== after[i] && !allowed.includes(i)) bad.push(i);
  return bad;
}

const declared = HELPERS.filter((h) => h.writes !== null && h.name !== 'sys_cp_read');

test('helpers with a write list exist (the parallel and system ones)', () => {
  expect(declared.map((h) => h.name)).toEqual(expect.arrayContaining(['par_sadd8', 'par_uadd8', 'sys_mrs_cpsr', 'sys_sev']));
});

describe.each(declared.map((h) => [h.name, h] as const))('%s', (_name, h) => {
  test('changes no state word outside its list', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), fc.integer(), fc.integer({ min: 0, max: 31 }), fc.integer({ min: 0, max: 15 }), (seed, a, b, mode, reg) => {
        const words = randomWords(seed);
        const cpu = new CpuState(new ArrayBuffer(STATE_BYTES), 0);
        cpu.i32.set(words);
        // System helpers take a mode and register number first; the others two values.
        const args = h.name.startsWith('sys_') ? [0x10 | mode, reg, a] : [a, b, 0];
        try {
          h.fn(cpu, args[0], args[1], args[2], 0);
        } catch (e) {
          if (!(e instanceof CpuTrap)) throw e;
        }
        expect(stray(words, cpu.i32, h.writes!)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});

test('sys_cp_read: reading any system register changes only its declared words', () => {
  const m = new VirtMachine({ ramSize: 16 << 20, clock: 'icount', output: () => {} });
  const cpu = m.cpu;
  const h = HELPERS.find((x) => x.name === 'sys_cp_read')!;
  expect(h.writes).toEqual(CP_READ_WRITES);
  let read = 0;
  for (let id = 0; id < cpu.sysregs.size; id++) {
    for (const pl of [0, 1]) {
      const before = cpu.state.i32.slice();
      try {
        h.fn(cpu.state, id, pl, 0, 0);
        read++;
      } catch (e) {
        if (!(e instanceof CpuTrap)) throw e;
      }
      expect({ id, pl, words: stray(before, cpu.state.i32, h.writes!) }).toEqual({ id, pl, words: [] });
    }
  }
  expect(read).toBeGreaterThan(50);
  expect(W.HI).toBeGreaterThan(0);
});
