// `armvisor run --profile` and `--profile-out` on one of our guests: the run's output is the
// program's own, the counts agree between the interpreter (every block attributed exactly) and
// the JIT (generated code sampled while it runs under the wasm dispatcher), the hottest
// functions are named from the ELF's symbols, and the speedscope file weighs every instruction.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { guestEnv, guestPath, requireFile, tempDir } from './helpers/differential.js';
import { residentOfSize } from '../runtime/memstat.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const main = path.join(root, 'dist', 'cli', 'main.js');
const scratch = tempDir('profile');
afterAll(() => scratch.remove());

interface Profiled {
  stdout: string;
  report: string;
  insns: number;
  /** The hottest functions' shares (percent) by name. */
  hottest: Map<string, number>;
  file: { shared: { frames: { name: string }[] }; profiles: { type: string; weights: number[] }[] };
}

function profiled(prog: string, args: string[], engine: 'jit' | 'interp'): Profiled {
  const out = path.join(scratch.dir, `${engine}.speedscope.json`);
  const r = spawnSync(process.execPath, [main, 'run', '--engine', engine, '--profile', '--profile-out', out, prog, ...args], { encoding: 'utf8', env: guestEnv(), timeout: 120_000 });
  expect(r.status).toBe(0);
  const report = r.stderr.slice(r.stderr.indexOf('armvisor profile'));
  const insns = Number(/guest instructions\s+([\d,]+)/.exec(report)![1].replace(/,/g, ''));
  const hottest = new Map<string, number>();
  for (const m of report.matchAll(/^\s+([\d.]+)%\s+[\d,]+\s+(\S+)$/gm)) hottest.set(m[2], Number(m[1]));
  return { stdout: r.stdout, report, insns, hottest, file: JSON.parse(fs.readFileSync(out, 'utf8')) };
}

test('--profile: the same counts from the JIT (sampled) as from the interpreter (exact), named from the ELF', () => {
  const prog = guestPath('hash', 'arm');
  requireFile(prog, 'the hash guest');
  const args = ['3', '64'];
  const plain = spawnSync(process.execPath, [main, 'run', prog, ...args], { encoding: 'utf8', env: guestEnv(), timeout: 60_000 });
  expect(plain.status).toBe(0);
  const jit = profiled(prog, args, 'jit');
  const interp = profiled(prog, args, 'interp');
  // The program's own output, unchanged by profiling.
  expect(jit.stdout).toBe(plain.stdout);
  expect(interp.stdout).toBe(plain.stdout);
  expect(jit.stdout).toContain('fnv64 ');
  // One deterministic program: the same instruction count either way.
  expect(jit.insns).toBe(interp.insns);
  expect(jit.insns).toBeGreaterThan(1_000_000);
  // Where the time went, one row each.
  for (const row of ['generated code', 'interpreter', 'lifting to IR', 'tier-1 compile', 'dispatcher', 'syscalls', 'runtime, other']) expect(jit.report).toMatch(new RegExp(`^    ${row}\\s+[\\d.]+ s\\s+[\\d.]+%`, 'm'));
  // Each system call counted by name (the program prints its result: write; it ends: exit_group).
  for (const p of [jit, interp]) expect(p.report).toMatch(/^  syscalls\s+.*\bwrite \d+/m);
  expect(jit.report).toMatch(/executed by\s+generated code [\d,]+ \((9\d|100)\.\d%\)/);
  expect(jit.report).toMatch(/tier 1\s+\d+ modules, \d+ regions/);
  // main() and the division routine it calls hold nearly all of it: named, with about the
  // same shares in both. Sampling is statistical and leans to branch targets: generated code
  // stops at the first branch after the sample point and the sample goes to where it leads
  // (main's loop block ends in the call to __divsi3).
  expect(jit.report).toMatch(/hottest functions \(guest instructions; generated code sampled about every [\d,]+\)/);
  expect(interp.report).toContain('hottest functions (guest instructions)');
  for (const name of ['main', '__divsi3']) {
    const a = jit.hottest.get(name)!;
    const b = interp.hottest.get(name)!;
    expect(b).toBeGreaterThan(25);
    expect(Math.abs(a - b)).toBeLessThan(10);
  }
  expect(interp.hottest.get('main')! + interp.hottest.get('__divsi3')!).toBeGreaterThan(95);
  // The speedscope file: one sampled profile weighing every guest instruction.
  for (const p of [jit, interp]) {
    expect(p.file.profiles[0].type).toBe('sampled');
    expect(p.file.profiles[0].weights.reduce((x, y) => x + y, 0)).toBe(p.insns);
    expect(p.file.shared.frames.map((f) => f.name)).toContain('main');
  }
});

