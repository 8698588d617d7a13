// The run loop of a machine: runs the CPU in slices of guest instructions, brings the timer
// and RTC up to the clock between slices (the timer's next deadline bounds the slice under the
// icount clock, so interrupts arrive at the same instruction every run), yields to Node's event
// loop every few milliseconds so console input and signals are handled, and when the CPU waits
// in WFI: under the host clock sleeps until the next timer deadline or host input (wake()),
// under icount jumps the clock to the deadline. It ends when the guest powers off / resets /
// stops its CPU, on quit() (Ctrl-A x, a signal), or after `timeoutMs` of wall-clock time.

import type { VirtMachine } from './machine.js';
import { IcountClock } from '../devices/timer/clock.js';

export interface RunLoopOptions {
  /** Wall-clock limit in milliseconds (default: none). */
  timeoutMs?: number;
  /** Guest instructions per slice between device updates (default 20 000). */
  sliceInsns?: number;
  /** Wall-clock milliseconds of guest execution between yields to the event loop (default 20). */
  yieldMs?: number;
}

export type RunEnd =
  | { kind: 'system-off' | 'system-reset' | 'cpu-off' | 'quit' }
  | { kind: 'timeout'; ms: number }
  /** WFI with interrupts that cannot arrive: no timer armed and no input source left. */
  | { kind: 'idle-forever' };

export interface RunStats {
  /** Wall-clock milliseconds spent in run(). */
  ms: number;
  /** Milliseconds the loop slept waiting for an interrupt (host clock). */
  idleMs: number;
  /** CPU time of this process (user + system) during run(), in milliseconds. */
  cpuMs: number;
  slices: number;
}

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export class RunLoop {
  readonly stats: RunStats = { ms: 0, idleMs: 0, cpuMs: 0, slices: 0 };
  private quitRequested = false;
  private waker: (() => void) | null = null;
  /** False once no host input can arrive any more (stdin closed): a WFI with nothing armed then never ends. */
  inputOpen = true;

  constructor(
    readonly machine: VirtMachine,
    readonly opts: RunLoopOptions = {},
  ) {}

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

  async run(): Promise<RunEnd> {
    const m = this.machine;
    const cpu = m.cpu;
    const timer = m.timer;
    const icount = m.clock instanceof IcountClock ? m.clock : null;
    const slice = this.opts.sliceInsns ?? 20_000;
    const yieldMs = this.opts.yieldMs ?? 20;
    const start = nowMs();
    const cpu0 = process.cpuUsage();
    const deadlineMs = this.opts.timeoutMs !== undefined ? start + this.opts.timeoutMs : Infinity;
    let lastYield = start;
    try {
      for (;;) {
        if (this.quitRequested) return { kind: 'quit' };
        if (m.powerEvent) return { kind: m.powerEvent };
        const t = nowMs();
        if (t >= deadlineMs) return { kind: 'timeout', ms: t - start };
        if (t - lastYield >= yieldMs) {
          await new Promise<void>((r) => setImmediate(r));
          lastYield = nowMs();
          m.rtc.update();
          continue;
        }

        // Fire what is due, then run up to the next deadline (icount) or one slice.
        // (nextDeadline() only sees outputs still to rise, so a deadline that passed during
        // the last slice is found by update(), not by comparing with it.)
        timer.update();
        let next = timer.nextDeadline();
        let budget = slice;
        if (icount && next !== undefined) budget = Math.max(1, Math.min(slice, Number(icount.insnsUntil(next))));
        this.stats.slices++;
        const r = cpu.run(budget);
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
          const w0 = nowMs();
          await this.idle(Math.min(waitMs, deadlineMs - w0, 1000));
          this.stats.idleMs += nowMs() - w0;
          lastYield = nowMs();
          continue;
        }
        // Nothing armed: only host input (or the RTC alarm) can wake the CPU.
        if (!this.inputOpen && m.uart.pendingInput === 0 && m.rtc.imsc === 0) return { kind: 'idle-forever' };
        const w0 = nowMs();
        await this.idle(Math.min(deadlineMs - w0, 1000));
        this.stats.idleMs += nowMs() - w0;
        lastYield = nowMs();
      }
    } finally {
      this.stats.ms = nowMs() - start;
      const c = process.cpuUsage(cpu0);
      this.stats.cpuMs = (c.user + c.system) / 1000;
    }
  }
}
