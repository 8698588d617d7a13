// The V8 flags the launcher sets from a command line before compiling the bundle (cli/v8preset.ts).
import { BOOT_INLINING_FLAG, JS_TIER_UP_FLAG, LIFTOFF_ONLY_FLAG, TIER2_WORKER_FLAGS, v8FlagsFor } from '../cli/v8preset.js';

describe('v8FlagsFor', () => {
  test("run: the tier-up budget; Liftoff but for tier 2's function index, or Liftoff only, for the JIT", () => {
    expect(v8FlagsFor(['run', 'prog'])).toEqual([JS_TIER_UP_FLAG, ...TIER2_WORKER_FLAGS]);
    expect(v8FlagsFor(['run', '--tier2', 'turbofan', 'prog'])).toEqual([JS_TIER_UP_FLAG, ...TIER2_WORKER_FLAGS]);
    expect(v8FlagsFor(['run', '--profile', '--engine', 'jit', 'prog'])).toEqual([JS_TIER_UP_FLAG, ...TIER2_WORKER_FLAGS]);
    expect(v8FlagsFor(['run', '--engine', 'interp', 'prog'])).toEqual([JS_TIER_UP_FLAG]);
    expect(v8FlagsFor(['run', '--engine=interp', 'prog'])).toEqual([JS_TIER_UP_FLAG]);
    expect(v8FlagsFor(['run', '--tier2', 'on', 'prog'])).toEqual([JS_TIER_UP_FLAG]);
    expect(v8FlagsFor(['run', '--tier2=off', 'prog'])).toEqual([JS_TIER_UP_FLAG, LIFTOFF_ONLY_FLAG]);
  });

  test('boot: the inlining budget and Liftoff for the JIT, nothing for the interpreter', () => {
    expect(v8FlagsFor(['boot', '--default-guest'])).toEqual([BOOT_INLINING_FLAG, LIFTOFF_ONLY_FLAG]);
    expect(v8FlagsFor(['boot', '--engine', 'interp', 'zImage'])).toEqual([]);
  });

  test('other commands and none: V8 defaults', () => {
    for (const argv of [[], ['bench', 'cpu'], ['demo'], ['--version'], ['--engine', 'interp']]) expect(v8FlagsFor(argv)).toEqual([]);
  });

  test('every flag is one V8 accepts', async () => {
    const { spawnSync } = await import('node:child_process');
    const flags = [JS_TIER_UP_FLAG, LIFTOFF_ONLY_FLAG, BOOT_INLINING_FLAG, ...TIER2_WORKER_FLAGS];
    const r = spawnSync(process.execPath, [...flags, '-e', '0'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
