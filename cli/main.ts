#!/usr/bin/env node
// armvisor's command line (commander): `run` (Linux user mode), `boot` (the virt board), `demo`,
// `bench cpu`, `bench boot`.
// Every failure is one line on stderr: bad input exits 1, an internal error exits 70.

import { readFileSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { LoadError } from '../runtime/linux/process.js';
import { ENGINES, runProgram, TIER2_MODES, UsageError } from './run.js';
import { runDemo } from './demo.js';
import { runBoot } from './boot.js';
import { registerBench } from './bench.js';
import { repoRoot } from './paths.js';
import { DEFAULT_JIT } from '../translator/jit/jit.js';
import { SYS_THRESHOLD } from '../runtime/cpu/sysjit.js';

// For the launcher (launch.ts), which loads this program as dist/armvisor-core.cjs.
export { v8FlagsAsLaunched } from './v8flags.js';

const EX_SOFTWARE = 70;

function version(): string {
  const pkg = path.join(repoRoot(), 'package.json');
  try {
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

function finish(status: number): void {
  process.exitCode = status;
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('armvisor')
    .description('Runs 32-bit ARMv7-A guests on Node.js')
    .version(version(), '-V, --version', 'print the version')
    .enablePositionalOptions()
    .showHelpAfterError(false)
    // commander's own errors (an unknown option, a missing value...) as our one line: it then
    // exits with status 1 itself. Subcommands inherit this.
    .configureOutput({ outputError: (str, write) => write(`armvisor: ${str.replace(/^error: /, '').trim().replace(/\n+/g, ' ')}\n`) });

  program
    .command('run')
    .description('run a 32-bit ARM Linux program (armhf ELF) in user mode, like qemu-arm')
    .argument('<prog>', 'the ARM ELF executable')
    .argument('[args...]', 'arguments for the guest program')
    .option('-L, --sysroot <dir>', 'ARM root for the dynamic loader and absolute paths (e.g. /usr/arm-linux-gnueabihf)')
    .option('-E, --env <var=value>', 'set a variable in the guest environment (repeatable)', collect, [])
    .option('-U, --unset <var>', 'remove a variable from the guest environment (repeatable)', collect, [])
    .option('-0, --argv0 <name>', "the guest's argv[0] (default: PROG)")
    .option('--trace', 'print each executed instruction (address, encoding, disassembly) on stderr')
    .option('--strace', 'log system calls on stderr')
    .addOption(new Option('--engine <engine>', 'jit: hot code compiled to WebAssembly; interp: the IR interpreter only').choices([...ENGINES]).default('jit'))
    .option('--check-jit', 'run every compiled block under the interpreter too and stop at the first divergence')
    .addOption(
        new Option('--tier2 <mode>', "re-optimize the regions that keep running: turbofan, by V8's optimizing compiler in a worker thread; on, with binaryen in a worker thread; off")
          .choices([...TIER2_MODES])
          .default('turbofan'),
      )
    .option('--jit-threshold <n>', `guest instructions interpreted on a page before it is compiled (default ${DEFAULT_JIT.threshold}; 0: compile every block before it runs)`)
    .option('--profile', 'print where the time went and the hottest guest functions on stderr')
    .option('--profile-out <file>', 'write a profile that https://www.speedscope.app opens')
    .option('--dump-region <addr>', 'at exit, print the wasm (text) of the region holding ADDR')
    .option('--gdb <port>', 'wait for gdb (target remote :PORT) on localhost before the first instruction')
    .addOption(new Option('--translation-cache <mode>', 'keep translated code in ~/.cache/armvisor/translations for later runs of the same program').choices(['on', 'off']).default('on'))
    .passThroughOptions()
    .action(async (prog: string, args: string[], opts) => finish(await runProgram(prog, args, opts)));

  program
    .command('boot')
    .description('boot a kernel (zImage, Image) or bare-metal ELF on the emulated virt board (Cortex-A15), like qemu-system-arm -M virt')
    .option('--kernel <file>', 'the kernel: a zImage, an uncompressed Image or an ELF program (required unless --default-guest)')
    .option('--default-guest', "the default system guest (what npm start boots): Debian's kernel and the busybox initramfs from ~/.cache/armvisor/kernel, ending in a shell; --kernel, --initrd, --append replace their part")
    .option('--initrd <file>', 'initial RAM disk for a Linux kernel')
    .option('--dtb <file>', "device tree blob to pass instead of the board's own")
    .option('--append <cmdline>', 'kernel command line (/chosen bootargs)')
    .option('--memory <MiB>', 'guest RAM in MiB', '512')
    .addOption(new Option('--clock <clock>', 'host: real time; icount: time from the guest instruction count (reproducible runs)').choices(['host', 'icount']).default('host'))
    .option('--timeout <seconds>', 'stop with an error if the guest has not powered off after this long')
    .option('--profile', 'print instructions, MIPS, exceptions, interrupts, MMIO, TLB counts and the hottest guest functions on stderr at the end')
    .option('--stats', "print --profile's counts (instructions, MIPS, exceptions, MMIO, TLB, JIT) at the end without sampling the PC (no cost while the guest runs)")
    .option('--profile-out <file>', 'write the sampled hottest functions as a profile that https://www.speedscope.app opens')
    .option('--symbols <file>', "names for --profile: a System.map or an ELF (default: an ELF kernel's own symbols, else System.map beside the kernel)")
    .option('--gdb <port>', 'wait for gdb (target remote :PORT) on localhost before the first instruction')
    .addOption(new Option('--engine <engine>', 'jit: hot code compiled to WebAssembly; interp: the IR interpreter only').choices([...ENGINES]).default('jit'))
    .option('--jit-threshold <n>', `guest instructions interpreted in a code page before it is compiled (default ${SYS_THRESHOLD}; 0: compile everything at once)`)
    .action(async (opts) => finish(await runBoot(opts)));

  program
    .command('demo')
    .description('run the bundled demo guest program under `armvisor run` (user mode; builds it first if needed)')
    .addOption(new Option('--isa <isa>', 'which build of the demo').choices(['arm', 'thumb']).default('arm'))
    .action(async (opts) => finish(await runDemo(opts)));

  registerBench(program);
  program.addHelpText('after', () => commandSummary(program));

  return program;
}

/** Every command (and subcommand) with its options, for `armvisor --help`. */
function commandSummary(program: Command): string {
  const lines = ['', 'Commands and their options:'];
  const walk = (cmd: Command, prefix: string) => {
    for (const c of cmd.commands) {
      if (c.name() === 'help') continue;
      const name = `${prefix}${c.name()}`;
      const args = c.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}${a.variadic ? '...' : ''}]`)).join(' ');
      lines.push(`  armvisor ${name}${c.options.length ? ' [options]' : ''}${args ? ' ' + args : ''}`);
      for (const o of c.options) lines.push(`      ${o.flags.padEnd(24)} ${o.description}`);
      walk(c, `${name} `);
    }
  };
  walk(program, '');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof UsageError || e instanceof LoadError) {
      process.stderr.write(`armvisor: ${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`armvisor: internal error: ${msg.split('\n')[0]}\n`);
    if (process.env.ARMVISOR_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    process.exitCode = EX_SOFTWARE;
  }
}

// Run when this file is the program (also through npm's bin symlink), not when imported.
const realpath = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
};
const invoked = process.argv[1] ? realpath(process.argv[1]) : '';
const self = fileURLToPath(import.meta.url);
if (invoked === self || invoked === self.replace(/\.js$/, '')) {
  process.on('uncaughtException', (e) => {
    process.stderr.write(`armvisor: internal error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
    process.exit(EX_SOFTWARE);
  });
  void main(process.argv);
}
