// ARM PrimeCell UART PL011 (ARM DDI 0183), the registers Linux's amba-pl011 driver and its
// earlycon use. Transmission is instantaneous: each byte written to UARTDR goes to the output
// sink at once, so the transmit FIFO always reads empty (FR.TXFE = 1, TXFF = BUSY = 0).
// Received bytes wait in an unbounded host-side backlog and enter the 16-entry receive FIFO
// (revision r1p4-style, 1 entry with LCR_H.FEN = 0) when there is room and the UART is
// enabled for receiving (CR.UARTEN and CR.RXE): host input is never lost to an overrun.
//
// Interrupts (UARTRIS bits, the combined UARTINTR = RIS & IMSC != 0 drives the `irq` line):
//   RXRIS is high while the receive FIFO holds at least the IFLS trigger level;
//   RTRIS (receive timeout) rises as soon as data arrives (the 32-bit-period timeout is taken
//     to have passed: the guest reads it on the next interrupt) and falls when the FIFO empties;
//   TXRIS rises when a byte is written (the FIFO has drained to below its trigger level);
//   ICR clears any of them; BEIS with a break (sendBreak).
// UART loopback (CR.LBE) sends transmitted bytes to the receive FIFO.
import type { MmioDevice } from './bus.js';
import type { IrqLine } from './irq.js';

export const UARTDR = 0x000;
export const UARTRSR = 0x004; // UARTECR on write
export const UARTFR = 0x018;
export const UARTILPR = 0x020;
export const UARTIBRD = 0x024;
export const UARTFBRD = 0x028;
export const UARTLCR_H = 0x02c;
export const UARTCR = 0x030;
export const UARTIFLS = 0x034;
export const UARTIMSC = 0x038;
export const UARTRIS = 0x03c;
export const UARTMIS = 0x040;
export const UARTICR = 0x044;
export const UARTDMACR = 0x048;
export const UARTPERIPHID0 = 0xfe0;

// UARTFR bits
export const FR_BUSY = 1 << 3;
export const FR_RXFE = 1 << 4;
export const FR_TXFF = 1 << 5;
export const FR_RXFF = 1 << 6;
export const FR_TXFE = 1 << 7;
// UARTDR error bits (and UARTRSR bits 0-3 shifted down by 8)
export const DR_BE = 1 << 10;
// interrupt bits (IMSC, RIS, MIS, ICR)
export const INT_RX = 1 << 4;
export const INT_TX = 1 << 5;
export const INT_RT = 1 << 6;
export const INT_BE = 1 << 9;
const INT_MASK = 0x7ff;
// UARTLCR_H.FEN, UARTCR bits
export const LCR_H_FEN = 1 << 4;
export const CR_UARTEN = 1 << 0;
export const CR_LBE = 1 << 7;
export const CR_TXE = 1 << 8;
export const CR_RXE = 1 << 9;

export const PL011_FIFO_DEPTH = 16;
/** UARTPeriphID0-3 then UARTPCellID0-3: part 0x011, designer ARM, revision 1 (as QEMU; Linux
 *  takes its FIFO size, 16, from revision < 3). */
const ID_REGS = [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];
/** Receive trigger levels of UARTIFLS.RXIFLSEL: 1/8, 1/4, 1/2, 3/4, 7/8 of 16. */
const RX_TRIGGER = [2, 4, 8, 12, 14];

export class Pl011 implements MmioDevice {
  readonly size = 0x1000;
  private readonly rx: number[] = [];
  private backlog: number[] = [];
  private backlogPos = 0;
  rsr = 0;
  ilpr = 0;
  ibrd = 0;
  fbrd = 0;
  lcrH = 0;
  cr = CR_RXE | CR_TXE;
  ifls = 0x12;
  imsc = 0;
  ris = 0;
  dmacr = 0;
  private irqLevel = false;

  /**
   * @param output receives every transmitted byte
   * @param irq the combined interrupt line (UARTINTR), e.g. (l) => gic.setLine(33, l)
   */
  constructor(
    readonly output: (byte: number) => void,
    readonly irq: IrqLine,
    readonly name = 'pl011',
  ) {}

  /** Host input: appended to the backlog, moved into the receive FIFO as room allows. */
  receive(bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.backlog.push(bytes[i] & 0xff);
    this.refill();
  }

  /** A break condition on the receive line: a zero byte with BE, and BEIS. */
  sendBreak(): void {
    this.backlog.push(DR_BE);
    this.refill();
  }

  /** Bytes received from the host not yet in the receive FIFO. */
  get pendingInput(): number {
    return this.backlog.length - this.backlogPos + this.rx.length;
  }

