// `armvisor bench cpu`: the real-program workloads (our integer, pointer-chasing and
// floating-point guests in A32 and Thumb-2; busybox sha256sum, md5sum, gzip, gunzip, bzip2 on
// generated data) under armvisor and under `qemu-arm -cpu cortex-a15`, one after the other in
// the same run. Checks the outputs agree, prints time ratio and guest MIPS, writes
// bench/results/cpu.json and cpu.svg, then measures translation cost (bench/translate.ts).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { barChartSvg } from './chart.js';
import { makeBinary, makeText } from './data.js';
import { fileURLToPath } from 'node:url';
import { armvisorMain, busyboxPath, guestPath, repoRoot, runArmvisor, runProcess, runQemu, type RunOptions, type RunResult } from './guestrun.js';
import type { TranslateResult } from './translate.js';

export interface Workload {
  name: string;
  prog: string;
  args: string[];
  /** Standard input, if any. */
  input?: Buffer;
}

export interface CpuRow {
  name: string;
  armvisorMs: number;
  qemuMs: number;
  /** armvisor time / qemu time (lower is better). */
  ratio: number;
  /** Guest instructions armvisor retired (from `run --stats`), or null if unavailable. */
  icount: number | null;
  mips: number | null;
  /** stdout and exit status identical under both. */
  same: boolean;
  status: number;
}

export interface CpuBenchOptions {
  /** Multiplies every workload's size (default 1). */
  scale?: number;
  /** Timed runs per emulator and workload; the fastest counts (default 1). */
  runs?: number;
  /** Only these workloads (names as in the table). */
  only?: string[];
  /** Also run the translation micro-benchmark (default true). */
  translate?: boolean;
  /** Where cpu.json and cpu.svg go (default bench/results). */
  outDir?: string;
  log?: (line: string) => void;
}

export interface CpuBenchReport {
  date: string;
  host: { node: string; cpu: string; cores: number; qemu: string };
  scale: number;
  runs: number;
  /** How armvisor was run: the CLI with --stats, or bench/icount-run.js (same engine) when the CLI has no --stats. */
  runner: string;
  rows: CpuRow[];
  translate: TranslateResult[];
}

/** Thrown for problems the user can fix (printed as one line by the CLI). */
export class BenchError extends Error {}

/** The workloads at a given scale; `dir` receives their input files. */
export function cpuWorkloads(scale: number, dir: string): Workload[] {
  const n = (base: number): number => Math.max(1, Math.round(base * scale));
  const text = makeText(n(1024 * 1024), 21);
  const bin = makeBinary(n(2048 * 1024), 22);
  writeFileSync(join(dir, 'text'), text);
  writeFileSync(join(dir, 'bin'), bin);
  const list: Workload[] = [];
  for (const isa of ['arm', 'thumb'] as const) {
    list.push({ name: `hash-${isa}`, prog: guestPath('hash', isa), args: [String(n(24)), '128'] });
    list.push({ name: `sort-${isa}`, prog: guestPath('sort', isa), args: [String(n(200000))] });
    list.push({ name: `nbody-${isa}`, prog: guestPath('nbody', isa), args: [String(n(120000))] });
  }
  const bb = busyboxPath();
  list.push({ name: 'busybox sha256sum', prog: bb, args: ['sha256sum', 'bin'] });
  list.push({ name: 'busybox md5sum', prog: bb, args: ['md5sum', 'bin'] });
  list.push({ name: 'busybox gzip', prog: bb, args: ['gzip', '-c', 'text'] });
  list.push({ name: 'busybox gunzip', prog: bb, args: ['gunzip', '-c'], input: gzipSync(Buffer.concat([text, bin])) });
  list.push({ name: 'busybox bzip2', prog: bb, args: ['bzip2', '-c'], input: text.subarray(0, n(384 * 1024)) });
  return list;
}

