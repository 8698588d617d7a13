// `armvisor run [options] PROG [ARGS...]`: Linux user mode, what qemu-arm does.

import * as fs from 'node:fs';
import { LinuxProcess, LoadError } from '../runtime/linux/process.js';

export interface RunCliOptions {
  sysroot?: string;
  /** -E VAR=VALUE, repeatable. */
  env?: string[];
  /** -U VAR, repeatable. */
  unset?: string[];
  trace?: boolean;
  strace?: boolean;
  engine?: string;
  /** Overrides argv[0] (-0 like qemu-arm). */
  argv0?: string;
}

/** A problem with the user's input: print `armvisor: <message>` and exit 1. */
export class UsageError extends Error {}

export const ENGINES = ['interp'] as const;

/** The guest environment: the host's, with -U removals and -E additions (qemu-arm's rules). */
export function guestEnv(opts: RunCliOptions): string[] {
  const env = new Map<string, string>(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
  for (const u of opts.unset ?? []) env.delete(u);
  for (const e of opts.env ?? []) {
    const eq = e.indexOf('=');
    if (eq <= 0) throw new UsageError(`-E ${e}: expected VAR=VALUE`);
    env.set(e.slice(0, eq), e.slice(eq + 1));
  }
  return [...env].map(([k, v]) => `${k}=${v}`);
}

const stderrLine = (line: string): void => {
  try {
    fs.writeSync(2, line + '\n');
  } catch {
    /* stderr gone */
  }
};

/** Runs a guest program; returns its exit status. Throws UsageError / LoadError for bad input. */
export function runProgram(prog: string, args: string[], opts: RunCliOptions): number {
  if (opts.engine && !(ENGINES as readonly string[]).includes(opts.engine)) throw new UsageError(`unknown engine '${opts.engine}' (choices: ${ENGINES.join(', ')})`);
  let proc: LinuxProcess;
  try {
    proc = new LinuxProcess({
      program: prog,
      argv: [opts.argv0 ?? prog, ...args],
      env: guestEnv(opts),
      sysroot: opts.sysroot,
      trace: opts.trace ? stderrLine : undefined,
      strace: opts.strace,
      log: stderrLine,
    });
  } catch (e) {
    if (e instanceof LoadError) throw new LoadError(`${prog}: ${e.message}`);
    throw e;
  }
  return proc.run();
}
