// The bare-metal system tests (spec/guests/baremetal, issue 5): each ELF runs on every runner;
// each run must end with DONE by PSCI SYSTEM_OFF and print no UNEXPECTED line (the tests check
// their own fault status codes, interrupt order, and so on), and every runner's console must
// equal the reference's (the first runner, QEMU) line for line.
// To compare armvisor once `armvisor boot` runs: add armvisorRunner (./baremetal/run.js) to
// `runners`.

import { existsSync } from 'node:fs';
import {
  baremetalElf,
  baremetalTests,
  consoleLines,
  firstDifference,
  qemuRunner,
  runProblems,
  type BoardRun,
  type BoardRunner,
} from './baremetal/run.js';

const runners: BoardRunner[] = [qemuRunner];
const tests = baremetalTests();

describe('the judging of a run', () => {
  const good: BoardRun = { console: 'a: 00000001\nDONE\n', stderr: '', status: 0, timedOut: false, ms: 1 };
  test('a run that ends with DONE and status 0 is good', () => {
    expect(runProblems(good)).toEqual([]);
  });
  test('UNEXPECTED lines, a missing DONE, a timeout and a bad status are reported', () => {
    expect(runProblems({ ...good, console: 'UNEXPECTED x: got 1, want 2\nDONE\n' })).toEqual(['UNEXPECTED x: got 1, want 2']);
    expect(runProblems({ ...good, console: 'a\n' })).toEqual(['the last line is not DONE: "a"']);
    expect(runProblems({ ...good, console: 'DONE\nmore\n' })).toHaveLength(1);
    expect(runProblems({ ...good, timedOut: true, ms: 20000 })[0]).toMatch(/^timed out/);
    expect(runProblems({ ...good, status: 1 })).toEqual(['exit status 1']);
  });
  test('consoles are compared line for line', () => {
    expect(firstDifference({ name: 'q', console: 'a\r\nb\n' }, { name: 'v', console: 'a\nb\n' })).toBeUndefined();
    expect(firstDifference({ name: 'q', console: 'a\nb\nc\n' }, { name: 'v', console: 'a\nx\nc\n' })).toMatch(/^line 2 differs/);
    expect(firstDifference({ name: 'q', console: 'a\nb\n' }, { name: 'v', console: 'a\n' })).toMatch(/^line 2 differs/);
  });
});

describe('bare-metal system tests', () => {
  test('the suite exists', () => {
    expect(tests).toEqual(expect.arrayContaining(['boot', 'exceptions', 'idregs', 'mmu_lpae', 'mmu_short', 'smc', 'timer_gic', 'tlb']));
  });

  test.each(tests)('%s', async (name) => {
    const elf = baremetalElf(name);
    if (!existsSync(elf)) throw new Error(`${elf} not found: run \`npm test\` (its pretest step builds the bare-metal tests)`);
    const runs = await Promise.all(runners.map((r) => r.run(elf)));
    const problems: string[] = [];
    runs.forEach((run, i) => {
      for (const p of runProblems(run)) problems.push(`${runners[i].name}: ${p}`);
    });
    const ref = { name: runners[0].name, console: runs[0].console };
    for (let i = 1; i < runners.length; i++) {
      const diff = firstDifference(ref, { name: runners[i].name, console: runs[i].console });
      if (diff) problems.push(`${runners[i].name} differs from ${ref.name}: ${diff}`);
    }
    if (problems.length) {
      const tail = (r: BoardRun) => consoleLines(r.console).slice(-6).join('\n') + (r.stderr ? `\nstderr: ${r.stderr.trim().split('\n').slice(-4).join('\n')}` : '');
      throw new Error(`${name}:\n${problems.join('\n')}\n${runs.map((r, i) => `--- ${runners[i].name} (tail):\n${tail(r)}`).join('\n')}`);
    }
    // a test that prints nothing but DONE checks nothing
    expect(consoleLines(runs[0].console).length).toBeGreaterThan(5);
  });
});
