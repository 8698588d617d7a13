// V8 flags `armvisor run` changes while it runs, through node:v8 (required on first use: an
// ES import of it would be loaded, and paid for, by every command).
//
// Start-up: V8's optimizing compiler (TurboFan) stays on. Holding it back until armvisor's own
// JavaScript had lifted 16k instructions or compiled 5 modules saved CPU time (a short run's
// TurboFan compiles of the lifter and the code generator), but on this 2-core machine those
// compiles run beside the guest, on the other core: with TurboFan on from the start every
// `bench cpu` workload finished 0-4.5% sooner (interleaved runs, medians of 7; CPU time up to 8%
// more). What does matter is how soon V8 optimizes: cli/run.ts raises its JS tier-up budget.

import { createRequire } from 'node:module';

let v8: typeof import('node:v8') | undefined;

/** Boolean flags changed from their defaults (by name). */
const changed = new Set<string>();

/** Sets a boolean V8 flag (`--name` or `--no-name`). */
function setV8Flag(flag: string): void {
  v8 ??= createRequire(import.meta.url)('node:v8') as typeof import('node:v8');
  v8.setFlagsFromString(flag);
  changed.add(flag.replace(/^--(no-)?/, ''));
}

/** Numeric flags changed, with the default to restore at exit (see v8FlagsAtDefaults). */
const numeric = new Map<string, number>();
/** The values numeric flags were set to. */
const appliedValue = new Map<string, number>();

/** Sets a numeric V8 flag; `defaultValue` is V8's own (Node 20: `node --v8-options`). */
export function setV8IntFlag(name: string, value: number, defaultValue: number): void {
  v8 ??= createRequire(import.meta.url)('node:v8') as typeof import('node:v8');
  v8.setFlagsFromString(`--${name}=${value}`);
  numeric.set(name, defaultValue);
  appliedValue.set(name, value);
}

/**
 * For the launcher's code cache (launch.ts), at exit: turns numeric flags back to their
 * defaults, then says whether every flag is at its default. V8 accepts a code cache only under
 * the flags it was made with (`--liftoff-only` cannot be undone), so the cache is written only then.
 */
export function v8FlagsAtDefaults(): boolean {
  if (cacheWritten) return false; // written already (setIrreversibleV8Flag)
  for (const [name, d] of numeric) v8!.setFlagsFromString(`--${name}=${d}`);
  numeric.clear();
  return changed.size === 0;
}

declare global {
  /** Set by the launcher (launch.ts) before the CLI runs, when this build's code cache is still to be written. */
  var __armvisorWriteCodeCache: (() => void) | undefined;
}
/** The code cache was written during the run (setIrreversibleV8Flag). */
let cacheWritten = false;

/**
 * Sets a flag that cannot be undone (`--liftoff-only`). A run that reaches the JIT could never
 * write the launcher's code cache at exit, so it is written first, here: numeric flags at their
 * defaults for the moment V8 serializes, then as they were.
 */
export function setIrreversibleV8Flag(flag: string): void {
  const write = cacheWritten ? undefined : globalThis.__armvisorWriteCodeCache;
  if (write && changed.size === 0) {
    cacheWritten = true;
    const saved = [...numeric];
    for (const [name, d] of saved) v8!.setFlagsFromString(`--${name}=${d}`);
    write();
    for (const [name] of saved) v8!.setFlagsFromString(`--${name}=${appliedValue.get(name)}`);
  }
  setV8Flag(flag);
}
