// The ARM generic timer of one CPU (ARM ARM DDI 0406C chapter B8): the system counter
// (CNTPCT, CNTVCT = CNTPCT - CNTVOFF), CNTFRQ, CNTKCTL, and three timers, each a 64-bit
// compare value with a 32-bit signed down-counter view (TVAL) and a control register:
//   physical (Non-secure PL1) timer CNTP_*   -> PPI 30
//   virtual timer CNTV_*                     -> PPI 27
//   Hyp timer CNTHP_*                        -> PPI 26
// The CPU has no TrustZone, so there is no Secure physical timer and PPI 29 is never driven.
//
// The counter runs at `frequency` (default 62.5 MHz, as QEMU: one tick every 16 ns), derived
// from a Clock. A timer's output is level-sensitive: high while ENABLE && ISTATUS && !IMASK,
// where ISTATUS (the timer condition, B8.1.4) is CompareValue <= Counter, unsigned; a disabled
// timer reports ISTATUS 0 (as QEMU). Register writes re-evaluate the outputs at once; as time
// passes the run loop calls update() at (or after) nextDeadline().
import type { Clock } from './clock.js';
import type { SysReg } from './sysreg.js';

export const PPI_HYP_TIMER = 26;
export const PPI_VIRT_TIMER = 27;
export const PPI_SEC_PHYS_TIMER = 29;
export const PPI_PHYS_TIMER = 30;
export const DEFAULT_COUNTER_HZ = 62_500_000n;

// CNTx_CTL (B4.1.26)
export const CNT_CTL_ENABLE = 1 << 0;
export const CNT_CTL_IMASK = 1 << 1;
export const CNT_CTL_ISTATUS = 1 << 2;
// CNTKCTL (B4.1.25)
export const CNTKCTL_PL0PCTEN = 1 << 0;
export const CNTKCTL_PL0VCTEN = 1 << 1;
export const CNTKCTL_PL0VTEN = 1 << 8;
export const CNTKCTL_PL0PTEN = 1 << 9;
const CNTKCTL_MASK = 0x3ff;
// CNTHCTL (B4.1.27): PL1PCTEN, PL1PCEN, EVNTEN, EVNTDIR, EVNTI
const CNTHCTL_MASK = 0xff;

const U64 = (1n << 64n) - 1n;
const NS_PER_S = 1_000_000_000n;

/** One timer: compare value, control, and the counter it compares against. */
export class TimerChannel {
  /** ENABLE and IMASK (ISTATUS is computed). */
  ctl = 0;
  cval = 0n;
  /** The output level last given to the interrupt controller. */
  output = false;

  constructor(
    readonly name: string,
    readonly ppi: number,
    /** The counter this timer compares with (CNTPCT or CNTVCT). */
    readonly count: () => bigint,
    /** CNTPCT - count(): what to add to a compare value to get the physical counter value. */
    readonly offset: () => bigint,
  ) {}

  /** The timer condition with ENABLE folded in (ISTATUS). */
  istatus(): boolean {
    return (this.ctl & CNT_CTL_ENABLE) !== 0 && this.count() >= this.cval;
  }

  readCtl(): number {
    return this.ctl | (this.istatus() ? CNT_CTL_ISTATUS : 0);
  }

  /** TVAL: CVAL - counter as a signed 32-bit value (returned as its unsigned bits). */
  readTval(): number {
    return Number(BigInt.asUintN(32, this.cval - this.count()));
  }

  /** Writing TVAL sets CVAL to counter + the sign-extended value. */
  writeTval(v: number): void {
    this.cval = BigInt.asUintN(64, this.count() + BigInt(v | 0));
  }

  /** The interrupt level. */
  level(): boolean {
    return (this.ctl & CNT_CTL_IMASK) === 0 && this.istatus();
  }

  /**
   * The physical counter value at which the output rises, if it is low and will rise. "Low" is
   * the level last given (output), not the condition now: under the host clock the compare
   * value may pass between update() and this call, and the deadline (then in the past) must
   * still be reported, or the run loop would think nothing is armed.
   */
  risesAt(): bigint | undefined {
    // Keyed on the output given to the GIC, not on ISTATUS now: on the host clock the
    // condition can become true between the run loop's update() and this call, and the
    // deadline must still be reported (it is in the past, so the loop updates at once).
    if ((this.ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) !== CNT_CTL_ENABLE || this.output) return undefined;
    const at = this.cval + this.offset();
    return at > U64 ? undefined : at;
  }
}

