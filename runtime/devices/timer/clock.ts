// Where guest time comes from. A Clock counts nanoseconds from the start of the run; the generic
// timer's counter and the RTC derive from it.
//  - HostClock: the host's monotonic clock (process.hrtime), the default: the guest runs in
//    real time.
//  - IcountClock: a fixed number of nanoseconds per guest instruction, from the run loop's
//    instruction counter, so two runs with the same inputs see the same times (QEMU's -icount
//    shift=N with 2^N ns per instruction; here any whole number of ns).

export interface Clock {
  /** Nanoseconds since the clock's origin; never decreases. */
  nowNs(): bigint;
}

export class HostClock implements Clock {
  private readonly origin = process.hrtime.bigint();

  nowNs(): bigint {
    return process.hrtime.bigint() - this.origin;
  }
}

export class IcountClock implements Clock {
  /**
   * @param icount the guest instructions executed so far (the run loop's counter)
   * @param nsPerInsn nanoseconds each instruction takes (default 1: a 1 GHz guest)
   */
  constructor(
    readonly icount: () => bigint,
    readonly nsPerInsn = 1n,
  ) {
    if (nsPerInsn <= 0n) throw new RangeError('icount clock: nanoseconds per instruction must be positive');
  }

  nowNs(): bigint {
    return this.icount() * this.nsPerInsn;
  }

  /** Instructions to run from now until the clock reaches `ns` (0 when already there): the
   *  run loop's budget before the next timer deadline. */
  insnsUntil(ns: bigint): bigint {
    const d = ns - this.nowNs();
    return d <= 0n ? 0n : (d + this.nsPerInsn - 1n) / this.nsPerInsn;
  }
}
