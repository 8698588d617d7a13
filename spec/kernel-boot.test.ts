// Debian's kernel under `armvisor boot`, as CI runs it: the uncompressed Image (the same kernel
// without its decompressor) with cryptomgr.notests (no crypto self-tests), to keep each boot
// to seconds of CPU. It boots to the initramfs marker and powers off with --clock icount, twice,
// with byte-identical consoles; and the command `npm start` runs (package.json), given that
// Image and command line, lands in a busybox shell that runs what is typed into its pipes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runConsole, type ConsoleRun } from '../bench/console-run.js';
import { armvisorMain, repoRoot } from '../bench/guestrun.js';
import { DEFAULT_GUEST_APPEND } from '../cli/default-guest.js';
import { INIT_MARKER } from '../runtime/board/initramfs.js';
import { tempDir } from './helpers/differential.js';
import { kernelFile } from './helpers/kernel.js';

/** armvisor's own limit on one boot; jest's is above it, so a hang ends as a failed assertion. */
const BOOT_TIMEOUT_S = 900;
const TEST_TIMEOUT_MS = 2 * BOOT_TIMEOUT_S * 1000 + 120_000;
const CI_OPTIONS = 'cryptomgr.notests';

const cpuLine = (what: string, r: ConsoleRun): string =>
  `${what}: ${r.cpuMs === null ? '?' : (r.cpuMs / 1000).toFixed(1)} s CPU, ${(r.ms / 1000).toFixed(1)} s wall, marker after ${r.markerMs === undefined ? '-' : (r.markerMs / 1000).toFixed(1)} s`;

/** Says where two consoles first differ (null: identical). */
function firstDifference(a: Buffer, b: Buffer): string | null {
  if (a.equals(b)) return null;
  const la = a.toString('latin1').split('\n');
  const lb = b.toString('latin1').split('\n');
  let i = 0;
  while (i < la.length && i < lb.length && la[i] === lb[i]) i++;
  return `line ${i + 1}: ${JSON.stringify(la[i] ?? '<end>')} vs ${JSON.stringify(lb[i] ?? '<end>')}`;
}

function expectPoweredOffAfterMarker(r: ConsoleRun): void {
  const out = r.stdout.toString('latin1');
  expect(r.timedOut).toBe(false);
  expect(out).toContain('Run /init as init process');
  expect(out).toMatch(new RegExp(`^${INIT_MARKER}\\r?$`, 'm'));
  expect(out.indexOf('reboot: Power down')).toBeGreaterThan(out.indexOf(INIT_MARKER));
  expect(r.status).toBe(0);
}

test(
  '--clock icount: the Image boots to the init marker and powers off, twice, with byte-identical consoles',
  async () => {
    const args = [
      armvisorMain(), 'boot', '--kernel', kernelFile('Image'), '--initrd', kernelFile('initramfs.cpio'),
      '--append', `console=ttyAMA0 armvisor.init=poweroff ${CI_OPTIONS}`, '--clock', 'icount', '--profile', '--timeout', String(BOOT_TIMEOUT_S),
    ];
    const boot = () => runConsole(process.execPath, args, { marker: INIT_MARKER, timeoutMs: (BOOT_TIMEOUT_S + 60) * 1000 });
    const a = await boot();
    console.log(cpuLine('boot 1', a));
    expectPoweredOffAfterMarker(a);
    const b = await boot();
    console.log(cpuLine('boot 2', b));
    expectPoweredOffAfterMarker(b);
    expect(firstDifference(a.stdout, b.stdout)).toBeNull();
    const insns = (r: ConsoleRun) => /profile: ([\d,]+) guest instructions/.exec(r.stderr)?.[1];
    expect(insns(a)).toBeDefined();
    expect(insns(b)).toBe(insns(a));
  },
  TEST_TIMEOUT_MS,
);

test(
  "npm start's command: a busybox shell on the console runs what a pipe types, and poweroff ends the run",
  async () => {
    const start = (JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
    const [node, ...startArgs] = start.trim().split(/\s+/);
    expect(node).toBe('node');
    expect(startArgs).toContain('--default-guest');
    // The default guest with two parts replaced: the Image for the zImage, and one more kernel option.
    const args = [...startArgs, '--kernel', kernelFile('Image'), '--append', `${DEFAULT_GUEST_APPEND} ${CI_OPTIONS}`, '--timeout', String(BOOT_TIMEOUT_S)];
    // Input typed before the shell runs is lost (the kernel's console drops it, under QEMU too), so type at the prompt.
    const r = await runConsole(process.execPath, args, {
      cwd: repoRoot(),
      marker: INIT_MARKER,
      respond: { after: '/ # ', send: 'echo hello-$((6*7)) $(cat /proc/mounts | wc -l); poweroff -f\n' },
      timeoutMs: (BOOT_TIMEOUT_S + 60) * 1000,
    });
    console.log(cpuLine('shell boot', r));
    expect(r.stderr).toMatch(/^armvisor: booting Debian's Linux .*Image.*armvisor\.init=shell cryptomgr\.notests/);
    const out = r.stdout.toString('latin1');
    expect(out).toContain('busybox shell');
    // The shell's echo of the typed line says hello-$((6*7)); only running it prints hello-42.
    const m = /^hello-42 (\d+)\r?$/m.exec(out);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(3); // rootfs, proc, sysfs (and devtmpfs)
    expect(out.indexOf('reboot: Power down')).toBeGreaterThan(m!.index);
    expect(r.status).toBe(0);
  },
  TEST_TIMEOUT_MS,
);

test('--default-guest without the cached guest: one line, exit 1', async () => {
  const tmp = tempDir('no-guest');
  try {
    const r = await runConsole(process.execPath, [armvisorMain(), 'boot', '--default-guest'], { env: { ...process.env, XDG_CACHE_HOME: tmp.dir }, timeoutMs: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^armvisor: --default-guest: .*armvisor\/kernel\/vmlinuz is missing; `npm start` fetches and builds it.*\n$/);
  } finally {
    tmp.remove();
  }
});

test('--default-guest with a bad option: the error alone, before the banner', async () => {
  const r = await runConsole(process.execPath, [armvisorMain(), 'boot', '--default-guest', '--memory', 'lots'], { timeoutMs: 60_000 });
  expect(r.status).toBe(1);
  expect(r.stderr).toBe('armvisor: --memory lots: expected a whole number of MiB from 1 to 3072\n');
});