export interface GenericTimerOptions {
  /** Counter frequency in Hz (CNTFRQ's reset value too); default 62.5 MHz. */
  frequency?: bigint;
}

export class GenericTimer {
  readonly frequency: bigint;
  cntfrq: number;
  cntkctl = 0;
  /** CNTHCTL: PL1 access to the physical counter and timer, reset 0b11 (allowed). */
  cnthctl = 3;
  cntvoff = 0n;
  readonly phys: TimerChannel;
  readonly virt: TimerChannel;
  readonly hyp: TimerChannel;
  private readonly channels: TimerChannel[];

  /**
   * @param clock where time comes from
   * @param setPpi drives one of this CPU's PPIs at the GIC (e.g. (irq, l) => gic.setPpi(cpu, irq, l))
   */
  constructor(
    readonly clock: Clock,
    readonly setPpi: (irq: number, level: boolean) => void,
    opts: GenericTimerOptions = {},
  ) {
    this.frequency = opts.frequency ?? DEFAULT_COUNTER_HZ;
    if (this.frequency <= 0n || this.frequency >= 1n << 32n) throw new RangeError('generic timer: frequency must be in 1..2^32-1 Hz');
    this.cntfrq = Number(this.frequency);
    const zero = () => 0n;
    this.phys = new TimerChannel('CNTP', PPI_PHYS_TIMER, () => this.counter(), zero);
    this.virt = new TimerChannel('CNTV', PPI_VIRT_TIMER, () => this.virtualCounter(), () => this.cntvoff);
    this.hyp = new TimerChannel('CNTHP', PPI_HYP_TIMER, () => this.counter(), zero);
    this.channels = [this.phys, this.virt, this.hyp];
  }

  /** CNTPCT: the system counter. */
  counter(): bigint {
    return BigInt.asUintN(64, (this.clock.nowNs() * this.frequency) / NS_PER_S);
  }

  /** CNTVCT = CNTPCT - CNTVOFF. */
  virtualCounter(): bigint {
    return BigInt.asUintN(64, this.counter() - this.cntvoff);
  }

  /** Clock time (ns) at which the counter reaches `ticks`. */
  ticksToNs(ticks: bigint): bigint {
    return (ticks * NS_PER_S + this.frequency - 1n) / this.frequency;
  }

  /** Re-evaluates the three timers' outputs and drives the PPIs that changed. */
  update(): void {
    for (const ch of this.channels) {
      const l = ch.level();
      if (l !== ch.output) {
        ch.output = l;
        this.setPpi(ch.ppi, l);
      }
    }
  }

  /** The clock time (ns, on the Clock's time line) at which some timer output will rise, or
   *  undefined if none will without a register write. The run loop calls update() then. */
  nextDeadline(): bigint | undefined {
    let best: bigint | undefined;
    for (const ch of this.channels) {
      const at = ch.risesAt();
      if (at !== undefined && (best === undefined || at < best)) best = at;
    }
    return best === undefined ? undefined : this.ticksToNs(best);
  }

