// The GICv2 CPU interface register map (IHI 0048B 4.1.3, 4.4) of one CPU: 8 KiB, GICC_DIR in
// the second page. Registers are 32-bit; other access sizes read as zero and ignore writes.
// Without the Security Extensions there is no Non-secure view to alias, so GICC_AIAR, AEOIR
// and AHPPIR read as zero and ignore writes, as in QEMU (GICC_ABPR is kept: it is the Group 1
// binary point).
import type { MmioDevice } from '../bus.js';
import { GIC_MIN_ABPR, GIC_MIN_BPR, PRIORITY_IDLE, type GicState } from './state.js';

export const GICC_CTLR = 0x00;
export const GICC_PMR = 0x04;
export const GICC_BPR = 0x08;
export const GICC_IAR = 0x0c;
export const GICC_EOIR = 0x10;
export const GICC_RPR = 0x14;
export const GICC_HPPIR = 0x18;
export const GICC_ABPR = 0x1c;
export const GICC_AIAR = 0x20;
export const GICC_AEOIR = 0x24;
export const GICC_AHPPIR = 0x28;
export const GICC_APR0 = 0xd0;
export const GICC_NSAPR0 = 0xe0;
export const GICC_IIDR = 0xfc;
export const GICC_DIR = 0x1000;

/** GICC_IIDR: architecture version 2, implementer ARM (0x43b), as QEMU. */
export const GICC_IIDR_VALUE = 0x0002043b;

export class GicCpuInterface implements MmioDevice {
  readonly size = 0x2000;

  constructor(
    readonly gic: GicState,
    readonly cpu: number,
    readonly name = 'gic-cpu',
  ) {}

  read(offset: number, size: 1 | 2 | 4): number {
    if (size !== 4 || (offset & 3) !== 0) return 0;
    const g = this.gic;
    const c = g.cpus[this.cpu];
    switch (offset) {
      case GICC_CTLR:
        return c.ctlr;
      case GICC_PMR:
        return c.pmr;
      case GICC_BPR:
        return c.bpr;
      case GICC_IAR:
        return g.acknowledge(this.cpu);
      case GICC_RPR:
        return c.runningPriority === PRIORITY_IDLE ? 0xff : c.runningPriority;
      case GICC_HPPIR:
        return g.highestPending(this.cpu);
      case GICC_ABPR:
        return c.abpr;
      case GICC_IIDR:
        return GICC_IIDR_VALUE;
    }
    if (offset >= GICC_APR0 && offset < GICC_APR0 + 16) return c.apr[(offset - GICC_APR0) >> 2] >>> 0;
    if (offset >= GICC_NSAPR0 && offset < GICC_NSAPR0 + 16) return c.nsapr[(offset - GICC_NSAPR0) >> 2] >>> 0;
    return 0;
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (size !== 4 || (offset & 3) !== 0) return;
    const g = this.gic;
    const c = g.cpus[this.cpu];
    switch (offset) {
      case GICC_CTLR:
        g.setCpuCtlr(this.cpu, value);
        return;
      case GICC_PMR:
        c.pmr = value & 0xff;
        break;
      case GICC_BPR:
        c.bpr = Math.max(value & 7, GIC_MIN_BPR);
        break;
      case GICC_EOIR:
        g.endOfInterrupt(this.cpu, value);
        return;
      case GICC_ABPR:
        c.abpr = Math.max(value & 7, GIC_MIN_ABPR);
        break;
      case GICC_DIR:
        g.deactivate(this.cpu, value);
        return;
      default:
        if (offset >= GICC_APR0 && offset < GICC_APR0 + 16) c.apr[(offset - GICC_APR0) >> 2] = value;
        else if (offset >= GICC_NSAPR0 && offset < GICC_NSAPR0 + 16) c.nsapr[(offset - GICC_NSAPR0) >> 2] = value;
        else return;
        g.recomputeRunningPriority(this.cpu);
    }
    g.update();
  }
}
