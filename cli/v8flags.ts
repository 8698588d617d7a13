// V8 flags `armvisor run` changes while it runs, through node:v8 (required on first use: an
// ES import of it would be loaded, and paid for, by every command).
//
// Start-up: a short guest run (a trivial static program lifts ~4k guest instructions and
// interprets ~25k) is over before V8's optimizing compiler (TurboFan) pays for itself: it
// compiled the lifter, the decoders and the IR interpreter several times over (deoptimizing
// whenever a new kind of instruction reached code it had not seen), about 150 ms of compile
// CPU in a 200 ms run. So `run` starts with TurboFan off (Ignition and Sparkplug only) and
// turns it back on once armvisor's own JavaScript shows it is busy (OPTIMIZER_AFTER): much code
// lifted or compiled to wasm. Not at the first tier-1 compile: a guest whose hot loops run as
// wasm needs little JavaScript afterwards (n-body: ~195k guest instructions interpreted and 2
// modules compiled, then 66M run in wasm; TurboFan's compile threads took ~30% of its CPU).

import { createRequire } from 'node:module';

/**
 * When V8's optimizing compiler is turned back on: after so many guest instructions lifted or
 * tier-1 modules compiled, whichever comes first.
 */
export const OPTIMIZER_AFTER = { liftedInsns: 16_000, modules: 5 };

let v8: typeof import('node:v8') | undefined;

/** Boolean flags changed from their defaults (by name); `--opt` is restored by deferOptimizer. */
const changed = new Set<string>();

/** Sets a boolean V8 flag (`--name` or `--no-name`). */
export function setV8Flag(flag: string): void {
  v8 ??= createRequire(import.meta.url)('node:v8') as typeof import('node:v8');
  v8.setFlagsFromString(flag);
  const name = flag.replace(/^--(no-)?/, '');
  if (name === 'opt' && flag === '--opt') changed.delete(name);
  else changed.add(name);
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
 * For the launcher's code cache (launch.ts), at exit: turns TurboFan back on if the run left it
 * off and numeric flags back to their defaults, then says whether every flag is at its default. V8 accepts a code cache only under the
 * flags it was made with (`--liftoff-only` cannot be undone), so the cache is written only then.
 */
export function v8FlagsAtDefaults(): boolean {
  if (cacheWritten) return false; // written already (setIrreversibleV8Flag)
  if (changed.has('opt')) setV8Flag('--opt');
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
 * write the launcher's code cache at exit, so it is written first, here: TurboFan on and
 * numeric flags at their defaults for the moment V8 serializes, then as they were.
 */
export function setIrreversibleV8Flag(flag: string): void {
  const write = cacheWritten ? undefined : globalThis.__armvisorWriteCodeCache;
  if (write && (changed.size === 0 || (changed.size === 1 && changed.has('opt')))) {
    cacheWritten = true;
    const noOpt = changed.has('opt');
    if (noOpt) setV8Flag('--opt');
    const saved = [...numeric];
    for (const [name, d] of saved) v8!.setFlagsFromString(`--${name}=${d}`);
    write();
    for (const [name] of saved) v8!.setFlagsFromString(`--${name}=${appliedValue.get(name)}`);
    if (noOpt) setV8Flag('--no-opt'); // still held back (deferOptimizer decides when)
  }
  setV8Flag(flag);
}

/** Turns TurboFan off; returns the function that turns it back on (idempotent). */
export function deferOptimizer(): () => void {
  setV8Flag('--no-opt');
  let on = false;
  return () => {
    if (on) return;
    on = true;
    setV8Flag('--opt');
  };
}
