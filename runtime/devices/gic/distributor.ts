// The GICv2 distributor register map (IHI 0048B 4.1.2, 4.3) as one CPU sees it: banked
// registers (interrupts 0-31, SGI pending) show that CPU's copy. Registers are built from byte
// lanes, so byte, halfword and word accesses all work (the spec requires word access
// everywhere and byte access to IPRIORITYR, ITARGETSR, CPENDSGIR and SPENDSGIR; QEMU accepts
// any size). Reserved and unimplemented offsets read as zero and ignore writes.
import type { MmioDevice } from '../bus.js';
import { GIC_INTERNAL, GIC_NR_SGIS, type GicState } from './state.js';

export const GICD_CTLR = 0x000;
export const GICD_TYPER = 0x004;
export const GICD_IIDR = 0x008;
export const GICD_IGROUPR = 0x080;
export const GICD_ISENABLER = 0x100;
export const GICD_ICENABLER = 0x180;
export const GICD_ISPENDR = 0x200;
export const GICD_ICPENDR = 0x280;
export const GICD_ISACTIVER = 0x300;
export const GICD_ICACTIVER = 0x380;
export const GICD_IPRIORITYR = 0x400;
export const GICD_ITARGETSR = 0x800;
export const GICD_ICFGR = 0xc00;
export const GICD_SGIR = 0xf00;
export const GICD_CPENDSGIR = 0xf10;
export const GICD_SPENDSGIR = 0xf20;
export const GICD_PIDR4 = 0xfd0;

/** GICD_IIDR: implementer ARM (0x43b), revision 0, as QEMU. */
export const GICD_IIDR_VALUE = 0x0000043b;
/** The identification registers GICD_PIDR4-7, PIDR0-3, CIDR0-3 (0xfd0-0xffc), as QEMU's
 *  GICv2: PIDR2.ArchRev = 2. */
