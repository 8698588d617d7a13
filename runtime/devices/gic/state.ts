// GICv2 interrupt state (ARM IHI 0048B): per-interrupt enable, pending, active, group, priority,
// configuration and targets; per-CPU interface state (control, priority mask, binary points,
// active priorities); the choice of the highest priority pending interrupt and the IRQ/FIQ
// outputs; acknowledge, priority drop and deactivation. The register maps (distributor.ts,
// cpu-interface.ts) are thin views over this.
//
// What the guest sees is QEMU virt's GICv2 for a CPU without TrustZone: a GIC without the
// Security Extensions (GICD_TYPER.SecurityExtn = 0). Interrupt grouping exists (IGROUPR is
// read/write, every interrupt resets to Group 0); Group 0 is signalled as FIQ only when
// GICC_CTLR.FIQEn is set, otherwise as IRQ, Group 1 always as IRQ. GICC_CTLR has the layout of
// the Secure copy (EnableGrp0/1, AckCtl, FIQEn, CBPR, EOImode at bit 9 governing EOIR and DIR;
// EOImodeNS, bit 10, reads as zero, as in QEMU). Linux programs only Group 0 and bit 0
// of both control registers, and gets IRQs.
//
// Where QEMU and IHI 0048B differ we follow QEMU, the reference our system tests compare with:
// the highest priority pending interrupt (GICC_HPPIR, GICC_IAR) is chosen among both groups as
// soon as the distributor and the CPU interface each enable some group; the group enables then
// gate only its signalling. The exceptions: the running priority after a priority drop is the
// group priority of the highest remaining active interrupt (QEMU takes its full priority, which
// differs once GICC_BPR is above its reset value); a level-sensitive interrupt is pending while its
// line is high and stops being pending when the line falls (3.2.4), where QEMU keeps it pending
// until acknowledged.
//
// Priorities keep all 8 bits, the minimum binary point is 0 (ABPR 1), as QEMU: 128 preemption
// levels, tracked as bits of GICC_APRn (Group 0) and GICC_NSAPRn (Group 1).
//
// Several CPUs: SGI and PPI state (interrupts 0-31) is banked per CPU, SPIs carry an 8-bit
// target mask (GICD_ITARGETSR), SGIs keep a pending bit per source CPU (GICD_SPENDSGIR).
import type { IrqSink } from '../irq.js';

export const GIC_NR_SGIS = 16;
/** SGIs and PPIs: the banked interrupts. */
export const GIC_INTERNAL = 32;
export const GIC_MAX_CPUS = 8;
/** GICC_IAR value when nothing is pending at sufficient priority. */
export const INTID_SPURIOUS = 1023;
/** GICC_IAR value when the highest pending interrupt is Group 1 and GICC_CTLR.AckCtl is 0. */
export const INTID_GROUP1_PENDING = 1022;
/** Running priority when no interrupt is active (GICC_RPR reads 0xff). */
export const PRIORITY_IDLE = 0x100;
/** Smallest GICC_BPR and GICC_ABPR values (8 priority bits implemented). */
export const GIC_MIN_BPR = 0;
export const GIC_MIN_ABPR = 1;

// GICD_CTLR (4.3.1), GIC without Security Extensions
export const GICD_CTLR_ENABLE_GRP0 = 1 << 0;
export const GICD_CTLR_ENABLE_GRP1 = 1 << 1;
// GICC_CTLR (4.4.1), the Secure-copy layout used without Security Extensions
export const GICC_CTLR_ENABLE_GRP0 = 1 << 0;
export const GICC_CTLR_ENABLE_GRP1 = 1 << 1;
export const GICC_CTLR_ACKCTL = 1 << 2;
export const GICC_CTLR_FIQEN = 1 << 3;
export const GICC_CTLR_CBPR = 1 << 4;
export const GICC_CTLR_EOIMODES = 1 << 9;
export const GICC_CTLR_EOIMODENS = 1 << 10;
/** Writable GICC_CTLR bits: as QEMU without Security Extensions, EOImodeNS is not kept. */
const GICC_CTLR_MASK = 0x21f;

/** One CPU interface's state. */
export class GicCpu {
  ctlr = 0;
  /** GICC_PMR: only interrupts with a priority value below this are signalled. */
  pmr = 0;
  bpr = GIC_MIN_BPR;
  abpr = GIC_MIN_ABPR;
  /** Active priorities, one bit per preemption level (group priority >> 1), Group 0 and 1. */
  readonly apr = new Uint32Array(4);
  readonly nsapr = new Uint32Array(4);
  /** The group priority of the highest priority active interrupt, or PRIORITY_IDLE. */
  runningPriority = PRIORITY_IDLE;
  /** The highest priority pending interrupt this interface may be given (enabled, its group
   *  enabled, priority above PMR), or INTID_SPURIOUS; recomputed by GicState.update(). */
  hppi = INTID_SPURIOUS;
  irqOut = false;
  fiqOut = false;

