// A Linux user-mode process as a gdb target (`armvisor run --gdb PORT`, like `qemu-arm -g`).
// Breakpoints become the engine's stop addresses (blocks end before them and the JIT never
// compiles a block that starts at one), a single step is one interpreted instruction, and
// memory is the process's mappings as ptrace would see them (permissions ignored).

import { ARM_REGISTERS, readArmRegister, writeArmRegister } from '../gdb/arm-regs.js';
import { GdbSignal, type GdbTarget, type StopEvent } from '../gdb/target.js';
import { PAGE_SHIFT, PAGE_SIZE } from '../memory/flat.js';
import type { LinuxProcess, RunEnd } from './process.js';
import { SIG } from './signals.js';

/** Linux ARM signal numbers to GDB's where they differ (gdb/signals.def). */
const LINUX_TO_GDB: Record<number, number> = {
  [SIG.SIGBUS]: GdbSignal.SIGBUS,
  [SIG.SIGUSR1]: 30,
  [SIG.SIGUSR2]: 31,
  [SIG.SIGSTKFLT]: 143, // GDB_SIGNAL_UNKNOWN
  [SIG.SIGCHLD]: 20,
  [SIG.SIGCONT]: 19,
  [SIG.SIGSTOP]: 17,
  [SIG.SIGTSTP]: 18,
  [SIG.SIGURG]: 16,
  [SIG.SIGIO]: 23,
  [SIG.SIGPWR]: 32,
  [SIG.SIGSYS]: GdbSignal.SIGSYS,
};

/** A Linux signal number in GDB's numbering. */
export function gdbSignal(linux: number): number {
  return LINUX_TO_GDB[linux] ?? (linux > 0 && linux < 32 ? linux : 143);
}

export class LinuxGdbTarget implements GdbTarget {
  readonly registers = ARM_REGISTERS;
  private wanted: ReadonlySet<number> = new Set();
  private applied = true;
  /** Stopped since the last resume: the next resume executes the instruction at PC first. */
  private stopped = true;
  /** The program's end, once it has ended. */
  end: RunEnd & { kind: 'exit' } | null = null;
  killed = false;

  constructor(readonly proc: LinuxProcess) {}

  readRegister(n: number): Uint8Array {
    return readArmRegister(this.proc.cpu, n);
  }

  writeRegister(n: number, value: Uint8Array): void {
    writeArmRegister(this.proc.cpu, n, value);
  }

  readMemory(addr: number, len: number): Uint8Array {
    let n = 0;
    while (n < len && addr + n <= 0xffffffff && this.proc.as.isMapped(addr + n)) n += PAGE_SIZE - ((addr + n) % PAGE_SIZE);
    return this.proc.mem.read(addr, Math.min(n, len));
  }

  writeMemory(addr: number, data: Uint8Array): boolean {
    if (addr + data.length > 0x100000000) return false;
    const mem = this.proc.mem;
    const first = addr >>> PAGE_SHIFT;
    const last = data.length ? (addr + data.length - 1) >>> PAGE_SHIFT : first - 1;
    for (let p = first; p <= last; p++) if (!this.proc.as.isMapped(p << PAGE_SHIFT >>> 0)) return false;
    mem.write(addr, data);
    // Code on these pages was translated from the old bytes.
    for (let p = first; p <= last; p++) if (mem.clearCode(p)) this.proc.engine.invalidatePage(p);
    return true;
  }

  setBreakpoints(addrs: ReadonlySet<number>): void {
    // Applied when the program next runs: gdb removes and re-inserts a breakpoint around
    // each step over it, which then costs no retranslation.
    this.wanted = new Set(addrs);
    this.applied = false;
  }

  step(): StopEvent {
    this.stopped = true;
    return this.event(this.proc.stepOne(), GdbSignal.SIGTRAP);
  }

  resume(budget: number): StopEvent | null {
    if (!this.applied) {
      this.proc.engine.setBreakpoints(this.wanted);
      this.applied = true;
    }
    if (this.stopped) {
      this.stopped = false;
      if (this.wanted.has(this.proc.cpu.pc)) {
        // Execute the instruction under the breakpoint we are stopped at, then run on.
        const r = this.proc.stepOne();
        if (r.kind === 'exit') return this.event(r, GdbSignal.SIGTRAP);
      }
    }
    const r = this.proc.runSlice(budget);
    return r.kind === 'paused' ? null : this.event(r, GdbSignal.SIGTRAP);
  }

  interrupt(): StopEvent {
    this.stopped = true;
    return { kind: 'stopped', signal: GdbSignal.SIGINT };
  }

  detach(): void {
    this.wanted = new Set();
    this.proc.engine.setBreakpoints([]);
    this.applied = true;
  }

  kill(): void {
    this.killed = true;
  }

  offsets(): { text: number; data: number } | null {
    const b = this.proc.loadBias;
    return b ? { text: b, data: b } : null;
  }

  private event(r: RunEnd, signal: number): StopEvent {
    this.stopped = true;
    switch (r.kind) {
      case 'exit':
        this.end = r;
        return r.signal !== undefined ? { kind: 'signalled', signal: gdbSignal(r.signal) } : { kind: 'exited', status: r.status };
      case 'breakpoint':
        return { kind: 'stopped', signal, breakpoint: this.proc.cpu.pc };
      case 'paused':
        return { kind: 'stopped', signal };
    }
  }
}
