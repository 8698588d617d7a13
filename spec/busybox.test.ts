// Debian's busybox-static (armhf) applets on generated data: armvisor must produce the same
// stdout bytes and exit status as `qemu-arm -cpu cortex-a15`, and the compressors must
// round-trip. Sizes are chosen so each run takes a few seconds at most on the interpreter.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBinary, makeText } from '../bench/data.js';
import { busyboxPath, expectSameRun, requireFile, runBoth, tempDir, type Pair } from './helpers/differential.js';

const tmp = tempDir('busybox');
const files = {
  text: makeText(160 * 1024, 11),
  small: makeText(48 * 1024, 12),
  bin: makeBinary(128 * 1024, 13),
  smallbin: makeBinary(24 * 1024, 14),
};

beforeAll(() => {
  requireFile(busyboxPath(), 'busybox-static (armhf)');
  for (const [name, data] of Object.entries(files)) writeFileSync(join(tmp.dir, name), data);
});
afterAll(() => tmp.remove());

function bb(args: string[], input?: Buffer): Promise<Pair> {
  return runBoth(busyboxPath(), args, { cwd: tmp.dir, input });
}

async function same(args: string[], input?: Buffer): Promise<Pair> {
  const pair = await bb(args, input);
  expectSameRun(pair, `busybox ${args.join(' ')}`);
  return pair;
}

describe('generated inputs', () => {
  test('are deterministic per seed and varied', () => {
    expect(makeText(5000, 7).equals(makeText(5000, 7))).toBe(true);
    expect(makeText(5000, 7).equals(makeText(5000, 8))).toBe(false);
    expect(makeBinary(5000, 7).equals(makeBinary(5000, 7))).toBe(true);
    expect(new Set(files.bin).size).toBe(256);
    expect(files.text.length).toBeGreaterThanOrEqual(160 * 1024);
    expect(files.text.toString('latin1')).toMatch(/^\d+[ \t](INFO|WARN|ERROR|DEBUG|TRACE)[ \t]/);
  });
});

describe('busybox applets, armvisor vs qemu-arm', () => {
  test('sha256sum', async () => {
    const p = await same(['sha256sum', 'text', 'bin']);
    expect(p.qemu.stdout.toString()).toMatch(/^[0-9a-f]{64}  text\n[0-9a-f]{64}  bin\n$/);
  });

  test('md5sum (and sha1sum from stdin)', async () => {
    await same(['md5sum', 'text', 'bin', 'small']);
    await same(['sha1sum'], files.smallbin);
  });

  test('gzip -c and gunzip -c round trip', async () => {
    const z = await same(['gzip', '-c', 'text']);
    expect(z.qemu.stdout.subarray(0, 2).toString('hex')).toBe('1f8b');
    const zb = await same(['gzip', '-9', '-c'], files.bin);
    const u = await same(['gunzip', '-c'], z.qemu.stdout);
    expect(u.armvisor.stdout.equals(files.text)).toBe(true);
    const ub = await same(['gunzip', '-c'], zb.qemu.stdout);
    expect(ub.armvisor.stdout.equals(files.bin)).toBe(true);
  });

  test('gunzip of corrupt data fails the same way', async () => {
    const z = await bb(['gzip', '-c', 'smallbin']);
    const bad = Buffer.from(z.qemu.stdout);
    bad[bad.length - 6] ^= 0x55; // the CRC32 in the trailer
    const p = await same(['gunzip', '-c'], bad);
    expect(p.qemu.status).not.toBe(0);
  });

  test('bzip2 -c and bunzip2 -c round trip', async () => {
    const z = await same(['bzip2', '-c', 'small']);
    expect(z.qemu.stdout.subarray(0, 3).toString()).toBe('BZh');
    const u = await same(['bunzip2', '-c'], z.qemu.stdout);
    expect(u.armvisor.stdout.equals(files.small)).toBe(true);
  });

  test('sort', async () => {
    await same(['sort', 'text']);
    await same(['sort', '-n', '-r', 'small']);
    await same(['sort', '-t', '=', '-k2,2n', '-u', 'small']);
  });

  test('sed expressions', async () => {
    await same(['sed', '-e', 's/ka/KA/g', '-e', '/ERROR/d', '-e', 's/\\([0-9]\\+\\) \\([A-Z]*\\)/\\2:\\1/', 'text']);
    await same(['sed', '-n', '/WARN.*lo/{s/[aeiou]/#/3;p}', 'small']);
    await same(['sed', '-e', 'y/abcdefghij/0123456789/', '-e', '$!N', '-e', 's/\\n/ | /', 'small']);
  });

  test('awk program', async () => {
    const prog =
      '{ n[$2]++; s += $1; w += NF; if (length($0) > m) { m = length($0); longest = NR } }\n' +
      'END { for (k in n) printf "%s %d %.2f%%\\n", k, n[k], 100 * n[k] / NR; ' +
      'printf "lines %d words %d mean %.4f longest %d (%d chars) %s\\n", NR, w, s / NR, longest, m, toupper(substr("quux", 2, 2)) }';
    await same(['awk', prog, 'text']);
    await same(['awk', '-F', '=', '$2 + 0 > 400 { print NR": "$2 * 1.5, sqrt($2), int($2 / 7) % 5 }', 'small']);
  });

  test('od -x', async () => {
    await same(['od', '-x', 'smallbin']);
    await same(['od', '-A', 'x', '-t', 'x1z', '-N', '4096', 'bin']);
  });

  test('wc', async () => {
    const p = await same(['wc', 'text', 'bin', 'small']);
    const words = readFileSync(join(tmp.dir, 'text'), 'latin1').split(/\s+/).filter(Boolean).length;
    expect(p.qemu.stdout.toString()).toMatch(new RegExp(`\\b${words}\\b`));
    await same(['wc', '-l'], files.text);
  });

  test('/proc/self describes the guest: its argv, its auxiliary vector, its address space', async () => {
    await same(['cat', '/proc/self/cmdline']);
    // AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_BASE, AT_FLAGS, AT_ENTRY: as the kernel (and
    // qemu-arm) give them (later entries differ: qemu's HWCAP has NEON, its UID is the host's)
    const auxv = await same(['od', '-A', 'd', '-t', 'x4', '-N', '56', '/proc/self/auxv']);
    expect(auxv.armvisor.stdout.toString()).toMatch(/^0000000 00000003 [0-9a-f]{8} 00000004 00000020\n/);
    // maps in the kernel's format (qemu-arm pads addresses differently): the program's code,
    // the stack and the vectors page
    const maps = (await bb(['cat', '/proc/self/maps'])).armvisor.stdout.toString();
    const lines = maps.trimEnd().split('\n');
    for (const l of lines) expect(l).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8} [r-][w-][x-]p 00000000 00:00 0( +\[(heap|stack|vectors)\])?$/);
    expect(lines[0]).toMatch(/^00010000-[0-9a-f]{8} r-xp/);
    expect(maps).toMatch(/ rw-p .*\[stack\]\n/);
    expect(lines[lines.length - 1]).toMatch(/^ffff0000-ffff1000 r-xp .*\[vectors\]$/);
    // written to: refused
    expect((await bb(['sh', '-c', 'echo x > /proc/self/maps; echo $?'])).armvisor.stdout.toString().trim()).not.toBe('0');
  });

  test('a failing applet: exit status and stdout agree', async () => {
    const p = await same(['cat', 'no-such-file']);
    expect(p.qemu.status).toBe(1);
  });
});
