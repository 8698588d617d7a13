// V8 flags the commands set while they run (v8preset.ts), through node:v8 (required on first
// use: an ES import of it would be loaded, and paid for, by every command). Under the launcher
// the command's flags are set already; a flag it did not foresee is set here and recorded, and
// then the launcher does not write its code cache at exit (V8 would reject it next time).

import { createRequire } from 'node:module';

declare global {
  /** The flags the launcher (launch.ts) set before compiling the bundle (v8FlagsFor). */
  var __armvisorV8Preset: readonly string[] | undefined;
}

let v8: typeof import('node:v8') | undefined;
/** A flag was set beyond the launcher's. */
let extra = false;

/** Sets a V8 flag (`--name`, `--no-name`, `--name=value`) unless the launcher set it already. */
export function setV8Flag(flag: string): void {
  if (globalThis.__armvisorV8Preset?.includes(flag)) return;
  v8 ??= createRequire(import.meta.url)('node:v8') as typeof import('node:v8');
  v8.setFlagsFromString(flag);
  extra = true;
}

/**
 * Compiles wasm module bytes with V8's optimizing compiler (TurboFan) while the run's other
 * generated code stays in Liftoff (`--tier2 turbofan`, translator/jit/reopt.ts). V8 picks a
 * module's compiler from its flags when the compile starts, so they are switched for this one
 * compile and then back; lazy compilation goes off with them, or the functions would be
 * compiled at their first call, under the restored flags, by Liftoff. The flags end as the run
 * set them (--liftoff-only: tier 2 comes after the first compile), so the launcher's code cache
 * stays valid.
 */
export function compileOptimized(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Module {
  v8 ??= createRequire(import.meta.url)('node:v8') as typeof import('node:v8');
  v8.setFlagsFromString('--no-liftoff-only');
  v8.setFlagsFromString('--no-liftoff');
  v8.setFlagsFromString('--no-wasm-lazy-compilation');
  try {
    return new WebAssembly.Module(bytes);
  } finally {
    v8.setFlagsFromString('--wasm-lazy-compilation');
    v8.setFlagsFromString('--liftoff');
    v8.setFlagsFromString('--liftoff-only');
  }
}

/** For the launcher, at exit: whether V8's flags are still those it started the bundle under. */
export function v8FlagsAsLaunched(): boolean {
  return !extra;
}
