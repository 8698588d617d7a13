// Steal time: the share of this machine's CPU time that its hypervisor gave to other guests
// while a measurement ran. The benchmark machine is a shared virtual machine; when the host
// runs someone else on our virtual CPUs, wall-clock measurements grow by time in which no code
// of ours ran. Linux counts it per CPU in /proc/stat, the 8th number of each `cpu` line (proc(5),
// "steal"), in clock ticks. The benchmark reports it beside the figures it affects.

import { readFileSync } from 'node:fs';

/** The machine's CPU time so far, all CPUs together, in clock ticks: stolen, and in all. */
export interface CpuTimes {
  steal: number;
  total: number;
}

/** The aggregate `cpu` line of /proc/stat's text, or null when it has none. */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  // user nice system idle iowait irq softirq steal guest guest_nice: guest time is counted
  // in user and nice already, so the total stops at steal
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (f.length < 8 || f.some((x) => !Number.isFinite(x) || x < 0)) return null;
  return { steal: f[7]!, total: f.reduce((a, b) => a + b, 0) };
}

/** /proc/stat's CPU times now, or null where there is none (not Linux, or not readable). */
export function readCpuTimes(): CpuTimes | null {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}

/** Per cent of the CPU time between `a` and `b` that was stolen, or null when unknown. */
export function stealPercent(a: CpuTimes | null, b: CpuTimes | null): number | null {
  if (!a || !b || b.total <= a.total) return null;
  return (100 * Math.max(0, b.steal - a.steal)) / (b.total - a.total);
}

/** Adds the ticks between `a` and `b` to `sum` (a running total over several intervals). */
export function addInterval(sum: CpuTimes, a: CpuTimes | null, b: CpuTimes | null): void {
  if (!a || !b) return;
  sum.steal += b.steal - a.steal;
  sum.total += b.total - a.total;
}