const ID_REGS = [0x04, 0x00, 0x00, 0x00, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

export class GicDistributor implements MmioDevice {
  readonly size = 0x1000;

  constructor(
    readonly gic: GicState,
    readonly cpu: number,
    readonly name = 'gic-dist',
  ) {}

  read(offset: number, size: 1 | 2 | 4): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.readByte(offset + i) << (8 * i);
    return v >>> 0;
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (offset === GICD_SGIR) {
      if (size === 4) this.writeSgir(value);
      return;
    }
    for (let i = 0; i < size; i++) this.writeByte(offset + i, (value >>> (8 * i)) & 0xff);
    this.gic.update();
  }

  /** GICD_SGIR: TargetListFilter [25:24], CPUTargetList [23:16], SGIINTID [3:0]; NSATT is
   *  ignored without the Security Extensions. */
  private writeSgir(value: number): void {
    const g = this.gic;
    const all = (1 << g.numCpus) - 1;
    let targets: number;
    switch ((value >>> 24) & 3) {
      case 0:
        targets = (value >>> 16) & all;
        break;
      case 1:
        targets = all & ~(1 << this.cpu);
        break;
      case 2:
        targets = 1 << this.cpu;
        break;
      default:
        targets = all; // reserved filter: every CPU, as QEMU
    }
    for (let t = 0; t < g.numCpus; t++) if (targets & (1 << t)) g.sendSgi(this.cpu, t, value & 0xf);
    g.update();
  }

  private readByte(off: number): number {
    const g = this.gic;
    const cpu = this.cpu;
    if (off < 0x80) {
      const lane = 8 * (off & 3);
      switch (off & ~3) {
        case GICD_CTLR:
          return (g.distCtlr >>> lane) & 0xff;
        case GICD_TYPER:
          // ITLinesNumber [4:0], CPUNumber [7:5], SecurityExtn [10] = 0
          return ((((g.numIrqs >> 5) - 1) | ((g.numCpus - 1) << 5)) >>> lane) & 0xff;
        case GICD_IIDR:
          return (GICD_IIDR_VALUE >>> lane) & 0xff;
        default:
          return 0;
      }
    }
    if (off < 0x400) {
      // One bit per interrupt: IGROUPR, IS/ICENABLER, IS/ICPENDR, IS/ICACTIVER
      const irq = ((off & 0x7f) << 3);
      let v = 0;
      for (let i = 0; i < 8; i++) {
        const n = irq + i;
        if (n >= g.numIrqs) break;
        const s = g.slot(cpu, n);
        let bit: boolean;
        if (off < GICD_ISENABLER) bit = g.group[s] !== 0;
        else if (off < GICD_ISPENDR) bit = g.enabled[s] !== 0;
        else if (off < GICD_ISACTIVER) bit = g.isPending(cpu, n);
        else bit = g.active[s] !== 0;
        if (bit) v |= 1 << i;
      }
      return v;
    }
    if (off < GICD_ITARGETSR) {
      const irq = off - GICD_IPRIORITYR;
      return irq < g.numIrqs ? g.priority[g.slot(cpu, irq)] : 0;
    }
    if (off < GICD_ICFGR) {
      const irq = off - GICD_ITARGETSR;
      // A uniprocessor GIC's ITARGETSR are RAZ/WI (4.3.12); SGI/PPI targets read as this CPU.
      if (g.numCpus === 1 || irq >= g.numIrqs) return 0;
      return irq < GIC_INTERNAL ? 1 << cpu : g.targets[irq];
    }
    if (off < 0xd00) {
      // GICD_ICFGR: 2 bits per interrupt, Int_config[1] = edge-triggered
      const irq = (off - GICD_ICFGR) * 4;
      let v = 0;
      for (let i = 0; i < 4; i++) {
        if (irq + i < g.numIrqs && g.edge[g.slot(cpu, irq + i)]) v |= 2 << (2 * i);
      }
      return v;
    }
    if (off >= GICD_CPENDSGIR && off < GICD_SPENDSGIR + 16) {
      return g.sgiSources[cpu * GIC_NR_SGIS + (off & 0xf)];
    }
    if (off >= GICD_PIDR4 && (off & 3) === 0) return ID_REGS[(off - GICD_PIDR4) >> 2];
    return 0;
  }

  private writeByte(off: number, v: number): void {
    const g = this.gic;
    const cpu = this.cpu;
    if (off < 0x80) {
      if (off === GICD_CTLR) g.distCtlr = v & 3;
      return;
    }
    if (off < 0x400) {
      const irq = (off & 0x7f) << 3;
      for (let i = 0; i < 8; i++) {
        const n = irq + i;
        if (n >= g.numIrqs) break;
        const set = (v & (1 << i)) !== 0;
        const s = g.slot(cpu, n);
        if (off < GICD_ISENABLER) {
          g.group[s] = set ? 1 : 0;
          continue;
        }
        if (!set) continue;
        if (off < GICD_ICENABLER) {
          g.enabled[s] = 1;
        } else if (off < GICD_ISPENDR) {
          if (n >= GIC_NR_SGIS) g.enabled[s] = 0; // SGIs stay enabled
        } else if (off < GICD_ICPENDR) {
          g.setPending(cpu, n); // SGIs: write-ignored here, GICD_SPENDSGIR sets them
        } else if (off < GICD_ISACTIVER) {
          g.clearPending(cpu, n);
        } else if (off < GICD_ICACTIVER) {
          g.active[s] = 1;
        } else {
          g.active[s] = 0;
        }
      }
      return;
    }
    if (off < GICD_ITARGETSR) {
      const irq = off - GICD_IPRIORITYR;
      if (irq < g.numIrqs) g.priority[g.slot(cpu, irq)] = v;
      return;
    }
    if (off < GICD_ICFGR) {
      const irq = off - GICD_ITARGETSR;
      if (g.numCpus > 1 && irq >= GIC_INTERNAL && irq < g.numIrqs) g.targets[irq] = v & ((1 << g.numCpus) - 1);
      return;
    }
    if (off < 0xd00) {
      const irq = (off - GICD_ICFGR) * 4;
      for (let i = 0; i < 4; i++) {
        const n = irq + i;
        // SGIs are always edge-triggered; PPIs and SPIs are programmable (as QEMU)
        if (n >= GIC_NR_SGIS && n < g.numIrqs) g.edge[g.slot(cpu, n)] = (v >> (2 * i + 1)) & 1;
      }
      return;
    }
    if (off >= GICD_CPENDSGIR && off < GICD_SPENDSGIR + 16) {
      const k = cpu * GIC_NR_SGIS + (off & 0xf);
      if (off < GICD_SPENDSGIR) g.sgiSources[k] &= ~v;
      else g.sgiSources[k] |= v & ((1 << g.numCpus) - 1);
    }
  }
}
