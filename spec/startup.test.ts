// Start-up tuning of `armvisor run` (cli/run.ts): the JIT's first compile calls
// beforeFirstCompile, where the CLI sets --liftoff-only (and so loads node:v8 only in runs
// that compile).
import { LinuxProcess } from '../runtime/linux/process.js';
import { guestPath } from '../bench/guestrun.js';

function compilesSeen(threshold?: number): number {
  const prog = guestPath('args', 'arm');
  let compiles = 0;
  const proc: LinuxProcess = new LinuxProcess({
    program: prog,
    argv: [prog],
    env: [],
    engine: 'jit',
    log: () => {},
    engineOptions: {
      jitOptions: { ...(threshold ? { threshold, batch: 1 } : {}), beforeFirstCompile: () => compiles++ },
    },
  });
  proc.run();
  return compiles;
}

describe('start-up hooks', () => {
  test('the first compile is seen, once (the CLI sets --liftoff-only there)', () => {
    expect(compilesSeen(20)).toBe(1);
  });

  test('a run that compiles nothing never calls it', () => {
    expect(compilesSeen(10_000_000)).toBe(0);
  });
});
