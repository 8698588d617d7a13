// `bench cpu`'s report beyond its table (bench/cpu-report.ts): the time split read back from a
// real `armvisor run --profile`, the class geomeans against issue 4's targets, the split table.
// Start-up and translation cost measured between the workloads, and the runs of the latter combined.

import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { classVerdicts, parseTimeSplit, splitTable, workloadClass } from '../bench/cpu-report.js';
import { guestEnv, guestPath, requireFile } from './helpers/differential.js';
import { bestOfRuns, tier1Verdict, translateLines, type TranslateResult } from '../bench/translate.js';
import { spotsAfter } from '../bench/cpu.js';
import { addInterval, parseProcStat, readCpuTimes, stealPercent } from '../bench/steal.js';
import { referenceLoopNs } from '../bench/calibrate.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const main = path.join(root, 'dist', 'cli', 'main.js');

test('the time split of a real --profile run: every category, adding up to the run', () => {
  const prog = guestPath('hash', 'arm');
  requireFile(prog, 'the hash guest');
  // A first run (no translation store), whose split has no "from the store" row; tier 2 (turbofan, the default) has its row.
  const r = spawnSync(process.execPath, [main, 'run', '--profile', '--translation-cache', 'off', prog, '2', '64'], { encoding: 'utf8', env: guestEnv(), timeout: 60_000 });
  expect(r.status).toBe(0);
  const split = parseTimeSplit(r.stderr)!;
  expect(Object.keys(split)).toEqual(['generated code', 'interpreter', 'lifting to IR', 'tier-1 compile', 'tier-2 compile', 'dispatcher', 'syscalls', 'runtime, other']);
  // The categories partition the profiled run's wall time (each printed to 1 ms).
  const wall = Number(/guest instructions\s+[\d,]+ in ([\d.]+) s/.exec(r.stderr)![1]);
  const sum = Object.values(split).reduce((a, b) => a + b, 0);
  expect(Math.abs(sum - wall)).toBeLessThanOrEqual(0.008);
  expect(split['generated code']).toBeGreaterThan(0);
}, 60_000);

test('no profile report, no split', () => {
  expect(parseTimeSplit('')).toBeNull();
  expect(parseTimeSplit('hello\n  time\nsomething else\n')).toBeNull();
});

test('classes: the n-body builds are floating point, the rest integer; geomeans against 2.0 and 0.5', () => {
  expect(workloadClass('nbody-thumb')).toBe('floating point');
  expect(workloadClass('busybox md5sum')).toBe('integer');
  const rows = [
    { name: 'hash-arm', ratio: 1 },
    { name: 'busybox gzip', ratio: 4 },
    { name: 'nbody-arm', ratio: 0.25 },
    { name: 'nbody-thumb', ratio: 1 },
  ];
  const v = classVerdicts(rows, (r) => r.ratio);
  expect(v.integer).toEqual({ workloads: ['hash-arm', 'busybox gzip'], geomean: 2, target: 2, met: true });
  expect(v['floating point']!.geomean).toBeCloseTo(0.5, 12);
  expect(v['floating point']!.met).toBe(true);
  const worse = classVerdicts([{ name: 'sort-arm', ratio: 2.01 }], (r) => r.ratio);
  expect(worse.integer!.met).toBe(false);
  expect(worse['floating point']).toBeUndefined();
});

test('the split table: one line per profiled workload, shares adding up to 100%', () => {
  const lines = splitTable([
    { name: 'hash-arm', split: { 'generated code': 0.3, interpreter: 0.1, 'runtime, other': 0.1 } },
    { name: 'no profile', split: null },
  ]);
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/generated\s+interpreter\s+other$/);
  expect(lines[1]).toMatch(/^hash-arm\s+60%\s+20%\s+20%$/);
  expect(splitTable([{ name: 'x', split: null }])).toEqual([]);
});

test("tier 1's verdict: every instruction set's wall time against the target, the worst deciding, and lifting added where measured", () => {
  const r = (name: string, usPerInsn: number): TranslateResult => ({ name, blocks: 1, insns: 1, opsPerSec: 1, usPerInsn, marginPct: 0, cpuUsPerInsn: 2 * usPerInsn, stealPct: null });
  const lift = r('lift A32 blocks', 0.2);
  const a32 = r('tier 1 (wasm, V8 compile, instantiation): A32 blocks', 1.9);
  expect(tier1Verdict([lift, a32, r('tier 1 (wasm, V8 compile, instantiation): Thumb-2 blocks', 1.95)], 2)).toBe(
    "tier-1 translation (wasm, V8 compile, instantiation, from the lifter's IR; wall time): A32 blocks 1.90 µs, Thumb-2 blocks 1.95 µs per guest instruction; target ≤ 2 µs: met; lifting and tier 1 together: A32 blocks 2.10 µs",
  );
  expect(tier1Verdict([a32, r('tier 1 (wasm, V8 compile, instantiation): Thumb-2 blocks', 2.01)], 2)).toMatch(/Thumb-2 blocks 2\.01 µs per guest instruction; target ≤ 2 µs: NOT met$/);
  expect(tier1Verdict([lift], 2)).toBeNull();
});

