// `armvisor bench boot`: the console runner it times boots with (marker time, CPU time, typing
// at a prompt, the kill at the time limit), its medians, and one short real run (one row, one
// boot each, the Image) that must print the table and write boot.json and boot.svg.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BootBenchReport } from '../bench/boot.js';
import { median } from '../bench/stats.js';
import { runConsole } from '../bench/console-run.js';
import { armvisorMain, runProcess } from '../bench/guestrun.js';
import { INIT_MARKER } from '../runtime/board/initramfs.js';
import { tempDir } from './helpers/differential.js';
import { kernelFile, requireTool } from './helpers/kernel.js';

const tmp = tempDir('bench-boot');
afterAll(() => tmp.remove());

describe('runConsole', () => {
  test('times the marker, counts the CPU time of a busy child, and keeps the console bytes', async () => {
    // Spins about 0.3 s of CPU, prints the marker split across two writes, then spins again.
    const spin = 'i=0; while [ $i -lt 40000 ]; do i=$((i+1)); done';
    const r = await runConsole('sh', ['-c', `${spin}; printf 'MAR'; sleep 0.2; printf 'KER\\n'; ${spin}; echo done`], { marker: 'MARKER' });
    expect(r.stdout.toString()).toBe('MARKER\ndone\n');
    expect(r.status).toBe(0);
    expect(r.markerMs).toBeGreaterThan(200);
    expect(r.markerMs!).toBeLessThan(r.ms);
    expect(r.cpuMs).toBeGreaterThan(0);
    expect(r.markerCpuMs).not.toBeNull();
    expect(r.markerCpuMs!).toBeLessThanOrEqual(r.cpuMs!);
  });

  test('types a reply once the prompt appears; no marker means markerMs undefined', async () => {
    const r = await runConsole('sh', ['-c', 'printf "name? "; read n; echo "hi $n"'], { marker: 'never', respond: { after: 'name? ', send: 'arm\n' } });
    expect(r.stdout.toString()).toBe('name? hi arm\n');
    expect(r.markerMs).toBeUndefined();
  });

  test('kills a process past its time limit', async () => {
    const r = await runConsole('sleep', ['30'], { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.status).toBe(128 + 9);
    expect(r.ms).toBeLessThan(10_000);
  });
});

test('median', () => {
  expect(median([])).toBeNull();
  expect(median([3])).toBe(3);
  expect(median([5, 1, 3])).toBe(3);
  expect(median([4, 1, 3, 10])).toBe(3.5);
});

test('bad options: one line, exit 1', async () => {
  const r = await runProcess(process.execPath, [armvisorMain(), 'bench', 'boot', '--only', 'warp-speed', '--out', tmp.dir]);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/^armvisor: bench boot: unknown row "warp-speed"; the rows are: default, cryptomgr\.notests\n$/);
  const r2 = await runProcess(process.execPath, [armvisorMain(), 'bench', 'boot', '--runs', '0']);
  expect(r2.status).toBe(1);
  expect(r2.stderr.trim().split('\n')).toHaveLength(1);
});

test(
  'a short real run: one row, one boot each, the table, boot.json and boot.svg',
  async () => {
    requireTool('qemu-system-arm', 'qemu-system-arm');
    kernelFile('Image');
    const r = await runProcess(
      process.execPath,
      [armvisorMain(), 'bench', 'boot', '--only', 'cryptomgr.notests', '--image', '--runs', '1', '--clock', 'icount', '--timeout', '900', '--out', tmp.dir],
      { timeoutMs: 1_200_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = r.stdout.toString();
    expect(out).toMatch(/^cryptomgr\.notests +\d+\.\d+s +\d+\.\d+s \| +\d+\.\d+s +\d+\.\d+s \| +[\d.]+× +[\d.]+× \| +[\d,]+ +[\d.]+$/m);
    const report = JSON.parse(readFileSync(join(tmp.dir, 'boot.json'), 'utf8')) as BootBenchReport;
    expect(report.marker).toBe(INIT_MARKER);
    expect(report.kernel).toMatchObject({ armvisor: 'Image', qemu: 'vmlinuz' });
    expect(report.rows).toHaveLength(1);
    const row = report.rows[0]!;
    expect(row.append).toBe('console=ttyAMA0 armvisor.init=poweroff cryptomgr.notests');
    for (const s of [row.qemu, row.armvisor]) {
      expect(s.runs).toHaveLength(1);
      expect(s.runs[0]!.status).toBe(0);
      expect(s.markerMs).toBeGreaterThan(0);
      expect(s.markerCpuMs).toBeGreaterThan(0);
    }
    expect(row.qemu.icount).toBeNull();
    expect(row.armvisor.icount).toBeGreaterThan(50_000_000);
    expect(row.ratio).toBeCloseTo(row.armvisor.markerMs! / row.qemu.markerMs!, 6);
    expect(existsSync(join(tmp.dir, 'boot.svg'))).toBe(true);
    expect(readFileSync(join(tmp.dir, 'boot.svg'), 'utf8')).toContain('cryptomgr.notests');
  },
  1_300_000,
);
