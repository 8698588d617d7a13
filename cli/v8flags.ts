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

/** For the launcher, at exit: whether V8's flags are still those it started the bundle under. */
export function v8FlagsAsLaunched(): boolean {
  return !extra;
}
