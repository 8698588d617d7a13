// What `armvisor bench cpu` says beyond its table: issue 4's ratio targets by class of
// workload (integer, floating point), and where the JIT run's time went, read from the
// `armvisor run --profile` run the benchmark makes anyway (runtime/profile.ts prints it).

import { geometricMean } from './stats.js';

/** One row of the profile's time split: category name -> seconds. */
export type TimeSplit = Record<string, number>;

/** A line of the profile's `time` block: `    generated code      0.163 s  29.1%`. */
const SPLIT_LINE = /^ {4}(\S.*?)\s+([\d.]+) s\s+[\d.]+%/;

/**
 * The `time` block of `armvisor run --profile`'s report (stderr), in seconds per category, in
 * the order printed; null when there is no report.
 */
export function parseTimeSplit(stderr: string): TimeSplit | null {
  const lines = stderr.split('\n');
  const at = lines.findIndex((l) => l === '  time');
  if (at < 0) return null;
  const split: TimeSplit = {};
  for (let i = at + 1; i < lines.length; i++) {
    const m = SPLIT_LINE.exec(lines[i]!);
    if (!m) break;
    split[m[1]!] = Number(m[2]);
  }
  return Object.keys(split).length ? split : null;
}

/** Issue 4's time-ratio targets (armvisor / qemu-arm, geometric mean over the class). */
export const RATIO_TARGETS = { integer: 2.0, 'floating point': 0.5 } as const;
export type WorkloadClass = keyof typeof RATIO_TARGETS;

/** The floating-point workloads are the n-body builds; every other one is integer code. */
export function workloadClass(name: string): WorkloadClass {
  return name.startsWith('nbody') ? 'floating point' : 'integer';
}

export interface ClassVerdict {
  workloads: string[];
  geomean: number;
  target: number;
  met: boolean;
}

/** Per class of workload with rows: the geometric mean of `ratio` against its target. */
export function classVerdicts<R extends { name: string }>(rows: R[], ratio: (r: R) => number): Partial<Record<WorkloadClass, ClassVerdict>> {
  const out: Partial<Record<WorkloadClass, ClassVerdict>> = {};
  for (const c of Object.keys(RATIO_TARGETS) as WorkloadClass[]) {
    const mine = rows.filter((r) => workloadClass(r.name) === c);
    if (!mine.length) continue;
    const geomean = geometricMean(mine.map(ratio));
    out[c] = { workloads: mine.map((r) => r.name), geomean, target: RATIO_TARGETS[c], met: geomean <= RATIO_TARGETS[c] };
  }
  return out;
}

/**
 * A table of where each workload's JIT run spent its time, as shares of the categories'
 * total: generated code against the costs a longer run would amortize (interpreting cold
 * code, lifting, compiling) and the rest.
 */
export function splitTable(rows: { name: string; split: TimeSplit | null }[]): string[] {
  const cats = [...new Set(rows.flatMap((r) => (r.split ? Object.keys(r.split) : [])))];
  if (!cats.length) return [];
  const short = (c: string): string => c.replace('generated code', 'generated').replace('lifting to IR', 'lifting').replace('runtime, other', 'other');
  const width = cats.map((c) => Math.max(short(c).length, 4) + 2);
  const lines = [`${'JIT run (--profile), share of time'.padEnd(36)}${cats.map((c, i) => short(c).padStart(width[i]!)).join('')}`];
  for (const r of rows) {
    if (!r.split) continue;
    const total = cats.reduce((s, c) => s + (r.split![c] ?? 0), 0) || 1;
    lines.push(`${r.name.padEnd(36)}${cats.map((c, i) => `${((100 * (r.split![c] ?? 0)) / total).toFixed(0)}%`.padStart(width[i]!)).join('')}`);
  }
  return lines;
}
