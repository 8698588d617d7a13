// `armvisor bench ...`: benchmark commands. The suites are loaded only when a bench runs, so
// `armvisor run` never pays for them; they are loaded from dist/bench/ by path, so the bundle
// dist/armvisor.cjs (scripts/bundle.mjs) does not carry them (nor benny).

import { pathToFileURL } from 'node:url';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { distPath } from './paths.js';

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!(n > 0 && Number.isFinite(n))) throw new InvalidArgumentError(`not a positive number: ${v}`);
  return n;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!(Number.isInteger(n) && n >= 1)) throw new InvalidArgumentError(`not a positive integer: ${v}`);
  return n;
}

export function registerBench(program: Command): void {
  const bench = program.command('bench').description('benchmarks, measured side by side with QEMU in one run');
  bench
    .command('cpu')
    .description(
      'run the CPU workloads (our guests, busybox) under qemu-arm and armvisor (the JIT; the interpreter with --engines interp); print time ratios and guest MIPS, ' +
        'write bench/results/cpu.json and cpu.svg, and measure translation cost',
    )
    .option('--scale <factor>', 'multiply every workload size by this factor (default 20: runs of seconds; 1: the short runs, where start-up weighs most)', positiveNumber)
    .option('--runs <n>', 'timed runs per emulator and workload (the fastest counts)', positiveInt, 1)
    .option('--only <names>', 'comma-separated workload names (e.g. "hash-arm,busybox gzip")')
    .option('--engines <list>', 'armvisor engines to time, comma-separated (jit: a first run; jit-warm: a later run, with the translation store the first left; jit-liftoff: a first run with --tier2 off; interp: the IR interpreter)', 'jit,jit-warm')
    .option('--no-translate', 'skip the translation-cost micro-benchmark')
    .option('--out <dir>', 'where to write cpu.json and cpu.svg (default bench/results)')
    .action(async (o: { scale?: number; runs: number; only?: string; engines: string; translate: boolean; out?: string }) => {
      const { benchCpu, BenchError } = (await import(pathToFileURL(distPath('bench/cpu.js')).href)) as typeof import('../bench/cpu.js');
      try {
        await benchCpu({
          scale: o.scale,
          runs: o.runs,
          only: o.only ? o.only.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
          engines: o.engines.split(',').map((s) => s.trim()).filter(Boolean),
          translate: o.translate,
          outDir: o.out,
        });
      } catch (e) {
        const msg = e instanceof BenchError || e instanceof Error ? e.message : String(e);
        process.stderr.write(`armvisor: bench cpu: ${msg.split('\n')[0]}\n`);
        process.exitCode = 1;
      }
    });

  bench
    .command('boot')
    .description(
      "boot Debian's kernel to its init marker under qemu-system-arm -M virt and armvisor boot, alternately; print median times, " +
        'the ratio and guest instructions, write bench/results/boot.json and boot.svg',
    )
    .option('--runs <n>', 'boots per emulator and command line (medians count)', positiveInt, 3)
    .option('--only <rows>', 'comma-separated rows: default, cryptomgr.notests')
    .option('--image', "armvisor boots the uncompressed Image (QEMU keeps the zImage: it cannot boot a 32-bit Image)")
    .addOption(new Option('--clock <clock>', 'armvisor boot --clock (host: as QEMU without -icount)').choices(['host', 'icount']).default('host'))
    .option('--engine <name>', 'armvisor boot --engine NAME (when armvisor boot has the option)')
    .option('--timeout <seconds>', 'stop a boot that has not powered off after this long; it counts as failed', positiveNumber, 900)
    .option('--out <dir>', 'where to write boot.json and boot.svg (default bench/results)')
    .action(async (o: { runs: number; only?: string; image?: boolean; clock: 'host' | 'icount'; engine?: string; timeout: number; out?: string }) => {
      const { benchBoot } = (await import(pathToFileURL(distPath('bench/boot.js')).href)) as typeof import('../bench/boot.js');
      try {
        await benchBoot({
          runs: o.runs,
          only: o.only ? o.only.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
          image: o.image,
          clock: o.clock,
          engine: o.engine,
          timeoutS: o.timeout,
          outDir: o.out,
        });
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        process.stderr.write(`armvisor: bench boot: ${msg.split('\n')[0]}\n`);
        process.exitCode = 1;
      }
    });
}
