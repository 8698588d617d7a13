// ARM PrimeCell Real Time Clock PL031 (ARM DDI 0224): a 32-bit seconds counter (RTCDR) that
// the guest can load (RTCLR), and a match register (RTCMR) raising RTCINTR when the counter
// reaches it. The counter comes from a seconds source: the host's wall clock by default, or a
// fixed epoch plus the emulation clock's time (clockSeconds) for reproducible runs. The clock
// always runs (RTCCR reads 1, as QEMU). The match is checked when the guest reads RTCDR, at
// update(), which the run loop calls from time to time (e.g. with the timer's updates), and
// when a write to RTCMR or RTCLR makes the counter equal the match value (as QEMU).
import type { MmioDevice } from './bus.js';
import type { IrqLine } from './irq.js';
import type { Clock } from './timer/clock.js';

export const RTCDR = 0x000;
export const RTCMR = 0x004;
export const RTCLR = 0x008;
export const RTCCR = 0x00c;
export const RTCIMSC = 0x010;
export const RTCRIS = 0x014;
export const RTCMIS = 0x018;
export const RTCICR = 0x01c;
export const RTCPERIPHID0 = 0xfe0;
/** RTCPeriphID0-3, RTCPCellID0-3: part 0x031, designer ARM, revision 1 (as QEMU). */
const ID_REGS = [0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

/** The host's wall clock, in seconds since the Unix epoch. */
export const hostSeconds = (): number => Date.now() / 1000;

/** `epoch` (seconds since the Unix epoch) plus the time `clock` has run: with an IcountClock,
 *  the same every run. */
export function clockSeconds(epoch: number, clock: Clock): () => number {
  return () => epoch + Number(clock.nowNs() / 1_000_000n) / 1000;
}

export class Pl031 implements MmioDevice {
  readonly size = 0x1000;
  /** RTCDR - floor(seconds()), mod 2^32: set by loading RTCLR. */
  private delta = 0;
  mr = 0;
  lr = 0;
  imsc = 0;
  ris = 0;
  private last: number;
  private irqLevel = false;

  /**
   * @param seconds the seconds source (e.g. hostSeconds, or clockSeconds(epoch, clock))
   * @param irq RTCINTR, e.g. (l) => gic.setLine(34, l)
   */
  constructor(
    readonly seconds: () => number,
    readonly irq: IrqLine,
    readonly name = 'pl031',
  ) {
    this.last = this.value();
  }

  /** RTCDR now. */
  value(): number {
    return (Math.floor(this.seconds()) + this.delta) >>> 0;
  }

  /** Raises the match interrupt if the counter reached RTCMR since the last check. */
  update(): void {
    const v = this.value();
    const passed = (v - this.last) >>> 0;
    // The counter moved `passed` seconds forward from `last`: did it step onto MR?
    if (passed !== 0 && ((this.mr - this.last - 1) >>> 0) < passed) this.ris = 1;
    this.last = v;
    this.updateIrq();
  }

  private updateIrq(): void {
    const l = (this.ris & this.imsc & 1) !== 0;
    if (l !== this.irqLevel) {
      this.irqLevel = l;
      this.irq(l);
    }
  }

  read(offset: number, size: 1 | 2 | 4): number {
    const lane = offset & 3;
    const v = this.readReg(offset - lane) >>> (8 * lane);
    return size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff);
  }

  private readReg(off: number): number {
    switch (off) {
      case RTCDR:
        this.update();
        return this.last;
      case RTCMR:
        return this.mr;
      case RTCLR:
        return this.lr;
      case RTCCR:
        return 1;
      case RTCIMSC:
        return this.imsc;
      case RTCRIS:
        return this.ris;
      case RTCMIS:
        return this.ris & this.imsc;
    }
    if (off >= RTCPERIPHID0 && off < RTCPERIPHID0 + 32) return ID_REGS[(off - RTCPERIPHID0) >> 2];
    return 0;
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (size !== 4 || offset & 3) return; // 32-bit registers
    const v = value >>> 0;
    switch (offset) {
      case RTCMR:
        this.update();
        this.mr = v;
        if (this.last === v) this.ris = 1; // the counter already equals the new match value
        break;
      case RTCLR:
        this.lr = v;
        this.delta = (v - Math.floor(this.seconds())) >>> 0;
        this.last = v;
        if (this.mr === v) this.ris = 1; // loaded with the match value
        break;
      case RTCIMSC:
        this.imsc = v & 1;
        break;
      case RTCICR:
        if (v & 1) this.ris = 0;
        break;
      default:
        return;
    }
    this.updateIrq();
  }
}
