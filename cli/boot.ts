// `armvisor boot --kernel FILE [...]`: system emulation of the `virt` board (what
// `qemu-system-arm -M virt -cpu cortex-a15 -nographic -kernel FILE` does). The console is the
// PL011 on stdin/stdout (raw terminal with Ctrl-A x, or plain pipes). Bad input is one line and
// exit 1; the guest powering off or resetting ends the run with 0; --timeout with 124.
// --gdb PORT waits for gdb before the first instruction (as `qemu-system-arm -s -S`);
// --profile adds the hottest kernel functions, sampled, named from --symbols (a System.map or
// an ELF), else from an ELF kernel's own symbols or the System.map beside the kernel file.
// --default-guest fills in the default system guest (cli/default-guest.ts; what npm start boots).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { planBoot, parseUserDtb } from '../runtime/board/bootplan.js';
import { BootError, identifyKernel } from '../runtime/board/kernel.js';
import { DEFAULT_RAM_MIB, VirtMachine, type ClockKind } from '../runtime/board/machine.js';
import { profileReport } from '../runtime/board/report.js';
import { RunLoop } from '../runtime/board/runloop.js';
import { VIRT_MAP, VIRT_MAX_RAM } from '../runtime/board/virt.js';
import { HostConsole } from '../runtime/devices/console.js';
import { MachineGdbTarget, runEndStatus } from '../runtime/board/gdb-target.js';
import { GdbPortError, parseGdbPort, serveGdb } from '../runtime/gdb/server.js';
import { Profiler } from '../runtime/profile.js';
import { elfSymbols, systemMapSymbols, type Symbols } from '../runtime/symbols.js';
import type { RunEnd } from '../runtime/board/runloop.js';
import { withDefaultGuest } from './default-guest.js';
import { openOutput, parseCount, setLiftoffOnly, UsageError } from './run.js';
import { setV8Flag } from './v8flags.js';
import { BOOT_INLINING_FLAG } from './v8preset.js';

export interface BootCliOptions {
  /** Required unless defaultGuest. */
  kernel?: string;
  initrd?: string;
  dtb?: string;
  append?: string;
  memory?: string;
  clock?: string;
  timeout?: string;
  profile?: boolean;
  /** --profile's counts without the PC sampler (which makes generated code stop every few thousand instructions). */
  stats?: boolean;
  profileOut?: string;
  symbols?: string;
  gdb?: string;
  /** Boot the default system guest (cli/default-guest.ts) where --kernel, --initrd, --append are not given. */
  defaultGuest?: boolean;
  engine?: string;
  jitThreshold?: string;
}

/** --profile samples the guest PC about this often (guest instructions). */
export const PROFILE_SAMPLE_INSNS = 4096;
/** The status of a run gdb killed (as `armvisor run`: 128 + SIGKILL). */
const KILLED_STATUS = 128 + 9;

/** Exit status when --timeout expires (as timeout(1)). */
export const EXIT_TIMEOUT = 124;
/** Lowers V8's inlining budget for the translator's JavaScript (BOOT_INLINING_FLAG). */
function limitJsInlining(): void {
  setV8Flag(BOOT_INLINING_FLAG);
}

/** Exit status when the guest waits for an interrupt that nothing can raise. */
export const EXIT_IDLE = 2;

const stderrLine = (line: string): void => {
  try {
    fs.writeSync(2, line + '\n');
  } catch {
    /* stderr gone */
  }
};

function readInput(file: string, what: string): Uint8Array {
  try {
    return new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${what} ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`);
  }
}

function parseMemory(v: string | undefined): number {
  if (v === undefined) return DEFAULT_RAM_MIB * 0x10_0000;
  const n = /^[0-9]+$/.test(v) ? Number(v) : NaN;
  const max = VIRT_MAX_RAM / 0x10_0000;
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--memory ${v}: expected a whole number of MiB from 1 to ${max}`);
  return n * 0x10_0000;
}

