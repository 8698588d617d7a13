// The run loop of a machine: runs the CPU in slices of guest instructions, brings the timer
// and RTC up to the clock between slices (the timer's next deadline bounds the slice under the
// icount clock, so interrupts arrive at the same instruction every run), yields to Node's event
// loop every few milliseconds so console input and signals are handled, and when the CPU waits
// in WFI: under the host clock sleeps until the next timer deadline or host input (wake()),
// under icount jumps the clock to the deadline. It ends when the guest powers off / resets /
// stops its CPU, on quit() (Ctrl-A x, a signal), or after `timeoutMs` of wall-clock time spent
// running. advance() is one stretch of that (a gdb target resumes through it), and sample()
// makes slices short and reports the PC after each (the profiler's samples).

import type { VirtMachine } from './machine.js';
import { IcountClock } from '../devices/timer/clock.js';
import { W } from '../../translator/state.js';

export interface RunLoopOptions {
  /** Limit in milliseconds of wall-clock time spent running (default: none); time a debugger holds the machine does not count. */
  timeoutMs?: number;
  /**
   * Guest instructions per slice between device updates when a timer deadline is near or
   * unknown (default 20 000): the shortest slice under the host clock.
   */
  sliceInsns?: number;
  /** The longest slice, run when no timer deadline is near (default 1 000 000). */
  maxSliceInsns?: number;
  /** Wall-clock milliseconds of guest execution between yields to the event loop (default 20). */
  yieldMs?: number;
}

/**
 * Guest instructions per nanosecond of host time that generated code can retire at most (the
 * zImage's decompressor runs at ~1.1 per ns): a host-clock slice of (deadline - now) * this
 * ends at or before the deadline.
 */
const HOST_INSNS_PER_NS = 1.5;

export type RunEnd =
  | { kind: 'system-off' | 'system-reset' | 'cpu-off' | 'quit' }
  | { kind: 'timeout'; ms: number }
  /** WFI with interrupts that cannot arrive: no timer armed and no input source left. */
  | { kind: 'idle-forever' };

/** What advance() returns: the end of the run, a debugger breakpoint at the PC, or null (go on). */
export type AdvanceResult = RunEnd | { kind: 'breakpoint' } | null;

/** The profiler's sample: the PC where a slice's budget ran out and the instructions retired since the last sample. */
export type SliceSampler = (pc: number, insns: number) => void;

