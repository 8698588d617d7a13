// cpio newc archives: ours are extracted by Debian's cpio (GNU), and bsdcpio (libarchive) when
// installed, and everything they extract is compared with what we put in.
import { execFileSync, spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { requireTool } from './helpers/kernel.js';
import { CpioWriter } from '../runtime/board/cpio.js';

// scripts/setup-tools.sh installs GNU cpio; without it the suite fails rather than skipping.
requireTool('cpio', 'cpio');
const hasBsdcpio = spawnSync('bsdcpio', ['--version']).status === 0;
const isRoot = process.getuid?.() === 0;

function extract(tool: string, archive: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'cpio-'));
  writeFileSync(join(dir, '..', `${dir.split('/').pop()}.cpio`), archive);
  execFileSync(tool, ['-idm', '--quiet', '-F', join(dir, '..', `${dir.split('/').pop()}.cpio`)], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  return dir;
}

function sample(): CpioWriter {
  const bin = new Uint8Array(1027).map((_, i) => (i * 37) & 0xff);
  return new CpioWriter()
    .dir('/bin')
    .dir('dev')
    .dir('/proc', 0o555)
    .file('/bin/busybox', bin, 0o755, { mtime: 1700000000 })
    .symlink('/bin/sh', 'busybox')
    .file('/init', '#!/bin/sh\necho marker\n', 0o755)
    .file('empty', new Uint8Array(0), 0o600)
    .device('/dev/console', 'c', 5, 1)
    .device('/dev/vda', 'b', 254, 0, 0o660);
}

describe('cpio newc writer', () => {
  test('the archive is newc: header fields, padding, trailer', () => {
    const a = new CpioWriter().file('a', 'xyz', 0o640, { uid: 1, gid: 2, mtime: 0x1234 }).finish();
    const text = new TextDecoder('latin1').decode(a);
    expect(text.slice(0, 6)).toBe('070701');
    const field = (i: number, base = 0) => parseInt(text.slice(base + 6 + 8 * i, base + 14 + 8 * i), 16);
    expect([field(1), field(2), field(3), field(4), field(5), field(6), field(11)]).toEqual([0o100640, 1, 2, 1, 0x1234, 3, 2]);
    expect(text.slice(110, 112)).toBe('a\0');
    // 110 + 2 = 112 is aligned; data 'xyz' + 1 pad byte.
    expect(text.slice(112, 116)).toBe('xyz\0');
    expect(text.slice(116 + 110, 116 + 110 + 11)).toBe('TRAILER!!!\0');
    expect(a.length % 4).toBe(0);
  });

  test('bad paths and duplicates are refused', () => {
    expect(() => new CpioWriter().file('', 'x')).toThrow(/bad path/);
    expect(() => new CpioWriter().file('a/../b', 'x')).toThrow(/bad path/);
    expect(() => new CpioWriter().file('TRAILER!!!', 'x')).toThrow(/bad path/);
    expect(() => new CpioWriter().dir('a').dir('/a/')).toThrow(/already/);
  });

  test('GNU cpio -idm extracts exactly what we wrote', () => {
    const dir = extract('cpio', sample().finish());
    try {
      const bin = lstatSync(join(dir, 'bin/busybox'));
      expect(bin.isFile()).toBe(true);
      expect(bin.mode & 0o7777).toBe(0o755);
      expect(bin.mtimeMs).toBe(1700000000 * 1000);
      expect(Buffer.compare(readFileSync(join(dir, 'bin/busybox')), Buffer.from(new Uint8Array(1027).map((_, i) => (i * 37) & 0xff)))).toBe(0);
      expect(readlinkSync(join(dir, 'bin/sh'))).toBe('busybox');
      expect(readFileSync(join(dir, 'init'), 'utf8')).toBe('#!/bin/sh\necho marker\n');
      expect(lstatSync(join(dir, 'empty')).size).toBe(0);
      expect(lstatSync(join(dir, 'empty')).mode & 0o7777).toBe(0o600);
      expect(lstatSync(join(dir, 'proc')).isDirectory()).toBe(true);
      expect(lstatSync(join(dir, 'proc')).mode & 0o7777).toBe(0o555);
      if (isRoot) {
        const con = lstatSync(join(dir, 'dev/console'));
        expect(con.isCharacterDevice()).toBe(true);
        expect([Math.floor(con.rdev / 256) & 0xfff, con.rdev & 0xff]).toEqual([5, 1]);
        const vda = lstatSync(join(dir, 'dev/vda'));
        expect(vda.isBlockDevice()).toBe(true);
        expect(vda.mode & 0o7777).toBe(0o660);
        expect([Math.floor(vda.rdev / 256) & 0xfff, vda.rdev & 0xff]).toEqual([254, 0]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(`${dir}.cpio`, { force: true });
    }
  });

  test('cpio -itv lists every entry with its type, mode and device numbers', () => {
    const out = execFileSync('cpio', ['-itv', '--quiet'], { input: sample().finish(), encoding: 'utf8' });
    const lines = out.trim().split('\n');
    expect(lines.length).toBe(9);
    expect(lines.find((l) => l.endsWith(' dev/console'))).toMatch(/^crw------- .* 5,\s+1 /);
    expect(lines.find((l) => l.endsWith(' dev/vda'))).toMatch(/^brw-rw---- .* 254,\s+0 /);
    expect(lines.find((l) => l.includes('bin/sh'))).toMatch(/^lrwxrwxrwx .* bin\/sh -> busybox$/);
    expect(lines.find((l) => l.endsWith(' proc'))).toMatch(/^dr-xr-xr-x /);
  });

  (hasBsdcpio ? test : test.skip)('bsdcpio (libarchive) extracts it too', () => {
    const dir = extract('bsdcpio', sample().finish());
    try {
      expect(readFileSync(join(dir, 'init'), 'utf8')).toBe('#!/bin/sh\necho marker\n');
      expect(readlinkSync(join(dir, 'bin/sh'))).toBe('busybox');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(`${dir}.cpio`, { force: true });
    }
  });

  test('random file sets come back byte for byte', () => {
    const name = fc.stringMatching(/^[a-zA-Z0-9_.-]{1,20}$/).filter((n) => n !== '.' && n !== '..' && n !== 'TRAILER!!!');
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(name, fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 0o400, max: 0o777 })), { selector: (t) => t[0], maxLength: 12 }), (files) => {
        const w = new CpioWriter().dir('d');
        for (const [n, data, mode] of files) w.file(`d/${n}`, data, mode);
        const dir = extract('cpio', w.finish());
        try {
          for (const [n, data, mode] of files) {
            expect(Buffer.compare(readFileSync(join(dir, 'd', n)), Buffer.from(data))).toBe(0);
            expect(lstatSync(join(dir, 'd', n)).mode & 0o777).toBe(mode);
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
          rmSync(`${dir}.cpio`, { force: true });
        }
      }),
      { numRuns: 25 },
    );
  });
});
