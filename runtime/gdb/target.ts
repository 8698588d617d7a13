// What the gdb stub needs from whatever it debugs: a Linux user-mode process
// (runtime/linux/gdb-target.ts) or the virt machine's vCPU (runtime/board/gdb-target.ts). The
// stub owns the protocol, the socket, the breakpoint list and the pacing of a run; a target only
// executes, reads and writes. One thread (gdb thread id 1), all-stop.

/** GDB's own signal numbers (gdb/signals.def), which stop replies carry. */
export const GdbSignal = {
  NONE: 0,
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGEMT: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGBUS: 10,
  SIGSEGV: 11,
  SIGSYS: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
} as const;

/** Why the target is not running. */
export type StopEvent =
  /** Stopped and can go on: after a step (SIGTRAP), before a breakpoint (SIGTRAP, `breakpoint` = its address), interrupted (SIGINT). */
  | { kind: 'stopped'; signal: number; breakpoint?: number }
  /** The program exited with this status (0-255). */
  | { kind: 'exited'; status: number }
  /** The program was terminated by a signal (GDB numbering). */
  | { kind: 'signalled'; signal: number };

/** The registers gdb sees: a target description and each register's size, by gdb number. */
export interface RegisterLayout {
  /** `target.xml` (GDB manual, "Target Descriptions"); register numbers follow its order. */
  readonly targetXml: string;
  /** Byte size of register n; the g packet is every register in order. */
  readonly sizes: readonly number[];
  /** gdb's number of the program counter (sent with each stop; set by `c ADDR`/`s ADDR`). */
  readonly pc: number;
}

export interface GdbTarget {
  readonly registers: RegisterLayout;

  /** Register n's value, little-endian, `registers.sizes[n]` bytes. */
  readRegister(n: number): Uint8Array;
  /** Sets register n from little-endian bytes of its size. */
  writeRegister(n: number, value: Uint8Array): void;

  /**
   * Up to `len` bytes from `addr` as a debugger sees them (no side effects, permissions of a
   * mapping ignored); shorter when the range runs into something unreadable, empty when
   * nothing at `addr` is.
   */
  readMemory(addr: number, len: number): Uint8Array;
  /** Writes `data` at `addr` (drops translated code there); false when any of it is unwritable. */
  writeMemory(addr: number, data: Uint8Array): boolean;

  /**
   * The addresses where a run must stop before executing the instruction there. The stub
   * calls this whenever its breakpoint list changes; a target compares and updates lazily.
   */
  setBreakpoints(addrs: ReadonlySet<number>): void;

  /** Executes one instruction (taking any system call or exception it causes with it). */
  step(): StopEvent;

  /**
   * Runs about `budget` instructions, or until a breakpoint or the end of the program.
   * Returns null when the budget ran out (the stub yields to the event loop, to read a
   * Ctrl-C, and calls again). The first call after a stop must not report the breakpoint at
   * the current PC again: the instruction there executes first.
   */
  resume(budget: number): StopEvent | null | Promise<StopEvent | null>;

  /** Ctrl-C arrived while running (between two resume calls): the stop gdb is told of. */
  interrupt(): StopEvent;

  /** gdb went away (D, or the connection closed): clear breakpoints; the owner runs on. */
  detach(): void;

  /** gdb killed the program (k, vKill). The owner ends the run. */
  kill(): void;

  /** Section offsets for qOffsets (a relocated program), or null when not relocated. */
  offsets?(): { text: number; data: number } | null;
}