function qemuVersion(): string {
  try {
    return execFileSync('qemu-arm', ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
  } catch {
    throw new BenchError('qemu-arm not found: run `bash scripts/setup-tools.sh` (installs qemu-user)');
  }
}

/** The workload under bench/icount-run.js: `armvisor run`'s engine, printing its instruction count. */
function runIcount(w: Workload, o: RunOptions): Promise<RunResult> {
  const runner = fileURLToPath(new URL('./icount-run.js', import.meta.url));
  return runProcess(process.execPath, [runner, w.prog, ...w.args], o);
}

const ICOUNT = /\bicount[ =:]+(\d+)/;

/** Runs the benchmark; prints a table as it goes and returns (and saves) the report. */
export async function benchCpu(opts: CpuBenchOptions = {}): Promise<CpuBenchReport> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const scale = opts.scale ?? 1;
  const runs = opts.runs ?? 1;
  if (!(scale > 0 && Number.isFinite(scale))) throw new BenchError(`--scale must be a positive number (got ${scale})`);
  if (!(Number.isInteger(runs) && runs >= 1)) throw new BenchError(`--runs must be a positive integer (got ${runs})`);
  const qemu = qemuVersion();
  if (!existsSync(armvisorMain())) throw new BenchError(`${armvisorMain()} not found: run \`npm run build\``);

  const dir = mkdtempSync(join(tmpdir(), 'armvisor-bench-'));
  try {
    let work = cpuWorkloads(scale, dir);
    if (opts.only?.length) {
      const unknown = opts.only.filter((o) => !work.some((w) => w.name === o));
      if (unknown.length) throw new BenchError(`unknown workload ${unknown.map((u) => `"${u}"`).join(', ')}; the workloads are: ${work.map((w) => w.name).join(', ')}`);
      work = work.filter((w) => opts.only!.includes(w.name));
    }
    for (const w of work) {
      if (!existsSync(w.prog)) throw new BenchError(`${w.prog} not found: run \`bash scripts/setup-tools.sh && bash scripts/build-guests.sh\``);
    }

    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', HOME: '/tmp' };
    let useRunner = false;
    const rows: CpuRow[] = [];
    const head = `${'workload'.padEnd(20)} ${'armvisor'.padStart(10)} ${'qemu-arm'.padStart(10)} ${'ratio'.padStart(8)} ${'guest MIPS'.padStart(11)}  output`;
    log(head);
    log('-'.repeat(head.length));
    for (const w of work) {
      const o = { cwd: dir, env, input: w.input, timeoutMs: 30 * 60_000 };
      let best: { a: RunResult; q: RunResult } | null = null;
      for (let r = 0; r < runs; r++) {
        const q = await runQemu(w.prog, w.args, o);
        let a = useRunner ? await runIcount(w, o) : await runArmvisor(w.prog, w.args, { ...o, flags: ['--stats'] });
        if (!useRunner && /unknown option.*--stats/.test(a.stderr)) {
          // `armvisor run` has no instruction counter: run the same engine through bench/icount-run
          useRunner = true;
          a = await runIcount(w, o);
        }
        best = {
          a: !best || a.ms < best.a.ms ? a : best.a,
          q: !best || q.ms < best.q.ms ? q : best.q,
        };
      }
      const { a, q } = best!;
      const m = ICOUNT.exec(a.stderr);
      const icount = m ? Number(m[1]) : null;
      const same = a.stdout.equals(q.stdout) && a.status === q.status && !a.timedOut;
      const row: CpuRow = {
        name: w.name,
        armvisorMs: a.ms,
        qemuMs: q.ms,
        ratio: a.ms / q.ms,
        icount,
        mips: icount === null ? null : icount / (a.ms * 1000),
        same,
        status: a.status,
      };
      rows.push(row);
      const why = same ? 'same' : a.timedOut ? 'TIMEOUT' : a.status !== q.status ? `DIFFERS (status ${a.status} vs ${q.status})` : 'DIFFERS';
      log(
        `${w.name.padEnd(20)} ${(a.ms / 1000).toFixed(2).padStart(9)}s ${(q.ms / 1000).toFixed(2).padStart(9)}s ` +
          `${row.ratio.toFixed(1).padStart(7)}× ${(row.mips === null ? '-' : row.mips.toFixed(row.mips < 10 ? 2 : 1)).padStart(11)}  ${why}`,
      );
    }
    const geo = Math.exp(rows.reduce((s, r) => s + Math.log(r.ratio), 0) / Math.max(1, rows.length));
    log(`geometric mean ratio: ${geo.toFixed(1)}× (armvisor time / qemu-arm time; lower is better)`);

    let translate: TranslateResult[] = [];
    if (opts.translate !== false) {
      log('');
      const { benchTranslate } = await import('./translate.js');
      translate = await benchTranslate({ log, quick: scale < 1 });
    }

    const report: CpuBenchReport = {
      date: new Date().toISOString(),
      host: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, qemu },
      scale,
      runs,
      runner: useRunner ? 'node dist/bench/icount-run.js' : 'armvisor run --stats',
      rows,
      translate,
    };
    const out = opts.outDir ?? join(repoRoot(), 'bench', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'cpu.json'), JSON.stringify(report, null, 2) + '\n');
    const svg = barChartSvg(
      'armvisor vs qemu-arm: CPU workloads',
      `time ratio (armvisor / qemu-arm -cpu cortex-a15, lower is better); geometric mean ${geo.toFixed(1)}×; ${report.date.slice(0, 10)}`,
      rows.map((r) => ({
        label: r.name,
        value: r.ratio,
        bad: !r.same,
        note: `${r.ratio.toFixed(1)}×${r.mips === null ? '' : `, ${r.mips.toFixed(1)} MIPS`}${r.same ? '' : ' (output differs)'}`,
      })),
    );
    writeFileSync(join(out, 'cpu.svg'), svg);
    log(`wrote ${join(out, 'cpu.json')} and ${join(out, 'cpu.svg')}`);
    return report;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
