// The MMIO bus: devices mapped at physical base addresses, the lookup from a physical address to
// the device behind it, and per-device access counts (the profiler's "MMIO exits by device").
//
// An access where no device is mapped, or one that runs past the end of a device's window,
// throws PhysAbort (runtime/mmu/types.ts), the same signal a translation table walk gets for a
// missing descriptor: the caller turns it into a synchronous external abort (DFSR/IFSR status
// 0b01000), which is what QEMU's virt machine does for a transaction no device decodes.
import { PhysAbort } from '../mmu/types.js';

/** A memory-mapped device: registers in [0, size), accessed with little-endian values. */
export interface MmioDevice {
  readonly name: string;
  /** Bytes of address space the device decodes. */
  readonly size: number;
  read(offset: number, size: 1 | 2 | 4): number;
  write(offset: number, size: 1 | 2 | 4, value: number): void;
}

/** One device at its base address, with its access counters. */
export class MmioMapping {
  reads = 0;
  writes = 0;
  readonly end: number;

  constructor(
    readonly base: number,
    readonly device: MmioDevice,
  ) {
    this.end = base + device.size;
  }
}

/** Access counts of one mapping, as the profiler reports them. */
export interface MmioStats {
  name: string;
  base: number;
  reads: number;
  writes: number;
}

/** Physical addresses are numbers below 2^40 (LPAE output addresses). */
const PA_LIMIT = 2 ** 40;

export class MmioBus {
  /** Mappings sorted by base address, non-overlapping. */
  private readonly maps: MmioMapping[] = [];
  /** The mapping the last lookup found: consecutive accesses mostly hit one device. */
  private last: MmioMapping | undefined;

  /** Maps `device` at `base`; throws RangeError if it overlaps a mapped device. */
  map(base: number, device: MmioDevice): MmioMapping {
    if (!Number.isInteger(base) || base < 0 || base + device.size > PA_LIMIT || device.size <= 0) {
      throw new RangeError(`cannot map ${device.name} at 0x${base.toString(16)} (size 0x${device.size.toString(16)})`);
    }
    const m = new MmioMapping(base, device);
    for (const o of this.maps) {
      if (m.base < o.end && o.base < m.end) {
        throw new RangeError(`${device.name} at 0x${base.toString(16)} overlaps ${o.device.name} at 0x${o.base.toString(16)}`);
      }
    }
    this.maps.push(m);
    this.maps.sort((a, b) => a.base - b.base);
    return m;
  }

  /** The mapping holding physical address `pa`, or undefined. */
  find(pa: number): MmioMapping | undefined {
    const l = this.last;
    if (l !== undefined && pa >= l.base && pa < l.end) return l;
    const maps = this.maps;
    let lo = 0;
    let hi = maps.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = maps[mid];
      if (pa < m.base) hi = mid - 1;
      else if (pa >= m.end) lo = mid + 1;
      else return (this.last = m);
    }
    return undefined;
  }

  /** Reads `size` bytes at `pa`; throws PhysAbort when no device decodes the whole access. */
  read(pa: number, size: 1 | 2 | 4): number {
    const m = this.find(pa);
    if (m === undefined || pa + size > m.end) throw new PhysAbort(pa);
    m.reads++;
    return m.device.read(pa - m.base, size);
  }

  /** Writes `size` bytes at `pa`; throws PhysAbort when no device decodes the whole access. */
  write(pa: number, size: 1 | 2 | 4, value: number): void {
    const m = this.find(pa);
    if (m === undefined || pa + size > m.end) throw new PhysAbort(pa);
    m.writes++;
    m.device.write(pa - m.base, size, value);
  }

  /** Every mapping in address order. */
  mappings(): readonly MmioMapping[] {
    return this.maps;
  }

  /** Access counts per mapped device, in address order. */
  stats(): MmioStats[] {
    return this.maps.map((m) => ({ name: m.device.name, base: m.base, reads: m.reads, writes: m.writes }));
  }
}
