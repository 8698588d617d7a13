// Start-up tuning of `armvisor run` (cli/v8flags.ts): V8's optimizing compiler is held back
// until the guest proves long, signalled by the engine's warmUp hook (after so many lifted
// guest instructions) or by the JIT's first compile.
import { LinuxProcess } from '../runtime/linux/process.js';
import { guestPath } from '../bench/guestrun.js';

function runWith(liftedInsns: number, threshold?: number): { fired: number; liftedAt: number; compiles: number } {
  const prog = guestPath('args', 'arm');
  let fired = 0;
  let liftedAt = -1;
  let compiles = 0;
  const proc: LinuxProcess = new LinuxProcess({
    program: prog,
    argv: [prog],
    env: [],
    engine: 'jit',
    log: () => {},
    engineOptions: {
      jitOptions: { ...(threshold ? { threshold, batch: 1 } : {}), beforeFirstCompile: () => compiles++ },
      warmUp: {
        liftedInsns,
        then: () => {
          fired++;
          liftedAt = proc.engine.cache.size;
        },
      },
    },
  });
  proc.run();
  return { fired, liftedAt, compiles };
}

describe('start-up warm-up hook', () => {
  test('fires once, after the given number of lifted instructions', () => {
    const r = runWith(200);
    expect(r.fired).toBe(1);
    expect(r.liftedAt).toBeGreaterThan(3); // blocks hold at most 64 instructions
  });

  test('does not fire in a run that lifts fewer instructions', () => {
    expect(runWith(10_000_000).fired).toBe(0);
  });

  test('the first compile is seen as well (the CLI turns the optimizer on there too)', () => {
    const r = runWith(10_000_000, 20);
    expect(r.compiles).toBe(1);
  });
});