test('--profile: memory, the peak resident set split into the guest memory touched and armvisor (issue 4: armvisor ≤ 150 MB)', () => {
  const prog = guestPath('bigmem', 'arm');
  requireFile(prog, 'the bigmem guest');
  // Spawned by a process holding 400 MB: Linux carries getrusage's maxrss over exec from the
  // process that forked, so the figure must be the run's own high-water mark.
  const parent = `const b = Buffer.alloc(4e8, 1); const r = require('child_process').spawnSync(process.execPath, ${JSON.stringify([main, 'run', '--profile', prog])}, { encoding: 'utf8' }); process.stderr.write(r.stderr + b.length);`;
  const r = spawnSync(process.execPath, ['-e', parent], { encoding: 'utf8', env: guestEnv(), timeout: 120_000 });
  const m = /memory\s+peak resident ([\d.]+) MB = guest memory touched ([\d.]+) MB \+ armvisor ([\d.]+) MB/.exec(r.stderr);
  expect(m).not.toBeNull();
  const [peak, guest, own] = [m![1], m![2], m![3]].map(Number);
  // bigmem touches every page of an 8 MiB allocation (and of 4 and 6 MiB ones before it).
  expect(guest).toBeGreaterThanOrEqual(8);
  expect(Math.abs(peak - guest - own)).toBeLessThan(0.2);
  expect(own).toBeGreaterThan(20); // Node itself
  expect(own).toBeLessThan(150);
});

test('the guest part is the resident part of the mapping as long as the wasm memory, from smaps', () => {
  const smaps = [
    '7f0000000000-7f0100000000 rw-p 00000000 00:00 0 ',
    'Size:            4194304 kB',
    'Rss:              51200 kB',
    '7f0100000000-7f0200000000 ---p 00000000 00:00 0 ',
    'Size:            4194304 kB',
    'Rss:                  0 kB',
    '7f0200000000-7f0200021000 rw-p 00000000 00:00 0 ',
    'Size:                132 kB',
    'Rss:                 64 kB',
    '',
  ].join('\n');
  expect(residentOfSize(smaps, 2 ** 32)).toBe(51200 * 1024);
  expect(residentOfSize(smaps, 0x21000)).toBe(64 * 1024);
  expect(residentOfSize(smaps, 12345)).toBe(0);
});

test('--profile-out where no file can be written: one line, exit 1, before the guest runs', () => {
  const prog = guestPath('hash', 'arm');
  requireFile(prog, 'the hash guest');
  for (const [out, why] of [
    [path.join(scratch.dir, 'no', 'such', 'dir', 'p.json'), 'no such directory'],
    [scratch.dir, 'is a directory'],
  ]) {
    const r = spawnSync(process.execPath, [main, 'run', '--profile-out', out, prog, '3', '64'], { encoding: 'utf8', env: guestEnv(), timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(''); // the guest never ran
    expect(r.stderr).toBe(`armvisor: --profile-out ${out}: ${why}\n`);
  }
});

test('--profile names functions of a dynamically linked PIE program, its shared C library included', () => {
  // qsort (the C library's, calling back into the program) of strings made by snprintf.
  const src = path.join(scratch.dir, 'dynsort.c');
  fs.writeFileSync(
    src,
    `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
int main(int argc, char **argv) {
  int n = atoi(argv[1]);
  char **v = malloc(n * sizeof *v);
  unsigned s = 1;
  for (int i = 0; i < n; i++) { v[i] = malloc(16); s = s * 1103515245 + 12345; snprintf(v[i], 16, "k%08x", s); }
  qsort(v, n, sizeof *v, cmp);
  printf("%s %s\\n", v[0], v[n - 1]);
  return 0;
}
`,
  );
  const prog = path.join(scratch.dir, 'dynsort');
  const cc = spawnSync(process.env.ARM_CC ?? 'arm-linux-gnueabihf-gcc', ['-O2', '-fPIE', '-pie', '-o', prog, src], { encoding: 'utf8' });
  expect(cc.stderr).toBe('');
  const r = spawnSync(process.execPath, [main, 'run', '--profile', '-L', '/usr/arm-linux-gnueabihf', prog, '40000'], { encoding: 'utf8', env: guestEnv(), timeout: 120_000 });
  expect(r.status).toBe(0);
  const hottest = [...r.stderr.matchAll(/^\s+[\d.]+%\s+[\d,]+\s+(\S+)$/gm)].map((m) => m[1]);
  expect(hottest).toContain('strcmp'); // the shared C library's (mapped by the dynamic loader)
  expect(hottest).toContain('cmp'); // the program's own, loaded away from its link addresses
  // A function without a size (crt's _fini) does not take in what lies past the program's code.
  expect(hottest).not.toContain('_fini');
}, 120_000);

test('--profile with a device mapped executable: the run ends, names from the program alone', () => {
  // /dev/zero mapped PROT_EXEC 5,000 times: reading it for symbols would never end.
  const src = path.join(scratch.dir, 'zeromap.c');
  fs.writeFileSync(
    src,
    `#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
int main(void) {
  int fd = open("/dev/zero", O_RDONLY);
  for (int i = 0; i < 5000; i++) {
    void *p = mmap(0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) return 1;
    munmap(p, 4096);
  }
  puts("mapped");
  return 0;
}
`,
  );
  const prog = path.join(scratch.dir, 'zeromap');
  const cc = spawnSync(process.env.ARM_CC ?? 'arm-linux-gnueabihf-gcc', ['-O2', '-static', '-o', prog, src], { encoding: 'utf8' });
  expect(cc.stderr).toBe('');
  const r = spawnSync(process.execPath, [main, 'run', '--profile', prog], { encoding: 'utf8', env: guestEnv(), timeout: 60_000 });
  expect(r.status).toBe(0);
  expect(r.stdout).toBe('mapped\n');
  expect(r.stderr).toMatch(/^ {2}hottest functions/m);
}, 60_000);