  constructor(readonly sink: IrqSink) {}
}

export interface GicOptions {
  /** Interrupt IDs implemented, a multiple of 32 from 32 to 992 (default 288: QEMU virt's 256
   *  SPIs plus the 32 banked ones; GICD_TYPER.ITLinesNumber = 8). */
  numIrqs?: number;
}

export class GicState {
  readonly numIrqs: number;
  readonly numCpus: number;
  readonly cpus: GicCpu[];
  /** GICD_CTLR. */
  distCtlr = 0;
  // Per-interrupt state, indexed by slot(cpu, irq): banked copies of 0-31 per CPU, then SPIs.
  readonly enabled: Uint8Array;
  /** Pending set by an edge or by software (ISPENDR); a level-sensitive line adds its level. */
  readonly latch: Uint8Array;
  /** The input line's level. */
  readonly line: Uint8Array;
  /** 1 = edge-triggered (GICD_ICFGR Int_config[1]). */
  readonly edge: Uint8Array;
  readonly active: Uint8Array;
  readonly group: Uint8Array;
  readonly priority: Uint8Array;
  /** GICD_ITARGETSR of each SPI (by interrupt ID; 0-31 unused). */
  readonly targets: Uint8Array;
  /** Pending SGIs: for (target cpu, SGI), the mask of source CPUs (GICD_SPENDSGIR). */
  readonly sgiSources: Uint8Array;
  /** Acknowledges per interrupt ID, for the profiler's "IRQs by source". */
  readonly acks: Uint32Array;

  constructor(sinks: readonly IrqSink[], opts: GicOptions = {}) {
    const numIrqs = opts.numIrqs ?? 288;
    if (!Number.isInteger(numIrqs) || numIrqs < 32 || numIrqs > 992 || (numIrqs & 31) !== 0) {
      throw new RangeError(`GIC: ${numIrqs} interrupts is not a multiple of 32 between 32 and 992`);
    }
    if (sinks.length < 1 || sinks.length > GIC_MAX_CPUS) throw new RangeError(`GIC: ${sinks.length} CPUs (1 to 8)`);
    this.numIrqs = numIrqs;
    this.numCpus = sinks.length;
    this.cpus = sinks.map((s) => new GicCpu(s));
    const slots = this.numCpus * GIC_INTERNAL + numIrqs - GIC_INTERNAL;
    this.enabled = new Uint8Array(slots);
    this.latch = new Uint8Array(slots);
    this.line = new Uint8Array(slots);
    this.edge = new Uint8Array(slots);
    this.active = new Uint8Array(slots);
    this.group = new Uint8Array(slots);
    this.priority = new Uint8Array(slots);
    this.targets = new Uint8Array(numIrqs);
    this.sgiSources = new Uint8Array(this.numCpus * GIC_NR_SGIS);
    this.acks = new Uint32Array(numIrqs);
    for (let c = 0; c < this.numCpus; c++) {
      for (let i = 0; i < GIC_NR_SGIS; i++) {
        this.enabled[c * GIC_INTERNAL + i] = 1; // SGIs are always enabled (ISENABLER0[15:0] RAO/WI)
        this.edge[c * GIC_INTERNAL + i] = 1; // and edge-triggered (ICFGR0 read-only)
      }
    }
  }

  /** The state slot of interrupt `irq` as seen by CPU `cpu`. */
  slot(cpu: number, irq: number): number {
    return irq < GIC_INTERNAL ? cpu * GIC_INTERNAL + irq : this.numCpus * GIC_INTERNAL + irq - GIC_INTERNAL;
  }

  isPending(cpu: number, irq: number): boolean {
    if (irq < GIC_NR_SGIS) return this.sgiSources[cpu * GIC_NR_SGIS + irq] !== 0;
    const s = this.slot(cpu, irq);
    return this.latch[s] !== 0 || (this.edge[s] === 0 && this.line[s] !== 0);
  }

