// `armvisor bench boot`: Debian's kernel with our initramfs and one command line, booted under
// `qemu-system-arm -M virt -cpu cortex-a15 -m 512 -nic none -nographic` and under
// `armvisor boot`, alternately in one run, timed from process start to the init marker on the
// console (wall and the process's CPU time), several runs each; medians, the ratio armvisor /
// QEMU, and armvisor's guest instruction count (from `--stats`: --profile's counts without its PC
// sampler, which would slow the boot; QEMU has no cheap counter).
// One row per command line: the default, and with `cryptomgr.notests` (no crypto self-tests).
// Writes bench/results/boot.json and boot.svg.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, homedir, loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { INIT_MARKER } from '../runtime/board/initramfs.js';
import { barChartSvg } from './chart.js';
import { runConsole, type ConsoleRun } from './console-run.js';
import { BenchError } from './cpu.js';
import { median } from './stats.js';
import { armvisorMain, cacheDir, repoRoot } from './guestrun.js';

/** QEMU's `virt` as armvisor models it: one Cortex-A15, 512 MiB, no NIC, console on stdio. */
export const QEMU_VIRT_ARGS = ['-M', 'virt', '-cpu', 'cortex-a15', '-m', '512', '-nic', 'none', '-nographic'];
/** The command line both emulators give the kernel (a row may add options). */
export const BOOT_APPEND = 'console=ttyAMA0 armvisor.init=poweroff';

export interface BootRowSpec {
  name: string;
  /** Kernel options added to BOOT_APPEND. */
  extra: string;
}

export const BOOT_ROWS: BootRowSpec[] = [
  { name: 'default', extra: '' },
  { name: 'cryptomgr.notests', extra: 'cryptomgr.notests' },
];

export interface BootBenchOptions {
  /** Timed runs per emulator and row (default 3); medians count. */
  runs?: number;
  /** Only these rows (names as in BOOT_ROWS). */
  only?: string[];
  /** armvisor boots the uncompressed Image instead of the zImage (QEMU keeps the zImage). */
  image?: boolean;
  /** `armvisor boot --clock` (default host, as QEMU without -icount). */
  clock?: 'host' | 'icount';
  /** `armvisor boot --engine`, when armvisor boot has that option. */
  engine?: string;
  /** Seconds one boot may take before it is stopped and counted as failed (default 900). */
  timeoutS?: number;
  /** Where boot.json and boot.svg go (default bench/results). */
  outDir?: string;
  log?: (line: string) => void;
}

/** One boot of one emulator. */
export interface BootRun {
  /** Wall milliseconds from spawn to the init marker (null: the marker never appeared). */
  markerMs: number | null;
  /** The process's CPU milliseconds when the marker appeared. */
  markerCpuMs: number | null;
  /** Wall and CPU milliseconds of the whole process (to power-off). */
  ms: number;
  cpuMs: number | null;
  status: number;
  timedOut: boolean;
  /** Guest instructions retired (armvisor's --stats), null for QEMU. */
  icount: number | null;
}

export interface BootSide {
  runs: BootRun[];
  /** Medians over the runs that reached the marker (null if none did). */
  markerMs: number | null;
  markerCpuMs: number | null;
  icount: number | null;
  /** Guest instructions per CPU second to power-off, in millions (armvisor only). */
  mips: number | null;
}

export interface BootRow {
  name: string;
  append: string;
  qemu: BootSide;
  armvisor: BootSide;
  /** armvisor / QEMU of the median wall times to the marker (lower is better). */
  ratio: number | null;
  /** armvisor / QEMU of the median CPU times to the marker. */
  cpuRatio: number | null;
}

export interface BootBenchReport {
  date: string;
  host: { node: string; cpu: string; cores: number; qemu: string; loadavgStart: number; loadavgEnd: number };
  runs: number;
  marker: string;
  kernel: { release: string; armvisor: string; qemu: string; initrd: string };
  armvisorCommand: string[];
  qemuCommand: string[];
  clock: string;
  engine: string | null;
  rows: BootRow[];
}