export interface RunStats {
  /** Wall-clock milliseconds spent running (in advance()). */
  ms: number;
  /** Milliseconds the loop slept waiting for an interrupt (host clock). */
  idleMs: number;
  /** CPU time of this process (user + system) while running, in milliseconds. */
  cpuMs: number;
  slices: number;
  /** The sampler's mean period in guest instructions (0: no sampling). */
  sampleInsns: number;
}

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export class RunLoop {
  readonly stats: RunStats = { ms: 0, idleMs: 0, cpuMs: 0, slices: 0, sampleInsns: 0 };
  private quitRequested = false;
  private waker: (() => void) | null = null;
  private lastYield = nowMs();
  /** False once no host input can arrive any more (stdin closed): a WFI with nothing armed then never ends. */
  inputOpen = true;
  /** Longest sleep in one WFI wait; a debugger lowers it so a Ctrl-C is seen promptly. */
  maxIdleMs = 1000;
  /** The profiler's sampler, or null. */
  private sampler: SliceSampler | null = null;
  private samplePeriod = 0;
  /** Instructions retired since the last sample, and still to run until the next. */
  private unsampled = 0;
  private sampleLeft = 0;
  private sampleSeed = 1;

  constructor(
    readonly machine: VirtMachine,
    readonly opts: RunLoopOptions = {},
  ) {}

  /**
   * Samples the PC every `period` guest instructions or so: slices end at the next sample
   * point (periods varied by ±50% with a fixed pseudo-random sequence, so a loop whose length
   * divides the period is not always caught at the same instruction, and runs stay
   * reproducible). The PC is a block boundary: the next block to run.
   */
  sample(period: number, sampler: SliceSampler): void {
    this.samplePeriod = Math.max(16, Math.floor(period));
    this.stats.sampleInsns = this.samplePeriod;
    this.sampler = sampler;
    this.sampleLeft = this.nextSamplePeriod();
  }

  private nextSamplePeriod(): number {
    // xorshift32
    let x = this.sampleSeed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.sampleSeed = x | 0;
    const p = this.samplePeriod;
    return (p >>> 1) + ((x >>> 0) % p);
  }

  /** Host input arrived (the UART has it): end an idle wait. */
  wake(): void {
    const w = this.waker;
    this.waker = null;
    w?.();
  }

  /** Ends the run at the next slice boundary (Ctrl-A x, a signal). */
  quit(): void {
    this.quitRequested = true;
    this.machine.cpu.stop();
    this.wake();
  }

  /** Sleeps up to `ms` or until wake(). */
  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waker = null;
        resolve();
      }, Math.max(0, ms));
      this.waker = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** Runs the machine to its end. */
  async run(): Promise<RunEnd> {
    for (;;) {
      const r = await this.advance();
      if (r && r.kind !== 'breakpoint') return r;
    }
  }

  /**
   * Runs the machine until `maxInsns` more guest instructions have retired (about: slices end
   * at block boundaries), the CPU reaches a debugger breakpoint, the run ends, or the loop
   * waited once (a yield to the event loop every `yieldMs`, a WFI sleep); null when it may go
   * on. A debugger holds the machine simply by not calling it: devices keep their state, the
   * console keeps buffering input.
   */
  async advance(maxInsns = Infinity): Promise<AdvanceResult> {
    const m = this.machine;
    const cpu = m.cpu;
    const timer = m.timer;
    const icount = m.clock instanceof IcountClock ? m.clock : null;
    const slice = this.opts.sliceInsns ?? 20_000;
    const maxSlice = Math.max(slice, this.opts.maxSliceInsns ?? 1_000_000);
    const yieldMs = this.opts.yieldMs ?? 20;
    const limitMs = this.opts.timeoutMs ?? Infinity;
    const t0 = nowMs();
    const c0 = process.cpuUsage();
    const insns0 = cpu.state.icount;
    const idle = async (ms: number): Promise<void> => {
      const w0 = nowMs();
      await this.idle(Math.min(ms, limitMs - (this.stats.ms + w0 - t0), this.maxIdleMs));
      this.stats.idleMs += nowMs() - w0;
      this.lastYield = nowMs();
    };
    try {
      for (;;) {
        if (this.quitRequested) return { kind: 'quit' };
        if (m.powerEvent) return { kind: m.powerEvent };
        const t = nowMs();
        const ran = this.stats.ms + (t - t0);
        if (ran >= limitMs) return { kind: 'timeout', ms: ran };
        if (t - this.lastYield >= yieldMs) {
          await new Promise<void>((r) => setImmediate(r));
          this.lastYield = nowMs();
          m.rtc.update();
          return null;
        }
        const left = maxInsns - (cpu.state.icount - insns0);
        if (left <= 0) return null;

        // Fire what is due, then run up to the next deadline (icount) or one slice.
        // (nextDeadline() only sees outputs still to rise, so a deadline that passed during
        // the last slice is found by update(), not by comparing with it.)
        timer.update();
        let next = timer.nextDeadline();
        // A slice runs to the next deadline: exactly under icount; under the host clock as far
        // as the fastest generated code could get in the time left (HOST_INSNS_PER_NS), never
        // less than `slice`. Every slice end takes generated code back to JavaScript: 20 000-
        // instruction slices throughout were 170,000 returns in a Debian boot (~4% of it).
        let budget = maxSlice;
        if (next !== undefined) {
          if (icount) budget = Math.max(1, Math.min(maxSlice, Number(icount.insnsUntil(next))));
          else budget = Math.min(maxSlice, Math.max(slice, Math.floor(Number(next - m.clock.nowNs()) * HOST_INSNS_PER_NS)));
        }
        if (this.sampler) budget = Math.min(budget, this.sampleLeft);
        budget = Math.min(budget, left);
        this.stats.slices++;
        const before = cpu.state.icount;
        const r = cpu.run(budget);
        if (this.sampler) {
          // A sample each time the count passes the next sample point, whatever ended the slice:
          // sampling where the guest's code ends a slice itself (a timer register write, WFI)
          // would credit the code just before that point with the whole slice.
          const ran = cpu.state.icount - before;
          this.unsampled += ran;
          this.sampleLeft -= ran;
          if (this.sampleLeft <= 0) {
            this.sampler(cpu.state.i32[W.PC] >>> 0, this.unsampled);
            this.unsampled = 0;
            this.sampleLeft = this.nextSamplePeriod();
          }
        }
        if (r === 'breakpoint') return { kind: 'breakpoint' };
        if (r !== 'wfi') continue;

        // The CPU waits for an interrupt.
        m.updateDevices();
        if (m.interruptPending) continue;
        next = timer.nextDeadline();
        if (icount) {
          if (next !== undefined) {
            m.idleInsns += Number(icount.insnsUntil(next));
            continue;
          }
        } else if (next !== undefined) {
          const waitMs = Number(next - m.clock.nowNs()) / 1e6;
          if (waitMs <= 0) continue;
          await idle(waitMs);
          return null;
        }
        // Nothing armed: only host input (or the RTC alarm) can wake the CPU.
        if (!this.inputOpen && m.uart.pendingInput === 0 && m.rtc.imsc === 0) return { kind: 'idle-forever' };
        await idle(Infinity);
        return null;
      }
    } finally {
      this.stats.ms += nowMs() - t0;
      const c = process.cpuUsage(c0);
      this.stats.cpuMs += (c.user + c.system) / 1000;
    }
  }
}