test('start-up and translation are measured `runs` times spread between the workloads, the last after the last workload', () => {
  expect(spotsAfter(11, 1)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  expect(spotsAfter(11, 3)).toEqual([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1]);
  expect(spotsAfter(2, 3)).toEqual([1, 2]);
  expect(spotsAfter(1, 3)).toEqual([3]);
  expect(spotsAfter(0, 2)).toEqual([2]);
});

test("translation's runs: case by case the fastest counts, every run's figure kept and printed", () => {
  const r = (name: string, usPerInsn: number, cpu = 1, stealPct: number | null = null): TranslateResult => ({ name, blocks: 3, insns: 30, opsPerSec: 1, usPerInsn, marginPct: 2, cpuUsPerInsn: cpu, stealPct });
  const t1 = 'tier 1 (wasm, V8 compile, instantiation): A32 blocks';
  const best = bestOfRuns([
    [r('lift A32 blocks', 0.4), r(t1, 2.5, 9)],
    [r('lift A32 blocks', 0.3), r(t1, 1.8, 7)],
    [r('lift A32 blocks', 0.5), r(t1, 2.2, 8)],
  ]);
  expect(best.map((x) => [x.usPerInsn, x.cpuUsPerInsn, x.runsUs])).toEqual([
    [0.3, 1, [0.4, 0.3, 0.5]],
    [1.8, 7, [2.5, 1.8, 2.2]],
  ]);
  expect(translateLines(best)[1]).toBe(`${t1}: 1.800 µs per guest instruction, CPU median 7.000 µs (3 blocks, 30 instructions, ±2.0%; fastest of 3 runs: 2.500, 1.800, 2.200)`);
  expect(tier1Verdict(best, 2)).toBe(
    "tier-1 translation (wasm, V8 compile, instantiation, from the lifter's IR; wall time): A32 blocks 1.80 µs (fastest of 2.50, 1.80, 2.20) per guest instruction; target ≤ 2 µs: met; lifting and tier 1 together: A32 blocks 2.10 µs",
  );
  expect(bestOfRuns([[r(t1, 1.5)]])[0]!.runsUs).toBeUndefined();
  expect(bestOfRuns([])).toEqual([]);
  // With the hypervisor's steal of each run: the fastest run's beside its figure, each run's beside its own.
  const stolen = bestOfRuns([[r(t1, 2.5, 9, 14.6)], [r(t1, 1.8, 7, 2)]]);
  expect(stolen[0]!.stealPct).toBe(2);
  expect(stolen[0]!.runsSteal).toEqual([14.6, 2]);
  expect(translateLines(stolen)[0]).toBe(`${t1}: 1.800 µs per guest instruction, CPU median 7.000 µs (3 blocks, 30 instructions, ±2.0%, steal 2%; fastest of 2 runs: 2.500 (steal 15%), 1.800 (steal 2%))`);
  expect(translateLines([r(t1, 1.8, 7, 0.4)])[0]).toMatch(/±2\.0%, steal 0%\)$/);
  // With the reference loop's time too: beside the steal, for the case and for each run.
  const timed = bestOfRuns([[{ ...r(t1, 2.5, 9, 14.6), refNs: 1.9 }], [{ ...r(t1, 1.8, 7, 2), refNs: 1.04 }]]);
  expect(timed[0]!.runsRefNs).toEqual([1.9, 1.04]);
  expect(translateLines(timed)[0]).toBe(
    `${t1}: 1.800 µs per guest instruction, CPU median 7.000 µs (3 blocks, 30 instructions, ±2.0%, steal 2%, loop 1.04 ns; fastest of 2 runs: 2.500 (steal 15%, loop 1.90 ns), 1.800 (steal 2%, loop 1.04 ns))`,
  );
  expect(translateLines([{ ...r(t1, 1.8, 7), refNs: 2.5 }])[0]).toMatch(/±2\.0%, loop 2\.50 ns\)$/);
});

test("steal: /proc/stat's aggregate line read, the share of an interval's CPU time taken by the hypervisor", () => {
  const stat = (user: number, steal: number) => `cpu  ${user} 0 100 ${1000 - user} 5 0 2 ${steal} 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 1 2\n`;
  const a = parseProcStat(stat(300, 50))!;
  expect(a).toEqual({ steal: 50, total: 300 + 100 + 700 + 5 + 2 + 50 });
  const b = parseProcStat(stat(500, 150))!; // 200 more user ticks, 200 fewer idle, 100 more stolen
  expect(stealPercent(a, b)).toBeCloseTo(100, 12); // the total grew by the stolen ticks alone
  const c = parseProcStat(`cpu  600 0 100 800 5 0 2 150 0 0\n`)!; // 100 user, 100 idle more than b: none stolen
  expect(stealPercent(b, c)).toBe(0);
  expect(stealPercent(a, c)).toBeCloseTo((100 * 100) / (c.total - a.total), 12);
  expect(stealPercent(null, a)).toBeNull();
  expect(stealPercent(a, a)).toBeNull(); // no time passed
  const sum = { steal: 0, total: 0 };
  addInterval(sum, a, b);
  addInterval(sum, b, c);
  addInterval(sum, null, c);
  expect(sum).toEqual({ steal: c.steal - a.steal, total: c.total - a.total });
  // No aggregate line, or one that is not numbers: unknown.
  expect(parseProcStat('cpu0 1 2 3 4 5 6 7 8\n')).toBeNull();
  expect(parseProcStat('cpu  1 2 x 4 5 6 7 8\n')).toBeNull();
  expect(parseProcStat('cpu  1 2 3\n')).toBeNull();
  // This machine's, where there is one: steal no more than the total.
  const now = readCpuTimes();
  if (now) expect(now.steal).toBeLessThanOrEqual(now.total);
});

test("the reference loop: this machine's time per iteration, a few nanoseconds at most", () => {
  const ns = referenceLoopNs(3);
  expect(Number.isFinite(ns)).toBe(true);
  expect(ns).toBeGreaterThan(0.05);
  expect(ns).toBeLessThan(100); // (no timing assertion: a bound no running machine misses)
});
