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

/**
 * For the launcher's code cache (launch.ts), at exit: turns TurboFan back on if the run left it
 * off, then says whether every flag is at its default. V8 accepts a code cache only under the
 * flags it was made with (`--liftoff-only` cannot be undone), so the cache is written only then.
 */
export function v8FlagsAtDefaults(): boolean {
  if (changed.has('opt')) setV8Flag('--opt');
  return changed.size === 0;
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