  /** The registers PL1 and PL0 reach (B8.2, Table B8-3), for the CP15 table. PL0 access
   *  follows CNTKCTL; CNTFRQ, CNTPCT and CNTVCT are read-only (write() ignores the value: the
   *  CP15 table makes those writes UNDEFINED, and CNTFRQ writable only at PL1). */
  sysregs(): SysReg[] {
    const k = (bits: number) => () => (this.cntkctl & bits) !== 0;
    const ctlWrite = (ch: TimerChannel) => (v: bigint) => {
      ch.ctl = Number(v & 3n);
      this.update();
    };
    const tvalWrite = (ch: TimerChannel) => (v: bigint) => {
      ch.writeTval(Number(BigInt.asUintN(32, v)));
      this.update();
    };
    const cvalWrite = (ch: TimerChannel) => (v: bigint) => {
      ch.cval = BigInt.asUintN(64, v);
      this.update();
    };
    const ignore = () => {};
    const r32 = (name: string, opc1: number, crm: number, opc2: number, read: () => number, write: (v: bigint) => void, pl0?: () => boolean): SysReg => ({
      name, coproc: 15, opc1, crn: 14, crm, opc2, wide: false, ...(pl0 ? { pl0 } : {}), read: () => BigInt(read() >>> 0), write,
    });
    const r64 = (name: string, opc1: number, read: () => bigint, write: (v: bigint) => void, pl0?: () => boolean): SysReg => ({
      name, coproc: 15, opc1, crn: 0, crm: 14, opc2: 0, wide: true, ...(pl0 ? { pl0 } : {}), read, write,
    });
    return [
      r32('CNTFRQ', 0, 0, 0, () => this.cntfrq, (v) => (this.cntfrq = Number(BigInt.asUintN(32, v))), k(CNTKCTL_PL0PCTEN | CNTKCTL_PL0VCTEN)),
      r32('CNTKCTL', 0, 1, 0, () => this.cntkctl, (v) => (this.cntkctl = Number(v & BigInt(CNTKCTL_MASK)))),
      r32('CNTP_TVAL', 0, 2, 0, () => this.phys.readTval(), tvalWrite(this.phys), k(CNTKCTL_PL0PTEN)),
      r32('CNTP_CTL', 0, 2, 1, () => this.phys.readCtl(), ctlWrite(this.phys), k(CNTKCTL_PL0PTEN)),
      r32('CNTV_TVAL', 0, 3, 0, () => this.virt.readTval(), tvalWrite(this.virt), k(CNTKCTL_PL0VTEN)),
      r32('CNTV_CTL', 0, 3, 1, () => this.virt.readCtl(), ctlWrite(this.virt), k(CNTKCTL_PL0VTEN)),
      r64('CNTPCT', 0, () => this.counter(), ignore, k(CNTKCTL_PL0PCTEN)),
      r64('CNTVCT', 1, () => this.virtualCounter(), ignore, k(CNTKCTL_PL0VCTEN)),
      r64('CNTP_CVAL', 2, () => this.phys.cval, cvalWrite(this.phys), k(CNTKCTL_PL0PTEN)),
      r64('CNTV_CVAL', 3, () => this.virt.cval, cvalWrite(this.virt), k(CNTKCTL_PL0VTEN)),
    ];
  }

  /** The registers only Hyp mode reaches (B8.2, Table B8-4): CNTVOFF, CNTHCTL and the Hyp
   *  timer. The CP15 table must make them UNDEFINED outside Hyp mode (and Monitor mode). */
  hypSysregs(): SysReg[] {
    const hp = this.hyp;
    const r32 = (name: string, crm: number, opc2: number, read: () => number, write: (v: bigint) => void): SysReg => ({
      name, coproc: 15, opc1: 4, crn: 14, crm, opc2, wide: false, read: () => BigInt(read() >>> 0), write,
    });
    return [
      {
        name: 'CNTVOFF', coproc: 15, opc1: 4, crn: 0, crm: 14, opc2: 0, wide: true,
        read: () => this.cntvoff,
        write: (v) => {
          this.cntvoff = BigInt.asUintN(64, v);
          this.update();
        },
      },
      r32('CNTHCTL', 1, 0, () => this.cnthctl, (v) => (this.cnthctl = Number(v & BigInt(CNTHCTL_MASK)))),
      r32('CNTHP_TVAL', 2, 0, () => hp.readTval(), (v) => {
        hp.writeTval(Number(BigInt.asUintN(32, v)));
        this.update();
      }),
      r32('CNTHP_CTL', 2, 1, () => hp.readCtl(), (v) => {
        hp.ctl = Number(v & 3n);
        this.update();
      }),
      {
        name: 'CNTHP_CVAL', coproc: 15, opc1: 6, crn: 0, crm: 14, opc2: 0, wide: true,
        read: () => hp.cval,
        write: (v) => {
          hp.cval = BigInt.asUintN(64, v);
          this.update();
        },
      },
    ];
  }
}
