// Runs a guest program under armvisor (`node dist/cli/main.js run`) or under the reference,
// `qemu-arm -cpu cortex-a15`, capturing stdout, stderr, the exit status and the wall time.
// Shared by the real-program tests (spec/) and the CPU benchmark.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { repoRoot } from '../cli/paths.js';
import { homedir, constants as osConstants } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RunOptions {
  /** Bytes for the guest's standard input (otherwise it reads an empty stdin). */
  input?: Buffer | string;
  cwd?: string;
  /** The complete environment of the emulator process (and so of the guest). */
  env?: NodeJS.ProcessEnv;
  /** Kill the process after this many milliseconds (default 60 s). */
  timeoutMs?: number;
}

export interface RunResult {
  stdout: Buffer;
  stderr: string;
  /** Exit status as a shell reports it: the exit code, or 128 + signal number. */
  status: number;
  timedOut: boolean;
  /** Wall-clock milliseconds from spawn to exit. */
  ms: number;
}

export { repoRoot } from '../cli/paths.js';

/** armvisor's cache of downloaded and built guests (scripts/setup-tools.sh, build-guests.sh). */
export function cacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'armvisor');
}

/** A test guest built by scripts/build-guests.sh: `name-arm` (-marm) or `name-thumb` (-mthumb). */
export function guestPath(name: string, isa: 'arm' | 'thumb'): string {
  return join(cacheDir(), 'guests', `${name}-${isa}`);
}

/** Debian's busybox-static for armhf, unpacked by scripts/setup-tools.sh. */
export function busyboxPath(): string {
  return join(cacheDir(), 'busybox', 'bin', 'busybox');
}

/**
 * The built armvisor command: the bundle dist/armvisor.cjs (what `armvisor` runs), or
 * dist/cli/main.js when no bundle was built. ARMVISOR_MAIN overrides it (e.g. another build).
 */
export function armvisorMain(): string {
  if (process.env.ARMVISOR_MAIN) return process.env.ARMVISOR_MAIN;
  const bundle = resolve(repoRoot(), 'dist', 'armvisor.cjs');
  return existsSync(bundle) ? bundle : resolve(repoRoot(), 'dist', 'cli', 'main.js');
}

/** Spawns a process and collects its output; never rejects for a non-zero exit. */
export function runProcess(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((done, fail) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {
      /* the guest may exit without reading all of its input */
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      fail(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const signo = signal ? (osConstants.signals as Record<string, number>)[signal] ?? 0 : 0;
      done({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), status: code ?? 128 + signo, timedOut, ms });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * Runs PROG ARGS under `qemu-arm -cpu cortex-a15`, with core dumps off (a crashing guest leaves
 * no file) through util-linux's prlimit, which, unlike a shell, passes the environment unchanged.
 */
export function runQemu(prog: string, args: string[] = [], opts: RunOptions = {}): Promise<RunResult> {
  return runProcess('prlimit', ['--core=0', 'qemu-arm', '-cpu', 'cortex-a15', prog, ...args], opts);
}

/**
 * Runs PROG ARGS under `armvisor run [FLAGS] -- PROG ARGS` (the `--` keeps the guest's own
 * options, such as busybox's `-c`, away from armvisor's option parser).
 */
export function runArmvisor(prog: string, args: string[] = [], opts: RunOptions & { flags?: string[] } = {}): Promise<RunResult> {
  return runProcess(process.execPath, [armvisorMain(), 'run', ...(opts.flags ?? []), '--', prog, ...args], opts);
}
