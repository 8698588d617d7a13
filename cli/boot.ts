// `armvisor boot --kernel FILE [...]`: system emulation of the `virt` board (what
// `qemu-system-arm -M virt -cpu cortex-a15 -nographic -kernel FILE` does). The console is the
// PL011 on stdin/stdout (raw terminal with Ctrl-A x, or plain pipes). Bad input is one line and
// exit 1; the guest powering off or resetting ends the run with 0; --timeout with 124.

import * as fs from 'node:fs';
import { planBoot, parseUserDtb } from '../runtime/board/bootplan.js';
import { BootError, identifyKernel } from '../runtime/board/kernel.js';
import { DEFAULT_RAM_MIB, VirtMachine, type ClockKind } from '../runtime/board/machine.js';
import { profileReport } from '../runtime/board/report.js';
import { RunLoop } from '../runtime/board/runloop.js';
import { VIRT_MAP, VIRT_MAX_RAM } from '../runtime/board/virt.js';
import { HostConsole } from '../runtime/devices/console.js';
import { setLiftoffOnly, UsageError } from './run.js';

export interface BootCliOptions {
  kernel: string;
  initrd?: string;
  dtb?: string;
  append?: string;
  memory?: string;
  clock?: string;
  timeout?: string;
  profile?: boolean;
  engine?: string;
  jitThreshold?: string;
}

/** Exit status when --timeout expires (as timeout(1)). */
export const EXIT_TIMEOUT = 124;
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
  const n = Number(v);
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

function parseThreshold(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--jit-threshold ${v}: expected a whole number`);
  return n;
}

/** Boots the guest; returns the exit status. Throws UsageError for bad input. */
export async function runBoot(opts: BootCliOptions): Promise<number> {
  const ramSize = parseMemory(opts.memory);
  const timeoutS = parseTimeout(opts.timeout);
  const clock = (opts.clock ?? 'host') as ClockKind;
  if (clock !== 'host' && clock !== 'icount') throw new UsageError(`--clock ${opts.clock}: expected host or icount`);

  const engine = opts.engine ?? 'jit';
  if (engine !== 'jit' && engine !== 'interp') throw new UsageError(`--engine ${opts.engine}: expected jit or interp`);
  const threshold = parseThreshold(opts.jitThreshold);

  let console: HostConsole | undefined;
  const machine = new VirtMachine({
    ramSize,
    clock,
    output: (b) => console?.write(b),
    engine,
    // Generated code stays in V8's Liftoff tier, as for `armvisor run` (docs/ARCHITECTURE.md).
    jitOptions: { ...(threshold !== undefined ? { threshold } : {}), beforeFirstCompile: setLiftoffOnly },
  });
  try {
    const kernel = identifyKernel(readInput(opts.kernel, '--kernel'), opts.kernel);
    const initrd = opts.initrd !== undefined ? readInput(opts.initrd, '--initrd') : undefined;
    const fdt = opts.dtb !== undefined ? parseUserDtb(readInput(opts.dtb, '--dtb'), opts.dtb) : machine.deviceTree();
    const plan = planBoot({
      kernel,
      kernelName: opts.kernel,
      initrd,
      initrdName: opts.initrd,
      fdt,
      bootargs: opts.append,
      ram: machine.ramRegion,
      rom: [VIRT_MAP.flash],
    });
    for (const n of plan.notes) stderrLine(`armvisor: ${n}`);
    machine.load(plan);
  } catch (e) {
    if (e instanceof BootError) throw new UsageError(e.message);
    throw e;
  }

  const loop = new RunLoop(machine, { timeoutMs: timeoutS !== undefined ? timeoutS * 1000 : undefined });
  console = new HostConsole({ onQuit: () => loop.quit() });
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
    if (signalled) {
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

  let end;
  try {
    end = await loop.run();
  } finally {
    con.close();
    for (const [s, h] of handlers) process.off(s, h);
  }
  if (opts.profile) for (const l of profileReport(machine, loop.stats)) stderrLine(l);
  if (signalled) return 128 + signalled;
  switch (end.kind) {
    case 'timeout':
      stderrLine(`armvisor: guest did not finish within ${timeoutS} s`);
      return EXIT_TIMEOUT;
    case 'idle-forever':
      stderrLine('armvisor: the guest waits for an interrupt (WFI) with no timer armed and no input left: stopped');
      return EXIT_IDLE;
    default:
      return 0;
  }
}