  /** Drives the input line of interrupt `irq` (a PPI of `cpu`, or an SPI). An edge-triggered
   *  interrupt becomes pending on a rising edge; a level-sensitive one is pending while high. */
  setLine(cpu: number, irq: number, level: boolean): void {
    if (irq < GIC_NR_SGIS || irq >= this.numIrqs) throw new RangeError(`GIC: no input line for interrupt ${irq}`);
    const s = this.slot(cpu, irq);
    const v = level ? 1 : 0;
    if (this.line[s] === v) return;
    this.line[s] = v;
    if (v && this.edge[s]) this.latch[s] = 1;
    this.update();
  }

  /** Sets an interrupt pending as GICD_ISPENDR does (SGIs go through setSgiPending). */
  setPending(cpu: number, irq: number): void {
    if (irq >= GIC_NR_SGIS) this.latch[this.slot(cpu, irq)] = 1;
  }

  /** Clears the latched pending state as GICD_ICPENDR does; a high level-sensitive line keeps
   *  the interrupt pending. */
  clearPending(cpu: number, irq: number): void {
    if (irq >= GIC_NR_SGIS) this.latch[this.slot(cpu, irq)] = 0;
  }

  /** Makes SGI `sgi` pending on `target` from `source` (GICD_SGIR, GICD_SPENDSGIR). */
  sendSgi(source: number, target: number, sgi: number): void {
    this.sgiSources[target * GIC_NR_SGIS + sgi] |= 1 << source;
  }

  /** The group priority of `irq` on `cpu`: its priority with the subpriority bits cleared, by
   *  GICC_BPR, or for Group 1 with CBPR clear by GICC_ABPR (4.4.3, 3.3.3). */
  groupPriority(cpu: number, irq: number): number {
    const c = this.cpus[cpu];
    const s = this.slot(cpu, irq);
    const b = this.group[s] === 1 && (c.ctlr & GICC_CTLR_CBPR) === 0 ? c.abpr - 1 : c.bpr;
    return this.priority[s] & ((0xff << (b + 1)) & 0xff);
  }

  /** Recomputes every CPU's highest priority pending interrupt and its IRQ/FIQ outputs. */
  update(): void {
    for (let cpu = 0; cpu < this.numCpus; cpu++) this.updateCpu(cpu);
  }

  private updateCpu(cpu: number): void {
    const c = this.cpus[cpu];
    // As QEMU: the highest priority pending interrupt is chosen among both groups once the
    // distributor and this interface each enable some group; it is signalled only if both
    // enable its own group.
    const groups = this.distCtlr & c.ctlr & 3;
    let bestPrio = PRIORITY_IDLE;
    let best = INTID_SPURIOUS;
    if ((this.distCtlr & 3) !== 0 && (c.ctlr & 3) !== 0) {
      const { enabled, active, latch, line, edge, group, priority } = this;
      const banked = cpu * GIC_INTERNAL;
      for (let irq = 0; irq < GIC_INTERNAL; irq++) {
        const s = banked + irq;
        if (!enabled[s] || active[s]) continue;
        const pending = irq < GIC_NR_SGIS ? this.sgiSources[cpu * GIC_NR_SGIS + irq] !== 0 : latch[s] !== 0 || (edge[s] === 0 && line[s] !== 0);
        if (pending && priority[s] < bestPrio) {
          bestPrio = priority[s];
          best = irq;
        }
      }
      const spiBase = this.numCpus * GIC_INTERNAL - GIC_INTERNAL;
      const uni = this.numCpus === 1;
      for (let irq = GIC_INTERNAL; irq < this.numIrqs; irq++) {
        const s = spiBase + irq;
        if (!enabled[s] || active[s] || (latch[s] === 0 && (edge[s] !== 0 || line[s] === 0))) continue;
        if (!uni && (this.targets[irq] & (1 << cpu)) === 0) continue;
        if (priority[s] < bestPrio) {
          bestPrio = priority[s];
          best = irq;
        }
      }
    }
    let irq = false;
    let fiq = false;
    if (bestPrio < c.pmr) {
      c.hppi = best;
      // It is signalled when it can preempt: its group priority is above the running priority,
      // which (the running priority being a group priority) is the same as its priority.
      const g = this.group[this.slot(cpu, best)];
      if (bestPrio < c.runningPriority && (groups & (1 << g)) !== 0) {
        if (g === 0 && (c.ctlr & GICC_CTLR_FIQEN) !== 0) fiq = true;
        else irq = true;
      }
    } else {
      c.hppi = INTID_SPURIOUS;
    }
    if (irq !== c.irqOut) {
      c.irqOut = irq;
      c.sink.setIrq(irq);
    }
    if (fiq !== c.fiqOut) {
      c.fiqOut = fiq;
      c.sink.setFiq(fiq);
    }
  }

