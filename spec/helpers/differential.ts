// Runs one guest under qemu-arm and under armvisor side by side and checks that they agree:
// stdout byte for byte and the exit status. On a mismatch the error says where the outputs
// first differ, with a few lines of each around it and the tail of armvisor's stderr.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { armvisorMain, runArmvisor, runQemu, type RunOptions, type RunResult } from '../../bench/guestrun.js';

export { busyboxPath, guestPath, type RunResult } from '../../bench/guestrun.js';

export interface Pair {
  armvisor: RunResult;
  qemu: RunResult;
}

/** A small, explicit environment: the same for both emulators and for every run. */
export function guestEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', HOME: '/tmp', ...extra };
}

/** Fails early, with a hint, when a prerequisite built by `npm test`'s pretest step is missing. */
export function requireFile(path: string, what: string): void {
  if (!existsSync(path)) throw new Error(`${what} not found at ${path}: run \`npm test\` (its pretest step installs tools and builds guests)`);
}

/** Runs PROG ARGS under both emulators at once. */
/** Runs `prog` under qemu-arm and under `armvisor run [flags]` at the same time. */
export async function runBoth(prog: string, args: string[] = [], opts: RunOptions = {}, flags: string[] = []): Promise<Pair> {
  requireFile(prog, 'guest program');
  requireFile(armvisorMain(), 'armvisor CLI (dist/cli/main.js)');
  const o = { env: guestEnv(), ...opts };
  const [qemu, armvisor] = await Promise.all([runQemu(prog, args, o), runArmvisor(prog, args, { ...o, flags })]);
  return { armvisor, qemu };
}

function lineAt(buf: Buffer, offset: number): { line: number; start: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < buf.length; i++) {
    if (buf[i] === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, start };
}

function excerpt(buf: Buffer, start: number): string {
  const text = buf.subarray(start, start + 400).toString('latin1');
  const printable = /^[\t\n\r\x20-\x7e]*$/.test(text);
  return printable ? text.split('\n').slice(0, 4).join('\n') : buf.subarray(start, start + 48).toString('hex');
}

/** Describes how two outputs differ, or returns undefined when they are equal. */
export function describeDifference(a: Buffer, q: Buffer): string | undefined {
  if (a.equals(q)) return undefined;
  let i = 0;
  while (i < a.length && i < q.length && a[i] === q[i]) i++;
  const { line, start } = lineAt(q, i);
  return (
    `stdout differs at byte ${i} (line ${line}); armvisor wrote ${a.length} bytes, qemu ${q.length}\n` +
    `--- qemu:\n${excerpt(q, start)}\n--- armvisor:\n${excerpt(a, start)}`
  );
}

function tail(s: string, lines = 8): string {
  return s.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Throws a descriptive error unless armvisor's run matches qemu's (stdout bytes and status). */
export function expectSameRun(p: Pair, label: string): void {
  const { armvisor: a, qemu: q } = p;
  if (q.timedOut) throw new Error(`${label}: qemu-arm timed out (the reference itself failed)`);
  const problems: string[] = [];
  if (a.timedOut) problems.push(`armvisor timed out after ${Math.round(a.ms)} ms`);
  const diff = describeDifference(a.stdout, q.stdout);
  if (diff) problems.push(diff);
  if (a.status !== q.status) problems.push(`exit status: armvisor ${a.status}, qemu ${q.status}`);
  if (problems.length) {
    throw new Error(`${label}: armvisor differs from qemu-arm\n${problems.join('\n')}\n--- armvisor stderr (tail):\n${tail(a.stderr)}`);
  }
}

/** A fresh temporary folder, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `armvisor-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
