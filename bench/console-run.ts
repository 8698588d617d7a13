// Runs an emulator whose guest console is its stdout (`armvisor boot`, `qemu-system-arm
// -nographic`) and watches that console: when a marker line first appears (wall time from spawn
// and the process's CPU time so far), and, optionally, types a reply once some text has
// appeared. stdin stays open until the process ends (a closed stdin is an EOF on the guest's
// console). Shared by `armvisor bench boot` and the kernel boot tests.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';

export interface ConsoleRunOptions {
  /** Text whose first appearance on stdout is timed (e.g. ARMVISOR-INIT-OK). */
  marker?: string;
  /** Writes `send` to stdin once `after` has appeared on stdout. */
  respond?: { after: string; send: string };
  /** Bytes written to stdin at the start. */
  input?: string;
  /** SIGKILL after this many milliseconds (default 120 s). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface ConsoleRun {
  /** The guest console (the process's stdout), byte for byte. */
  stdout: Buffer;
  stderr: string;
  /** Exit status as a shell reports it: the exit code, or 128 + signal number. */
  status: number;
  timedOut: boolean;
  /** Wall milliseconds from spawn to exit. */
  ms: number;
  /** Wall milliseconds from spawn to the marker's first appearance (undefined: never seen). */
  markerMs?: number;
  /** The process's CPU milliseconds (user + system) when the marker appeared (null: not measurable here). */
  markerCpuMs?: number | null;
  /** The process's CPU milliseconds over its whole life (null: not measurable here). */
  cpuMs: number | null;
}

/** Linux's USER_HZ: the unit of the times in /proc/.../stat (100 on every architecture Linux ships). */
const USER_HZ = 100;

/** Fields of /proc/PID/stat after the command name (field 3, the state, is index 0). */
function statFields(pid: number | 'self'): string[] | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU milliseconds (utime + stime) a live process has used, or null off Linux. */
export function processCpuMs(pid: number): number | null {
  const f = statFields(pid);
  return f ? ((Number(f[11]) + Number(f[12])) * 1000) / USER_HZ : null;
}

/** CPU milliseconds of this process's children that have ended and been reaped (cutime + cstime). */
function reapedChildrenCpuMs(): number | null {
  const f = statFields('self');
  return f ? ((Number(f[13]) + Number(f[14])) * 1000) / USER_HZ : null;
}

/**
 * Spawns `cmd args` and collects its console. The whole-life CPU time is the growth of this
 * process's reaped-children time over the run, so it is exact only when no other child of this
 * process ends meanwhile (the benchmark runs one at a time).
 */
export function runConsole(cmd: string, args: string[], opts: ConsoleRunOptions = {}): Promise<ConsoleRun> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const since = (): number => Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu0 = reapedChildrenCpuMs();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    // The text seen so far, kept only as long as a search needs (a marker may span chunks).
    let seen = '';
    const keep = Math.max(opts.marker?.length ?? 0, opts.respond?.after.length ?? 0);
    let markerMs: number | undefined;
    let markerCpuMs: number | null | undefined;
    let responded = false;
    let timedOut = false;
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      if (!keep) return;
      seen += b.toString('latin1');
      if (opts.marker && markerMs === undefined && seen.includes(opts.marker)) {
        markerMs = since();
        markerCpuMs = child.pid !== undefined ? processCpuMs(child.pid) : null;
      }
      if (opts.respond && !responded && seen.includes(opts.respond.after)) {
        responded = true;
        child.stdin.write(opts.respond.send);
      }
      seen = seen.slice(-keep);
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {
      /* the emulator may exit without reading its input */
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = since();
      const cpu1 = reapedChildrenCpuMs();
      const signo = signal ? (osConstants.signals as Record<string, number>)[signal] ?? 0 : 0;
      resolve({
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8'),
        status: code ?? 128 + signo,
        timedOut,
        ms,
        markerMs,
        markerCpuMs,
        cpuMs: cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null,
      });
    });
    if (opts.input !== undefined) child.stdin.write(opts.input);
  });
}