  private depth(): number {
    return this.lcrH & LCR_H_FEN ? PL011_FIFO_DEPTH : 1;
  }

  private rxTrigger(): number {
    return this.lcrH & LCR_H_FEN ? (RX_TRIGGER[(this.ifls >> 3) & 7] ?? 8) : 1;
  }

  private refill(): void {
    if ((this.cr & (CR_UARTEN | CR_RXE)) !== (CR_UARTEN | CR_RXE)) return;
    const depth = this.depth();
    let moved = false;
    while (this.rx.length < depth && this.backlogPos < this.backlog.length) {
      const v = this.backlog[this.backlogPos++];
      this.rx.push(v);
      if (v & DR_BE) this.ris |= INT_BE;
      moved = true;
    }
    if (this.backlogPos === this.backlog.length) {
      this.backlog = [];
      this.backlogPos = 0;
    }
    if (moved) {
      this.ris |= INT_RT;
      if (this.rx.length >= this.rxTrigger()) this.ris |= INT_RX;
      this.updateIrq();
    }
  }

  private updateIrq(): void {
    const l = (this.ris & this.imsc) !== 0;
    if (l !== this.irqLevel) {
      this.irqLevel = l;
      this.irq(l);
    }
  }

  private flags(): number {
    const n = this.rx.length;
    return FR_TXFE | (n === 0 ? FR_RXFE : 0) | (n >= this.depth() ? FR_RXFF : 0);
  }

  private readDr(): number {
    const v = this.rx.shift();
    if (v === undefined) return 0;
    this.rsr = v >> 8;
    if (this.rx.length < this.rxTrigger()) this.ris &= ~INT_RX;
    if (this.rx.length === 0) this.ris &= ~INT_RT;
    this.refill();
    this.updateIrq();
    return v;
  }

  private readReg(off: number): number {
    switch (off) {
      case UARTDR:
        return this.readDr();
      case UARTRSR:
        return this.rsr;
      case UARTFR:
        return this.flags();
      case UARTILPR:
        return this.ilpr;
      case UARTIBRD:
        return this.ibrd;
      case UARTFBRD:
        return this.fbrd;
      case UARTLCR_H:
        return this.lcrH;
      case UARTCR:
        return this.cr;
      case UARTIFLS:
        return this.ifls;
      case UARTIMSC:
        return this.imsc;
      case UARTRIS:
        return this.ris;
      case UARTMIS:
        return this.ris & this.imsc;
      case UARTDMACR:
        return this.dmacr;
    }
    if (off >= UARTPERIPHID0 && off < UARTPERIPHID0 + 32) return ID_REGS[(off - UARTPERIPHID0) >> 2];
    return 0;
  }

  private writeReg(off: number, v: number): void {
    switch (off) {
      case UARTDR: {
        const b = v & 0xff;
        if (this.cr & CR_LBE) {
          this.backlog.push(b);
          this.refill();
        } else {
          this.output(b);
        }
        this.ris |= INT_TX;
        break;
      }
      case UARTRSR:
        this.rsr = 0;
        break;
      case UARTILPR:
        this.ilpr = v & 0xff;
        break;
      case UARTIBRD:
        this.ibrd = v & 0xffff;
        break;
      case UARTFBRD:
        this.fbrd = v & 0x3f;
        break;
      case UARTLCR_H:
        if ((this.lcrH ^ v) & LCR_H_FEN) {
          // The FIFO changes depth: its contents go back in front of the backlog, not lost.
          this.backlog = [...this.rx, ...this.backlog.slice(this.backlogPos)];
          this.backlogPos = 0;
          this.rx.length = 0;
          this.ris &= ~(INT_RX | INT_RT);
        }
        this.lcrH = v & 0xff;
        this.refill();
        break;
      case UARTCR:
        this.cr = v & 0xffff;
        this.refill();
        break;
      case UARTIFLS:
        this.ifls = v & 0x3f;
        break;
      case UARTIMSC:
        this.imsc = v & INT_MASK;
        break;
      case UARTICR:
        this.ris &= ~v;
        break;
      case UARTDMACR:
        this.dmacr = v & 7;
        break;
      default:
        return;
    }
    this.updateIrq();
  }

  read(offset: number, size: 1 | 2 | 4): number {
    const lane = offset & 3;
    const v = this.readReg(offset - lane) >>> (8 * lane);
    return size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (offset & 3) return; // registers are at word offsets; a write to a higher lane is ignored
    this.writeReg(offset, size === 4 ? value >>> 0 : value & (size === 2 ? 0xffff : 0xff));
  }
}
