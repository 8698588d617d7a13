// The default system guest's files in the cache (scripts/fetch-kernel.sh, then
// scripts/build-kernel-guest.mjs; `npm test`'s pretest runs both), and QEMU's `virt` runs.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { runConsole } from '../../bench/console-run.js';
import { requireFile } from './differential.js';

export const kernelDir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'armvisor', 'kernel');

/** The path of a file of the cached kernel guest (vmlinuz, Image, System.map, initramfs.cpio, busybox, config), which must exist. */
export function kernelFile(name: string): string {
  const p = join(kernelDir, name);
  requireFile(p, `the kernel guest's ${name}`);
  return p;
}

export function requireTool(cmd: string, pkg: string): void {
  if (spawnSync(cmd, ['--version']).error) throw new Error(`${cmd} not found: apt-get install ${pkg} (scripts/setup-tools.sh does it)`);
}

/** QEMU's `virt` with the board armvisor models: one Cortex-A15, 512 MiB, no NIC, console on stdio (as `bench boot` runs it). */
export { QEMU_VIRT_ARGS as QEMU_VIRT } from '../../bench/boot.js';

export interface QemuRun {
  status: number | null;
  out: string;
  /** Milliseconds from spawn to the first occurrence of `marker` in the output (if given and seen). */
  markerMs?: number;
}

/**
 * Runs qemu-system-arm to its exit (or kills it after `timeoutMs`), collecting stdout (the
 * console) then stderr; `respond` types `send` on the console once `after` has appeared.
 */
export async function runQemu(args: string[], opts: { input?: string; marker?: string; timeoutMs?: number; respond?: { after: string; send: string } } = {}): Promise<QemuRun> {
  const r = await runConsole('qemu-system-arm', args, { ...opts, timeoutMs: opts.timeoutMs ?? 120_000 });
  return { status: r.timedOut ? null : r.status, out: r.stdout.toString('latin1') + r.stderr, markerMs: r.markerMs };
}

/** A TCP port free on localhost at the time of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}
