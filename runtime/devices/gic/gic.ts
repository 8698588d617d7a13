// A GICv2 (distributor and CPU interfaces, no virtualization extensions) for one or more CPUs:
// what a board wires. Devices drive SPIs and PPIs through setLine/setPpi; each CPU gets its
// IRQ/FIQ from its IrqSink and sees the distributor and its own CPU interface through the
// MmioDevice views (one MMIO bus per CPU, or the CPU-0 views on a uniprocessor board).
import type { IrqSink } from '../irq.js';
import { GicCpuInterface } from './cpu-interface.js';
import { GicDistributor } from './distributor.js';
import { GIC_INTERNAL, GIC_NR_SGIS, GicState, type GicOptions } from './state.js';

export class Gic {
  readonly state: GicState;
  private readonly dists: GicDistributor[];
  private readonly cpuIfs: GicCpuInterface[];

  /** One IrqSink per CPU (a single sink for a uniprocessor). */
  constructor(sinks: IrqSink | readonly IrqSink[], opts: GicOptions = {}) {
    const list = Array.isArray(sinks) ? (sinks as readonly IrqSink[]) : [sinks as IrqSink];
    this.state = new GicState(list, opts);
    this.dists = list.map((_, cpu) => new GicDistributor(this.state, cpu));
    this.cpuIfs = list.map((_, cpu) => new GicCpuInterface(this.state, cpu));
  }

  get numIrqs(): number {
    return this.state.numIrqs;
  }

  get numCpus(): number {
    return this.state.numCpus;
  }

  /** CPU 0's view of the distributor (4 KiB; QEMU virt maps it at 0x08000000). */
  get distributor(): GicDistributor {
    return this.dists[0];
  }

  /** CPU 0's CPU interface (8 KiB; QEMU virt maps it at 0x08010000). */
  get cpuInterface(): GicCpuInterface {
    return this.cpuIfs[0];
  }

  distributorFor(cpu: number): GicDistributor {
    return this.dists[cpu];
  }

  cpuInterfaceFor(cpu: number): GicCpuInterface {
    return this.cpuIfs[cpu];
  }

  /** Drives interrupt `irq`'s input: an SPI (32 and up), or for 16-31 a PPI of CPU 0. */
  setLine(irq: number, level: boolean): void {
    this.state.setLine(0, irq, level);
  }

  /** Drives PPI `irq` (16-31) of CPU `cpu`. */
  setPpi(cpu: number, irq: number, level: boolean): void {
    if (irq < GIC_NR_SGIS || irq >= GIC_INTERNAL) throw new RangeError(`GIC: ${irq} is not a PPI`);
    this.state.setLine(cpu, irq, level);
  }

  /** How many times each interrupt ID was acknowledged (the profiler's IRQs by source). */
  get acknowledged(): Uint32Array {
    return this.state.acks;
  }
}
