// The default guest's initramfs: what the archive holds (read back by Debian's cpio), and what
// it does under QEMU's virt with Debian's kernel: the marker, then poweroff or a working shell
// on the console, as armvisor.init= says.
import { execFileSync } from 'node:child_process';
import { lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildInitramfs, INIT_MARKER, initScript } from '../runtime/board/initramfs.js';
import { tempDir } from './helpers/differential.js';
import { kernelFile, QEMU_VIRT, requireTool, runQemu } from './helpers/kernel.js';

const tmp = tempDir('initramfs');
afterAll(() => tmp.remove());

test('the archive: busybox, /init, /dev/console and the mount points, as cpio extracts them', () => {
  requireTool('cpio', 'cpio');
  const busybox = readFileSync(kernelFile('busybox'));
  const archive = join(tmp.dir, 'initramfs.cpio');
  writeFileSync(archive, buildInitramfs(busybox));
  const list = execFileSync('cpio', ['-itv', '--quiet', '-F', archive], { encoding: 'utf8' });
  expect(list).toMatch(/^crw------- .* 5,\s+1 .* dev\/console$/m);
  expect(list).toMatch(/^lrwxrwxrwx .* bin\/sh -> busybox$/m);
  expect(list).toMatch(/^-rwxr-xr-x .* init$/m);
  for (const d of ['proc', 'sys', 'tmp', 'dev', 'bin']) expect(list).toMatch(new RegExp(`^d.* ${d}$`, 'm'));
  const out = join(tmp.dir, 'x');
  execFileSync('mkdir', ['-p', out]);
  execFileSync('cpio', ['-idm', '--quiet', '--no-absolute-filenames', '-F', archive], { cwd: out, stdio: 'pipe' });
  expect(readFileSync(join(out, 'bin/busybox')).equals(busybox)).toBe(true);
  expect(readFileSync(join(out, 'init'), 'utf8')).toBe(initScript());
  expect(lstatSync(join(out, 'init')).mode & 0o777).toBe(0o755);
  expect(initScript()).toContain(`echo ${INIT_MARKER}`);
});

test('a busybox that is not an ELF is refused', () => {
  expect(() => buildInitramfs(new Uint8Array(100))).toThrow(/not an ELF/);
});

describe("under QEMU's virt with Debian's kernel", () => {
  const boot = (append: string, opts: Parameters<typeof runQemu>[1] = {}) => {
    requireTool('qemu-system-arm', 'qemu-system-arm');
    return runQemu([...QEMU_VIRT, '-kernel', kernelFile('vmlinuz'), '-initrd', kernelFile('initramfs.cpio'), '-append', `console=ttyAMA0 ${append}`], { marker: INIT_MARKER, timeoutMs: 90_000, ...opts });
  };

  test('armvisor.init=poweroff: the marker, then the board powers off', async () => {
    const run = await boot('armvisor.init=poweroff');
    expect(run.out).toContain('Run /init as init process');
    expect(run.out).toMatch(new RegExp(`^${INIT_MARKER}\\r?$`, 'm'));
    expect(run.out.indexOf('reboot: Power down')).toBeGreaterThan(run.out.indexOf(INIT_MARKER));
    expect(run.status).toBe(0);
    console.log(`QEMU: ${INIT_MARKER} after ${run.markerMs?.toFixed(0)} ms wall (machine shared with other jobs)`);
  });

  test('the default: a busybox shell on the console that runs commands; exit powers off', async () => {
    const run = await boot('', { respond: { after: "'exit' powers off", send: 'echo armvisor-$((6*7)) $(cat /proc/mounts | wc -l)\nexit\n' } });
    expect(run.out).toContain(INIT_MARKER);
    const m = /^armvisor-42 (\d+)\r?$/m.exec(run.out);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(3); // rootfs, proc, sysfs (and devtmpfs)
    expect(run.out).toContain('reboot: Power down');
    expect(run.status).toBe(0);
  });

  test('an unknown mode is reported and powers off', async () => {
    const run = await boot('armvisor.init=dance');
    expect(run.out).toContain('init: unknown armvisor.init=dance');
    expect(run.out).toContain('reboot: Power down');
  });
});
