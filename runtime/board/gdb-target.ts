// The virt machine as a gdb target (`armvisor boot --gdb PORT`): the registers of its vCPU (the
// core registers of the current mode, CPSR with its mode bits, D0-D31, FPSCR and FPEXC), memory
// at virtual addresses through the vCPU's current translation (runtime/cpu/debug-access.ts),
// breakpoints as the vCPU's stop addresses (ArmCpu.setBreakpoints: nothing is written into
// guest memory), a single step as one interpreted instruction, and a run as the run loop's
// advance(), so timers, interrupts and the console work as without gdb. Between two resumes the
// machine is simply not run: gdb holds it.

import { ARM_SYSTEM_REGISTERS, readArmRegister, writeArmRegister, type CpsrAccess } from '../gdb/arm-regs.js';
import { GdbSignal, type GdbTarget, type StopEvent } from '../gdb/target.js';
import { DebugAccess } from '../cpu/debug-access.js';
import { Mode, PSR_M } from '../../translator/modes.js';
import { W } from '../../translator/state.js';
import type { VirtMachine } from './machine.js';
import type { RunEnd, RunLoop } from './runloop.js';

/** The exit status `armvisor boot` gives each end of a run (also gdb's W status). */
export function runEndStatus(end: RunEnd): number {
  switch (end.kind) {
    case 'timeout':
      return 124;
    case 'idle-forever':
      return 2;
    default:
      return 0;
  }
}

/** The modes of a Cortex-A15 without the Security and Virtualization Extensions' Monitor and Hyp modes. */
const VALID_MODES = new Set<number>([Mode.USR, Mode.FIQ, Mode.IRQ, Mode.SVC, Mode.ABT, Mode.UND, Mode.SYS]);

export class MachineGdbTarget implements GdbTarget {
  readonly registers = ARM_SYSTEM_REGISTERS;
  private readonly mem: DebugAccess;
  private readonly cpsr: CpsrAccess;
  private wanted: ReadonlySet<number> = new Set();
  private applied = true;
  /** Stopped since the last resume: the next resume executes the instruction at PC first. */
  private stopped = true;
  /** How the run ended while gdb watched, once it has. */
  end: RunEnd | null = null;
  killed = false;

  constructor(
    readonly machine: VirtMachine,
    readonly loop: RunLoop,
  ) {
    const cpu = machine.cpu;
    this.mem = new DebugAccess(cpu, (pa) => machine.quietRead(pa));
    this.cpsr = {
      get: () => cpu.cpsr,
      // A value with no valid mode keeps the current one (the mode selects the register banks).
      set: (v) => {
        cpu.cpsr = VALID_MODES.has(v & PSR_M) ? v : ((v & ~PSR_M) | cpu.mode) >>> 0;
      },
      system: true,
    };
    // Sleep in WFI no longer than one of the stub's slices, so a Ctrl-C is seen promptly.
    loop.maxIdleMs = 20;
  }

  readRegister(n: number): Uint8Array {
    return readArmRegister(this.machine.cpu.state, n, this.cpsr);
  }

  writeRegister(n: number, value: Uint8Array): void {
    writeArmRegister(this.machine.cpu.state, n, value, this.cpsr);
  }

  readMemory(addr: number, len: number): Uint8Array {
    return this.mem.read(addr, len);
  }

  writeMemory(addr: number, data: Uint8Array): boolean {
    return this.mem.write(addr, data);
  }

  setBreakpoints(addrs: ReadonlySet<number>): void {
    // Applied when the machine next runs: gdb removes and re-inserts its breakpoints around
    // each stop, which then costs no retranslation.
    this.wanted = new Set(addrs);
    this.applied = false;
  }

  private apply(): void {
    if (this.applied) return;
    this.machine.cpu.setBreakpoints(this.wanted);
    this.applied = true;
  }

  step(): StopEvent {
    this.stopped = true;
    this.machine.cpu.step();
    const m = this.machine;
    if (m.powerEvent) return this.ended({ kind: m.powerEvent });
    return { kind: 'stopped', signal: GdbSignal.SIGTRAP };
  }

  async resume(budget: number): Promise<StopEvent | null> {
    this.apply();
    const cpu = this.machine.cpu;
    if (this.stopped) {
      this.stopped = false;
      // Execute the instruction under the breakpoint we are stopped at, then run on.
      if (this.wanted.has(cpu.state.i32[W.PC] >>> 0)) {
        cpu.step();
        budget--;
      }
    }
    const r = await this.loop.advance(Math.max(1, budget));
    if (r === null) return null;
    this.stopped = true;
    if (r.kind === 'breakpoint') return { kind: 'stopped', signal: GdbSignal.SIGTRAP, breakpoint: cpu.state.i32[W.PC] >>> 0 };
    return this.ended(r);
  }

  private ended(end: RunEnd): StopEvent {
    this.end = end;
    return end.kind === 'quit' ? { kind: 'signalled', signal: GdbSignal.SIGKILL } : { kind: 'exited', status: runEndStatus(end) };
  }

  interrupt(): StopEvent {
    this.stopped = true;
    return { kind: 'stopped', signal: GdbSignal.SIGINT };
  }

  detach(): void {
    this.wanted = new Set();
    this.machine.cpu.setBreakpoints([]);
    this.applied = true;
    this.loop.maxIdleMs = 1000;
  }

  kill(): void {
    this.killed = true;
  }
}