function parseTimeout(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--timeout ${v}: expected a positive number of seconds`);
  return n;
}

const isElf = (b: Uint8Array): boolean => b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;

/** --symbols FILE: a System.map, or an ELF with a symbol table. */
function readSymbols(file: string): Symbols {
  const data = readInput(file, '--symbols');
  const syms = isElf(data) ? elfSymbols(data) : systemMapSymbols(new TextDecoder().decode(data));
  if (!syms.size) throw new UsageError(`--symbols ${file}: no function symbols (expected System.map lines such as 'c0008000 T stext', or an ELF with a symbol table)`);
  return syms;
}

/** Symbols for --profile without --symbols: an ELF kernel's own, else `System.map` in the kernel's directory. */
function defaultSymbols(kernelFile: string, kernel: Uint8Array): { syms: Symbols; from: string } | null {
  if (isElf(kernel)) {
    const syms = elfSymbols(kernel);
    return syms.size ? { syms, from: kernelFile } : null;
  }
  const map = path.join(path.dirname(kernelFile), 'System.map');
  if (!fs.existsSync(map)) return null;
  try {
    const syms = systemMapSymbols(fs.readFileSync(map, 'utf8'));
    return syms.size ? { syms, from: map } : null;
  } catch {
    return null;
  }
}

/** Boots the guest; returns the exit status. Throws UsageError for bad input. */
export async function runBoot(given: BootCliOptions): Promise<number> {
  let opts = given;
  // The default guest's banner is printed once every option and input has been checked.
  let banner: string | undefined;
  if (opts.defaultGuest) {
    const d = withDefaultGuest(opts);
    opts = d.opts;
    banner = d.banner;
  }
  if (opts.kernel === undefined) throw new UsageError('--kernel FILE is required (or --default-guest for the default system guest)');
  const kernelFile = opts.kernel;
  const ramSize = parseMemory(opts.memory);
  const timeoutS = parseTimeout(opts.timeout);
  const clock = (opts.clock ?? 'host') as ClockKind;
  if (clock !== 'host' && clock !== 'icount') throw new UsageError(`--clock ${opts.clock}: expected host or icount`);
  let gdbPort: number | undefined;
  try {
    gdbPort = opts.gdb === undefined ? undefined : parseGdbPort(opts.gdb);
  } catch (e) {
    if (e instanceof GdbPortError) throw new UsageError(e.message);
    throw e;
  }
  const profiling = opts.profile || opts.profileOut !== undefined;
  let symbols = opts.symbols !== undefined ? { syms: readSymbols(opts.symbols), from: opts.symbols } : null;

  const engine = opts.engine ?? 'jit';
  if (engine !== 'jit' && engine !== 'interp') throw new UsageError(`--engine ${opts.engine}: expected jit or interp`);
  const threshold = parseCount('--jit-threshold', opts.jitThreshold, 0);
  if (engine === 'jit') limitJsInlining();

  let console: HostConsole | undefined;
  const machine = new VirtMachine({
    ramSize,
    clock,
    output: (b) => console?.write(b),
    engine,
    // Generated code stays in V8's Liftoff tier, as for `armvisor run` (docs/ARCHITECTURE.md).
    jitOptions: { ...(threshold !== undefined ? { threshold } : {}), beforeFirstCompile: setLiftoffOnly },
  });
  let notes: readonly string[] = [];
  try {
    const kernelBytes = readInput(kernelFile, '--kernel');
    const kernel = identifyKernel(kernelBytes, kernelFile);
    if (profiling && !symbols) symbols = defaultSymbols(kernelFile, kernelBytes);
    const initrd = opts.initrd !== undefined ? readInput(opts.initrd, '--initrd') : undefined;
    const fdt = opts.dtb !== undefined ? parseUserDtb(readInput(opts.dtb, '--dtb'), opts.dtb) : machine.deviceTree();
    const plan = planBoot({
      kernel,
      kernelName: kernelFile,
      initrd,
      initrdName: opts.initrd,
      fdt,
      bootargs: opts.append,
      ram: machine.ramRegion,
      rom: [VIRT_MAP.flash],
    });
    notes = plan.notes;
    machine.load(plan);
  } catch (e) {
    if (e instanceof BootError) throw new UsageError(e.message);
    throw e;
  }

  // Opened now, so a path that cannot be written is reported before the guest runs.
  const profileFd = opts.profileOut !== undefined ? openOutput(opts.profileOut, '--profile-out') : undefined;
  if (banner !== undefined) stderrLine(banner);
  for (const n of notes) stderrLine(`armvisor: ${n}`);
  const loop = new RunLoop(machine, { timeoutMs: timeoutS !== undefined ? timeoutS * 1000 : undefined });
  const profiler = profiling ? new Profiler(symbols?.syms ?? null) : null;
  if (profiler) profiler.groupUnnamedByPage = true;
  if (profiler) loop.sample(PROFILE_SAMPLE_INSNS, (pc, n) => profiler.sample(pc, n));
  let underGdb = false;
  console = new HostConsole({
    onQuit: () => {
      // gdb may hold the machine (not running) indefinitely: Ctrl-A x ends armvisor at once, as QEMU's does.
      if (underGdb) {
        con.close();
        process.exit(0);
      }
      loop.quit();
    },
  });
  const con = console;
  con.attach({
    receive: (bytes) => {
      machine.uart.receive(bytes);
      loop.wake();
    },
    sendBreak: () => {
      machine.uart.sendBreak();
      loop.wake();
    },
  });
  con.input.once('end', () => {
    loop.inputOpen = false;
    loop.wake();
  });
  // A signal ends the run at the next slice: the terminal is restored and the status is 128 + signo.
  let signalled = 0;
  const onSignal = (sig: NodeJS.Signals, no: number) => () => {
    // Under gdb the machine may be held (not running) indefinitely: end at once.
    if (signalled || underGdb) {
      con.close();
      process.exit(128 + no);
    }
    signalled = no;
    loop.quit();
    void sig;
  };
  const handlers: [NodeJS.Signals, () => void][] = [
    ['SIGTERM', onSignal('SIGTERM', 15)],
    ['SIGHUP', onSignal('SIGHUP', 1)],
    ['SIGINT', onSignal('SIGINT', 2)],
  ];
  for (const [s, h] of handlers) process.on(s, h);

  let end: RunEnd | null = null;
  try {
    if (gdbPort === undefined) end = await loop.run();
    else {
      underGdb = true;
      const target = new MachineGdbTarget(machine, loop);
      let session;
      try {
        session = await serveGdb(target, { port: gdbPort, log: stderrLine, trace: process.env.ARMVISOR_GDB_TRACE ? stderrLine : undefined });
      } catch (e) {
        if (e instanceof GdbPortError) throw new UsageError(e.message);
        throw e;
      }
      underGdb = false;
      if (session.kind === 'ended') end = target.end;
      else if (session.kind === 'detached') end = await loop.run();
    }
  } finally {
    con.close();
    for (const [s, h] of handlers) process.off(s, h);
  }
  if (opts.stats && !opts.profile) for (const l of profileReport(machine, loop.stats)) stderrLine(l);
  if (profiler) {
    if (opts.profile) for (const l of profileReport(machine, loop.stats, profiler, symbols?.from ?? null)) stderrLine(l);
    if (profileFd !== undefined) {
      fs.writeSync(profileFd, JSON.stringify(profiler.speedscope(path.basename(opts.kernel))));
      fs.closeSync(profileFd);
    }
  }
  if (signalled) return 128 + signalled;
  if (!end) {
    stderrLine('armvisor: guest killed by gdb');
    return KILLED_STATUS;
  }
  switch (end.kind) {
    case 'timeout':
      stderrLine(`armvisor: guest did not finish within ${timeoutS} s`);
      return EXIT_TIMEOUT;
    case 'idle-forever':
      stderrLine('armvisor: the guest waits for an interrupt (WFI) with no timer armed and no input left: stopped');
      return EXIT_IDLE;
    default:
      return runEndStatus(end);
  }
}