  /** GICC_HPPIR: the interrupt GICC_IAR would return if preemption allowed it, with the
   *  source CPU of an SGI in bits [12:10]; 1022 for a Group 1 interrupt while AckCtl is 0. */
  highestPending(cpu: number): number {
    const c = this.cpus[cpu];
    const irq = c.hppi;
    if (irq === INTID_SPURIOUS) return irq;
    if (this.group[this.slot(cpu, irq)] === 1 && (c.ctlr & GICC_CTLR_ACKCTL) === 0) return INTID_GROUP1_PENDING;
    if (irq < GIC_NR_SGIS) return irq | (lowestBit(this.sgiSources[cpu * GIC_NR_SGIS + irq]) << 10);
    return irq;
  }

  /** GICC_IAR: acknowledges the highest priority pending interrupt if it can preempt the
   *  running priority (it becomes active, or active and pending if still asserted), and
   *  returns its ID (with the source CPU for an SGI). */
  acknowledge(cpu: number): number {
    const id = this.highestPending(cpu);
    if (id === INTID_SPURIOUS || id === INTID_GROUP1_PENDING) return id;
    const c = this.cpus[cpu];
    const irq = id & 0x3ff;
    const s = this.slot(cpu, irq);
    if (this.priority[s] >= c.runningPriority) return INTID_SPURIOUS;
    if (irq < GIC_NR_SGIS) this.sgiSources[cpu * GIC_NR_SGIS + irq] &= ~(1 << (id >> 10));
    else this.latch[s] = 0;
    this.active[s] = 1;
    const gp = this.groupPriority(cpu, irq);
    const level = gp >> 1;
    (this.group[s] === 1 ? c.nsapr : c.apr)[level >> 5] |= 1 << (level & 31);
    c.runningPriority = gp;
    this.acks[irq]++;
    this.update();
    return id;
  }

  /** Whether EOIR only drops the priority (GICC_CTLR.EOImode = 1) and GICC_DIR deactivates. */
  eoiSplit(cpu: number): boolean {
    return (this.cpus[cpu].ctlr & GICC_CTLR_EOIMODES) !== 0;
  }

  /** GICC_EOIR: priority drop, and deactivation unless EOImode is 1. Spurious IDs and an EOI
   *  with nothing active are ignored. */
  endOfInterrupt(cpu: number, value: number): void {
    const irq = value & 0x3ff;
    const c = this.cpus[cpu];
    if (irq >= this.numIrqs || c.runningPriority === PRIORITY_IDLE) return;
    this.dropPriority(cpu, this.group[this.slot(cpu, irq)]);
    if (!this.eoiSplit(cpu)) this.active[this.slot(cpu, irq)] = 0;
    this.update();
  }

  /** GICC_DIR: deactivates `irq` when EOI mode splits priority drop and deactivation. */
  deactivate(cpu: number, value: number): void {
    const irq = value & 0x3ff;
    if (irq >= this.numIrqs || !this.eoiSplit(cpu)) return;
    this.active[this.slot(cpu, irq)] = 0;
    this.update();
  }

  /** Priority drop: clears the highest active priority of the EOId interrupt's group (the
   *  lowest set bit of GICC_APRn or GICC_NSAPRn; for software that EOIs in the reverse order of
   *  its acknowledges, the highest active priority overall). */
  private dropPriority(cpu: number, group: number): void {
    const c = this.cpus[cpu];
    const apr = group === 1 ? c.nsapr : c.apr;
    for (let w = 0; w < 4; w++) {
      if (apr[w] !== 0) {
        apr[w] &= apr[w] - 1;
        break;
      }
    }
    this.recomputeRunningPriority(cpu);
  }

  /** The running priority from the active priority registers (after a write to them too). */
  recomputeRunningPriority(cpu: number): void {
    const c = this.cpus[cpu];
    c.runningPriority = PRIORITY_IDLE;
    for (let w = 0; w < 4; w++) {
      const both = c.apr[w] | c.nsapr[w];
      if (both !== 0) {
        c.runningPriority = (w * 32 + lowestBit(both)) << 1;
        break;
      }
    }
  }

  /** GICC_CTLR write. */
  setCpuCtlr(cpu: number, value: number): void {
    this.cpus[cpu].ctlr = value & GICC_CTLR_MASK;
    this.update();
  }
}

/** Index of the lowest set bit of a non-zero 32-bit value. */
export function lowestBit(v: number): number {
  return 31 - Math.clz32(v & -v);
}
