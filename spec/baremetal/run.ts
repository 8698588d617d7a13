// Runs the bare-metal system tests (spec/guests/baremetal, built by scripts/build-baremetal.sh
// into <cache>/armvisor/baremetal/NAME.elf) on a `virt` board and judges their console output.
// A runner takes one ELF and returns the console; the reference is QEMU
// (`qemu-system-arm -M virt -cpu cortex-a15 -m 512 -nographic -nic none -kernel NAME.elf`), and
// armvisor (`armvisor boot --kernel NAME.elf`) joins as a second runner once it boots. Outputs are
// compared live, line for line; no expected output is committed.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { armvisorMain, cacheDir, repoRoot, runProcess } from '../../bench/guestrun.js';

/** What one run of a test printed and how it ended. */
export interface BoardRun {
  /** Console (PL011) output as text; QEMU's `-nographic` passes the guest's bytes through. */
  console: string;
  stderr: string;
  /** Exit status as a shell reports it (the guest ends with PSCI SYSTEM_OFF: 0). */
  status: number;
  timedOut: boolean;
  /** Wall-clock milliseconds. */
  ms: number;
}

export interface RunOpts {
  /** Kill the emulator after this many milliseconds (default 20 s). */
  timeoutMs?: number;
}

/** An emulator that boots a bare-metal ELF on the virt board. */
export interface BoardRunner {
  name: string;
  run(elf: string, opts?: RunOpts): Promise<BoardRun>;
}

/** The folder with the test sources. */
export function baremetalSourceDir(): string {
  return join(repoRoot(), 'spec', 'guests', 'baremetal');
}

/** Names of the tests: one per spec/guests/baremetal/NAME.c, in name order. */
export function baremetalTests(): string[] {
  return readdirSync(baremetalSourceDir())
    .filter((f) => f.endsWith('.c'))
    .map((f) => f.slice(0, -2))
    .sort();
}

/** The built ELF of a test (raw image alongside: NAME.bin, the same bytes for RAM + 0x10000). */
export function baremetalElf(name: string): string {
  return join(cacheDir(), 'baremetal', `${name}.elf`);
}

const defaultTimeoutMs = 20_000;

async function run(cmd: string, args: string[], opts: RunOpts): Promise<BoardRun> {
  const r = await runProcess(cmd, args, { timeoutMs: opts.timeoutMs ?? defaultTimeoutMs, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' } });
  return { console: r.stdout.toString('latin1'), stderr: r.stderr, status: r.status, timedOut: r.timedOut, ms: r.ms };
}

/** QEMU's virt board with a Cortex-A15 (no EL2/EL3: PSCI by HVC), the reference. */
export const qemuRunner: BoardRunner = {
  name: 'qemu-system-arm',
  run: (elf, opts = {}) => run('qemu-system-arm', ['-M', 'virt', '-cpu', 'cortex-a15', '-m', '512', '-nographic', '-nic', 'none', '-kernel', elf], opts),
};

/**
 * armvisor's board: `armvisor boot --kernel ELF [extra args]` (the CLI of dist/cli/main.js,
 * ARMVISOR_MAIN overrides it), named `name`.
 */
export function armvisorBoot(name: string, extra: string[] = []): BoardRunner {
  return { name, run: (elf, opts = {}) => run(process.execPath, [armvisorMain(), 'boot', '--kernel', elf, ...extra], opts) };
}

/** armvisor with its defaults (the JIT compiles hot pages). */
export const armvisorRunner: BoardRunner = armvisorBoot('armvisor');
/** armvisor interpreting everything. */
export const armvisorInterpRunner: BoardRunner = armvisorBoot('armvisor --engine interp', ['--engine', 'interp']);
/** armvisor compiling every block before it first runs (everything goes through tier 1). */
export const armvisorJitAllRunner: BoardRunner = armvisorBoot('armvisor --jit-threshold 0', ['--jit-threshold', '0']);

/** The console split into lines (a trailing partial line is kept; CR before LF dropped). */
export function consoleLines(text: string): string[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * What is wrong with one run on its own: it must end by itself with status 0 (PSCI SYSTEM_OFF),
 * its last line must be DONE, and no line may say UNEXPECTED. Empty when the run is good.
 */
export function runProblems(r: BoardRun): string[] {
  const problems: string[] = [];
  const lines = consoleLines(r.console);
  if (r.timedOut) problems.push(`timed out after ${Math.round(r.ms)} ms`);
  else if (r.status !== 0) problems.push(`exit status ${r.status}`);
  if (lines[lines.length - 1] !== 'DONE') problems.push(`the last line is not DONE: ${JSON.stringify(lines[lines.length - 1] ?? '')}`);
  for (const l of lines) if (l.includes('UNEXPECTED')) problems.push(l);
  return problems;
}

/**
 * Where two consoles first differ, with the lines around it, or undefined when they are equal
 * line for line.
 */
export function firstDifference(ref: { name: string; console: string }, other: { name: string; console: string }): string | undefined {
  const a = consoleLines(ref.console);
  const b = consoleLines(other.console);
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) continue;
    const from = Math.max(0, i - 3);
    const show = (ls: string[]) => ls.slice(from, i + 3).map((l, k) => `${from + k + 1 === i + 1 ? '>' : ' '} ${from + k + 1}: ${l}`).join('\n');
    return `line ${i + 1} differs\n--- ${ref.name}:\n${show(a)}\n--- ${other.name}:\n${show(b)}`;
  }
  return undefined;
}
