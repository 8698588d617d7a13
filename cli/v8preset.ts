// The V8 flags each command runs under, read from its command line before any of armvisor's
// own JavaScript is compiled. The launcher (launch.ts) sets them first: V8 accepts a code cache
// only under the flags it was made with, so the bundle's cache is made and used under the
// command's own flags, and it can be written at the exit of a run, with every function the run
// compiled on the way (decoder, lifter, code generator, interpreter), rather than before the
// first flag change. Measured against writing it at the first region compile under default
// flags: 7-15 ms less per run (trivial program 109 -> 101 ms, md5sum 163 -> 155, sha256sum
// 204 -> 189; medians of 7, interleaved). No imports: this file is bundled into the launcher.
//
// V8's optimizing compiler (TurboFan) stays on for JavaScript. Holding it back until armvisor's
// own JavaScript had lifted 16k instructions or compiled 5 modules saved CPU time, but on this
// 2-core machine those compiles run beside the guest, on the other core: with TurboFan on from
// the start every `bench cpu` workload finished 0-4.5% sooner (CPU time up to 8% more).

/**
 * `run`: how much bytecode a JavaScript function runs before V8 optimizes it, raised from V8's
 * 66 KB. A run's translator code is hot for a short while only, and optimizing all of it cost a
 * quarter of a short run's CPU time on V8's compiler threads (busybox sha256sum 0.51 -> 0.36 s
 * CPU, hash-arm 0.78 -> 0.61 s); V8's default made the workloads 9-34% slower in wall time
 * (trivial program 151 -> 202 ms); 500 KB and 2 MB measured the same as 1 MB. Code that stays
 * hot is still optimized.
 */
export const JS_TIER_UP_FLAG = '--interrupt-budget=1000000';

/** Generated code stays in V8's baseline wasm compiler, Liftoff (docs/ARCHITECTURE.md, "V8's tiers"). */
export const LIFTOFF_ONLY_FLAG = '--liftoff-only';

/**
 * `--tier2 turbofan` (the default): generated code in Liftoff, without V8's own tier-up, except
 * function 30 of every module (translator/jit/module.ts OPTIMIZED_FUNC_INDEX, where tier 2 puts
 * the region it rebuilds; tier-1 modules leave it empty), which V8 compiles with TurboFan. The
 * flags never change during the run, so tier 2's module can be compiled on a worker thread
 * while the guest goes on (translator/jit/reopt.ts). Compilation is eager, or V8 would compile
 * that function at its first call, on the main thread. Before, tier 2 switched V8's flags
 * around a compile on the main thread.
 */
export const TIER2_WORKER_FLAGS: readonly string[] = [
  '--no-wasm-tier-up',
  '--no-wasm-dynamic-tiering',
  `--wasm-tier-mask-for-testing=${2 ** 30}`,
  '--no-wasm-lazy-compilation',
];

/**
 * `boot`: a kernel boot keeps reaching new translator and device code for seconds, so TurboFan
 * recompiles the translator's large functions many times; with V8's default inlining budget
 * (920) that took ~1.3 s CPU of a ~5 s boot (buildModule alone ~180 ms per compile, everything
 * it calls inlined). 300 measured ~5-8% less CPU for the boot.
 */
export const BOOT_INLINING_FLAG = '--max-inlined-bytecode-size-cumulative=300';

/** The value of option `name` on a command line (`--name v` or `--name=v`), if given. */
function option(argv: readonly string[], name: string): string | undefined {
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === name) return argv[i + 1];
    if (argv[i].startsWith(`${name}=`)) return argv[i].slice(name.length + 1);
  }
  return undefined;
}

/**
 * `run`'s flags for generated code, by engine and `--tier2` mode (default turbofan): none for
 * the interpreter or binaryen's tier 2 (`on`, which keeps V8's own tier-up), TIER2_WORKER_FLAGS
 * for turbofan, Liftoff only for `off`. The launcher sets them before the bundle is compiled;
 * unbundled, cli/run.ts sets the same ones at the first region compile.
 */
export function runCodeFlags(jit: boolean, tier2 = 'turbofan'): readonly string[] {
  if (!jit || tier2 === 'on') return [];
  return tier2 === 'turbofan' ? TIER2_WORKER_FLAGS : [LIFTOFF_ONLY_FLAG];
}

/**
 * The flags for `armvisor` with these arguments (process.argv.slice(2)). A guest argument that
 * looks like one of the options can only make this choose fewer flags than the command then
 * sets, which costs that run its code cache and nothing else.
 */
export function v8FlagsFor(argv: readonly string[]): string[] {
  const jit = option(argv, '--engine') !== 'interp';
  switch (argv[0]) {
    case 'run':
      return [JS_TIER_UP_FLAG, ...runCodeFlags(jit, option(argv, '--tier2'))];
    case 'boot':
      return jit ? [BOOT_INLINING_FLAG, LIFTOFF_ONLY_FLAG] : [];
    default:
      return [];
  }
}