function qemuSystemVersion(): string {
  try {
    return execFileSync('qemu-system-arm', ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
  } catch {
    throw new BenchError('qemu-system-arm not found: run `bash scripts/setup-tools.sh` (installs qemu-system-arm)');
  }
}

const PROFILE_ICOUNT = /profile: ([\d,]+) guest instructions/;

function toRun(r: ConsoleRun, icount: number | null): BootRun {
  return {
    markerMs: r.markerMs ?? null,
    markerCpuMs: r.markerMs !== undefined ? r.markerCpuMs ?? null : null,
    ms: r.ms,
    cpuMs: r.cpuMs,
    status: r.status,
    timedOut: r.timedOut,
    icount,
  };
}

function side(runs: BootRun[]): BootSide {
  const ok = runs.filter((r) => r.markerMs !== null);
  const med = (f: (r: BootRun) => number | null): number | null => median(ok.map(f).filter((v): v is number => v !== null));
  const icount = med((r) => r.icount);
  const cpu = med((r) => r.cpuMs);
  return { runs, markerMs: med((r) => r.markerMs), markerCpuMs: med((r) => r.markerCpuMs), icount, mips: icount !== null && cpu ? icount / (cpu * 1000) : null };
}

/** A failed run in one short phrase, for the table. */
function failure(r: BootRun, who: string): string {
  return `${who}: ${r.timedOut ? 'timed out' : r.status === 124 ? 'armvisor --timeout' : `exit ${r.status}`} before ${INIT_MARKER}`;
}

/** A path under the home directory as ~/..., for the saved report. */
const tilde = (p: string): string => (p.startsWith(homedir() + '/') ? '~' + p.slice(homedir().length) : p);

/** Runs the benchmark; prints the table as it goes and returns (and saves) the report. */
export async function benchBoot(opts: BootBenchOptions = {}): Promise<BootBenchReport> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const runs = opts.runs ?? 3;
  const timeoutS = opts.timeoutS ?? 900;
  const clock = opts.clock ?? 'host';
  if (!(Number.isInteger(runs) && runs >= 1)) throw new BenchError(`--runs must be a positive integer (got ${runs})`);
  if (!(timeoutS > 0 && Number.isFinite(timeoutS))) throw new BenchError(`--timeout must be a positive number of seconds (got ${timeoutS})`);
  if (clock !== 'host' && clock !== 'icount') throw new BenchError(`--clock must be host or icount (got ${String(clock)})`);
  const rowSpecs = opts.only?.length ? BOOT_ROWS.filter((r) => opts.only!.includes(r.name)) : BOOT_ROWS;
  const unknown = (opts.only ?? []).filter((o) => !BOOT_ROWS.some((r) => r.name === o));
  if (unknown.length) throw new BenchError(`unknown row ${unknown.map((u) => `"${u}"`).join(', ')}; the rows are: ${BOOT_ROWS.map((r) => r.name).join(', ')}`);

  const qemu = qemuSystemVersion();
  const main = armvisorMain();
  if (!existsSync(main)) throw new BenchError(`${main} not found: run \`npm run build\``);
  const kdir = join(cacheDir(), 'kernel');
  const file = (name: string): string => {
    const p = join(kdir, name);
    if (!existsSync(p)) throw new BenchError(`${p} not found: run \`bash scripts/fetch-kernel.sh && node scripts/build-kernel-guest.mjs\` (npm run bench:boot does)`);
    return p;
  };
  const zimage = file('vmlinuz');
  const avKernel = opts.image ? file('Image') : zimage;
  const initrd = file('initramfs.cpio');
  const release = existsSync(join(kdir, 'VERSION')) ? readFileSync(join(kdir, 'VERSION'), 'utf8').trim() : 'unknown';

  // `--engine` only when armvisor boot knows it (it appears with the system-mode JIT).
  const engineFlags: string[] = [];
  if (opts.engine !== undefined) {
    const help = execFileSync(process.execPath, [main, 'boot', '--help'], { encoding: 'utf8' });
    if (!/--engine\b/.test(help)) throw new BenchError(`--engine ${opts.engine}: this armvisor boot has no --engine option`);
    engineFlags.push('--engine', opts.engine);
  }
  const avArgs = (append: string): string[] => [
    main, 'boot', '--kernel', avKernel, '--initrd', initrd, '--append', append, '--clock', clock, ...engineFlags, '--stats', '--timeout', String(timeoutS),
  ];
  const qemuArgs = (append: string): string[] => [...QEMU_VIRT_ARGS, '-kernel', zimage, '-initrd', initrd, '-append', append];
  // armvisor stops itself at --timeout (and still prints its profile); the kill is a backstop.
  const watch = { marker: INIT_MARKER, timeoutMs: timeoutS * 1000 };
  const avWatch = { ...watch, timeoutMs: timeoutS * 1000 + 30_000 };

  const loadStart = loadavg()[0]!;
  log(`kernel ${release}: QEMU boots ${basename(zimage)}, armvisor ${basename(avKernel)}; initramfs ${basename(initrd)}; armvisor boot --clock ${clock}${engineFlags.length ? ' ' + engineFlags.join(' ') : ''}; ${runs} run(s) each, medians; time from process start to ${INIT_MARKER}`);
  if (loadStart > cpus().length * 0.5) log(`note: the load average is ${loadStart.toFixed(1)} on ${cpus().length} cores; wall times are not a quiet machine's`);
  const s = (ms: number | null): string => (ms === null ? '-' : `${(ms / 1000).toFixed(ms < 100_000 ? 2 : 1)}s`);
  const x = (r: number | null): string => (r === null ? '-' : `${r.toFixed(r < 10 ? 2 : 1)}×`);
  const head = `${'row'.padEnd(18)} ${'qemu wall'.padStart(9)} ${'qemu CPU'.padStart(9)} | ${'av wall'.padStart(9)} ${'av CPU'.padStart(9)} | ${'ratio'.padStart(7)} ${'CPU ratio'.padStart(9)} | ${'guest insns'.padStart(14)} ${'MIPS'.padStart(6)}`;
  log(head);
  log('-'.repeat(head.length));

  const rows: BootRow[] = [];
  for (const spec of rowSpecs) {
    const append = spec.extra ? `${BOOT_APPEND} ${spec.extra}` : BOOT_APPEND;
    const qRuns: BootRun[] = [];
    const aRuns: BootRun[] = [];
    const problems: string[] = [];
    let avGaveUp = false;
    for (let r = 0; r < runs; r++) {
      const q = toRun(await runConsole('qemu-system-arm', qemuArgs(append), watch), null);
      qRuns.push(q);
      if (q.markerMs === null) problems.push(failure(q, 'qemu'));
      if (avGaveUp) continue;
      const ar = await runConsole(process.execPath, avArgs(append), avWatch);
      if (ar.status === 1 && ar.markerMs === undefined) {
        // Bad input or an option this armvisor does not know: every run would fail the same way.
        throw new BenchError(`armvisor boot: ${ar.stderr.trim().split('\n')[0]}`);
      }
      const m = PROFILE_ICOUNT.exec(ar.stderr);
      const a = toRun(ar, m ? Number(m[1]!.replace(/,/g, '')) : null);
      aRuns.push(a);
      if (a.markerMs === null) {
        problems.push(failure(a, 'armvisor'));
        avGaveUp = true; // another run would take as long and fail the same way
      }
    }
    const qs = side(qRuns);
    const as = side(aRuns);
    const ratio = qs.markerMs && as.markerMs !== null ? as.markerMs / qs.markerMs : null;
    const cpuRatio = qs.markerCpuMs && as.markerCpuMs !== null ? as.markerCpuMs / qs.markerCpuMs : null;
    rows.push({ name: spec.name, append, qemu: qs, armvisor: as, ratio, cpuRatio });
    log(
      `${spec.name.padEnd(18)} ${s(qs.markerMs).padStart(9)} ${s(qs.markerCpuMs).padStart(9)} | ${s(as.markerMs).padStart(9)} ${s(as.markerCpuMs).padStart(9)} | ` +
        `${x(ratio).padStart(7)} ${x(cpuRatio).padStart(9)} | ${(as.icount === null ? '-' : as.icount.toLocaleString('en-US')).padStart(14)} ${(as.mips === null ? '-' : as.mips.toFixed(1)).padStart(6)}` +
        (problems.length ? `  ${[...new Set(problems)].join('; ')}` : ''),
    );
  }
  log(`ratio = armvisor / QEMU, median time to ${INIT_MARKER} (lower is better; the target is 2.0); guest instructions: armvisor's count to power-off (QEMU: n/a)`);

  const report: BootBenchReport = {
    date: new Date().toISOString(),
    host: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, qemu, loadavgStart: loadStart, loadavgEnd: loadavg()[0]! },
    runs,
    marker: INIT_MARKER,
    kernel: { release, armvisor: basename(avKernel), qemu: basename(zimage), initrd: basename(initrd) },
    armvisorCommand: ['armvisor', ...avArgs('APPEND').slice(1)].map(tilde),
    qemuCommand: ['qemu-system-arm', ...qemuArgs('APPEND')].map(tilde),
    clock,
    engine: opts.engine ?? null,
    rows,
  };
  const out = opts.outDir ?? join(repoRoot(), 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'boot.json'), JSON.stringify(report, null, 2) + '\n');
  const svg = barChartSvg(
    'armvisor vs qemu-system-arm: booting Debian\u2019s kernel to its init',
    `ratio armvisor / QEMU of the median time to ${INIT_MARKER} (lower is better; target 2\u00d7); ${release}, ${report.date.slice(0, 10)}`,
    ['wall time', 'CPU time'],
    rows.map((r) => ({
      label: r.name,
      values: [
        r.ratio === null ? null : { value: r.ratio, note: `${x(r.ratio)} (${s(r.armvisor.markerMs)} vs ${s(r.qemu.markerMs)})` },
        r.cpuRatio === null ? null : { value: r.cpuRatio, note: `${x(r.cpuRatio)} (${s(r.armvisor.markerCpuMs)} vs ${s(r.qemu.markerCpuMs)})` },
      ],
    })),
  );
  writeFileSync(join(out, 'boot.svg'), svg);
  log(`wrote ${join(out, 'boot.json')} and ${join(out, 'boot.svg')}`);
  return report;
}
