// Start-up tuning of `armvisor run` (cli/v8flags.ts): V8's optimizing compiler is held back
// until armvisor's own JavaScript proves busy, signalled by the engine's warmUp hook (after so
// many lifted guest instructions or compiled modules); the JIT's first compile calls
// beforeFirstCompile (where the CLI sets --liftoff-only).
import { LinuxProcess } from '../runtime/linux/process.js';
import { guestPath } from '../bench/guestrun.js';

function runWith(liftedInsns: number, threshold?: number, modules = Infinity) {
  const prog = guestPath('args', 'arm');
  let fired = 0;
  let liftedAt = -1;
  let compiles = 0;
  let modulesAt = -1;
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
        modules,
        then: () => {
          fired++;
          liftedAt = proc.engine.cache.size;
          modulesAt = proc.engine.jit!.stats.modules;
        },
      },
    },
  });
  proc.run();
  return { fired, liftedAt, compiles, modulesAt };
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

  test('fires once, after the given number of compiled modules', () => {
    const r = runWith(10_000_000, 20, 2);
    expect(r.fired).toBe(1);
    expect(r.modulesAt).toBe(2);
    expect(runWith(10_000_000, 20, 1000).fired).toBe(0);
  });

  test('the first compile is seen as well (the CLI sets --liftoff-only there)', () => {
    const r = runWith(10_000_000, 20);
    expect(r.compiles).toBe(1);
  });
});
