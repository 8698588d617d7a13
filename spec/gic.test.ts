// GICv2 (IHI 0048B) at the register level: identification as Linux and QEMU's virt GIC show it,
// level and edge inputs, priorities, the priority mask, preemption and binary points, active
// state, EOI with and without split deactivation, SGIs with their source CPUs, SPI targeting on
// two CPUs, Group 1 with AckCtl and FIQEn, spurious IDs; and a fast-check run of random
// operations that checks the CPU interface's invariants against a reference stack of active
// priorities.
import fc from 'fast-check';
import { Gic } from '../runtime/devices/gic/gic.js';
import type { IrqSink } from '../runtime/devices/irq.js';

class Sink implements IrqSink {
  irq = false;
  fiq = false;
  edges = 0;
  setIrq(l: boolean): void {
    if (l !== this.irq) this.edges++;
    this.irq = l;
  }
  setFiq(l: boolean): void {
    this.fiq = l;
  }
}

// distributor offsets
const CTLR = 0x000, TYPER = 0x004, IIDR = 0x008, IGROUPR = 0x080, ISENABLER = 0x100, ICENABLER = 0x180;
const ISPENDR = 0x200, ICPENDR = 0x280, ISACTIVER = 0x300, ICACTIVER = 0x380, IPRIORITYR = 0x400;
const ITARGETSR = 0x800, ICFGR = 0xc00, SGIR = 0xf00, CPENDSGIR = 0xf10, SPENDSGIR = 0xf20;
// CPU interface offsets
const C_CTLR = 0x00, PMR = 0x04, BPR = 0x08, IAR = 0x0c, EOIR = 0x10, RPR = 0x14, HPPIR = 0x18, ABPR = 0x1c;
const AIAR = 0x20, AEOIR = 0x24, APR0 = 0xd0, C_IIDR = 0xfc, DIR = 0x1000;

function setup(cpus = 1, numIrqs = 288) {
  const sinks = Array.from({ length: cpus }, () => new Sink());
  const gic = new Gic(sinks, { numIrqs });
  const d = (cpu = 0) => gic.distributorFor(cpu);
  const c = (cpu = 0) => gic.cpuInterfaceFor(cpu);
  const dw = (off: number, v: number, cpu = 0) => d(cpu).write(off, 4, v);
  const dr = (off: number, cpu = 0) => d(cpu).read(off, 4);
  const cw = (off: number, v: number, cpu = 0) => c(cpu).write(off, 4, v);
  const cr = (off: number, cpu = 0) => c(cpu).read(off, 4);
  const enable = (irq: number, prio: number, cpu = 0) => {
    d(cpu).write(IPRIORITYR + irq, 1, prio);
    dw(ISENABLER + 4 * (irq >> 5), 1 << (irq & 31), cpu);
  };
  /** Linux's gic_dist_init/gic_cpu_init in short: both enabled, PMR 0xf0. */
  const linuxInit = () => {
    dw(CTLR, 1);
    for (let cpu = 0; cpu < cpus; cpu++) {
      cw(PMR, 0xf0, cpu);
      cw(C_CTLR, 1, cpu);
    }
  };
  return { gic, sinks, sink: sinks[0], d, c, dw, dr, cw, cr, enable, linuxInit };
}

describe('identification and reset state', () => {
  test('TYPER, IIDR and the ID registers of QEMU virt\'s GICv2', () => {
    const { dr, d, cr } = setup();
    expect(dr(TYPER)).toBe(8); // ITLinesNumber 8 (288 interrupts), CPUNumber 0, SecurityExtn 0
    expect(dr(IIDR)).toBe(0x43b);
    expect(cr(C_IIDR)).toBe(0x0002043b);
    expect(dr(0xfe8) >> 4).toBe(2); // PIDR2.ArchRev = GICv2
    const cid = [0xff0, 0xff4, 0xff8, 0xffc].map((o) => d().read(o, 4));
    expect(cid).toEqual([0x0d, 0xf0, 0x05, 0xb1]);
    expect(setup(4, 96).dr(TYPER)).toBe(2 | (3 << 5));
  });

  test('SGIs are enabled and edge-triggered, PPIs and SPIs disabled, all Group 0', () => {
    const { dr, dw } = setup();
    expect(dr(ISENABLER)).toBe(0x0000ffff);
    dw(ICENABLER, 0xffffffff);
    expect(dr(ISENABLER)).toBe(0x0000ffff); // SGI enables are RAO/WI
    expect(dr(ISENABLER + 4)).toBe(0);
    expect(dr(ICFGR)).toBe(0xaaaaaaaa);
    dw(ICFGR, 0);
    expect(dr(ICFGR)).toBe(0xaaaaaaaa);
    expect(dr(IGROUPR)).toBe(0);
    expect(dr(CTLR)).toBe(0);
  });

  test('a uniprocessor GIC has RAZ/WI ITARGETSR; two CPUs see their own bit for 0-31', () => {
    const u = setup();
    u.dw(ITARGETSR + 32, 0x01010101);
    expect(u.dr(ITARGETSR)).toBe(0);
    expect(u.dr(ITARGETSR + 32)).toBe(0);
    const m = setup(2);
    expect(m.dr(ITARGETSR, 0)).toBe(0x01010101);
    expect(m.dr(ITARGETSR, 1)).toBe(0x02020202);
    m.dw(ITARGETSR + 32, 0xff030201);
    expect(m.dr(ITARGETSR + 32)).toBe(0x03030201); // masked to existing CPUs
  });

  test('priority and target registers take byte writes; interrupts past the last read zero', () => {
    const { d, dr } = setup(1, 64);
    d().write(IPRIORITYR + 33, 1, 0xa0);
    d().write(IPRIORITYR + 34, 2, 0x1234);
    expect(dr(IPRIORITYR + 32)).toBe(0x1234a000);
    d().write(IPRIORITYR + 64, 1, 0xff);
    expect(dr(IPRIORITYR + 64)).toBe(0);
    expect(dr(ISENABLER + 8)).toBe(0);
  });
});

describe('level and edge inputs', () => {
  test('a level interrupt: pending while high, active on acknowledge, pending again after EOI if still high', () => {
    const { gic, sink, cr, cw, dr, enable, linuxInit } = setup();
    linuxInit();
    enable(33, 0xa0);
    expect(sink.irq).toBe(false);
    gic.setLine(33, true);
    expect(sink.irq).toBe(true);
    expect(dr(ISPENDR + 4)).toBe(1 << 1);
    expect(cr(HPPIR)).toBe(33);
    expect(cr(IAR)).toBe(33);
    expect(sink.irq).toBe(false);
    expect(dr(ISACTIVER + 4)).toBe(1 << 1);
    expect(dr(ISPENDR + 4)).toBe(1 << 1); // active and pending: the line is still high
    expect(cr(RPR)).toBe(0xa0);
    cw(EOIR, 33);
    expect(cr(RPR)).toBe(0xff);
    expect(dr(ISACTIVER + 4)).toBe(0);
    expect(sink.irq).toBe(true);
    gic.setLine(33, false);
    expect(sink.irq).toBe(false);
    expect(cr(IAR)).toBe(1023);
  });

  test('a level interrupt whose line falls before the acknowledge is no longer pending', () => {
    const { gic, sink, cr, enable, linuxInit } = setup();
    linuxInit();
    enable(40, 0x80);
    gic.setLine(40, true);
    gic.setLine(40, false);
    expect(sink.irq).toBe(false);
    expect(cr(IAR)).toBe(1023);
  });

  test('ICPENDR does not clear a level interrupt whose line is high; ISPENDR latches until acknowledged', () => {
    const { gic, dr, dw, cr, cw, enable, linuxInit } = setup();
    linuxInit();
    enable(35, 0x80);
    gic.setLine(35, true);
    dw(ICPENDR + 4, 1 << 3);
    expect(dr(ISPENDR + 4)).toBe(1 << 3);
    gic.setLine(35, false);
    dw(ISPENDR + 4, 1 << 3);
    expect(dr(ISPENDR + 4)).toBe(1 << 3);
    expect(cr(IAR)).toBe(35);
    expect(dr(ISPENDR + 4)).toBe(0);
    cw(EOIR, 35);
    expect(cr(IAR)).toBe(1023);
  });

  test('an edge interrupt latches a pulse, and a second edge while active makes it active and pending', () => {
    const { gic, sink, cr, cw, dw, dr, enable, linuxInit } = setup();
    linuxInit();
    dw(ICFGR + 8, 2 << 2); // interrupt 33 edge-triggered
    expect(dr(ICFGR + 8)).toBe(2 << 2);
    enable(33, 0xa0);
    gic.setLine(33, true);
    gic.setLine(33, false);
    expect(sink.irq).toBe(true);
    expect(cr(IAR)).toBe(33);
    expect(dr(ISPENDR + 4)).toBe(0);
    gic.setLine(33, true);
    gic.setLine(33, false);
    expect(dr(ISPENDR + 4)).toBe(2);
    expect(sink.irq).toBe(false); // active and pending is not forwarded again
    cw(EOIR, 33);
    expect(sink.irq).toBe(true);
    expect(cr(IAR)).toBe(33);
    cw(EOIR, 33);
    expect(cr(IAR)).toBe(1023);
  });

  test('a timer PPI of CPU 0 (level, banked)', () => {
    const { gic, sink, cr, cw, enable, linuxInit } = setup();
    linuxInit();
    enable(27, 0xa0);
    gic.setPpi(0, 27, true);
    expect(sink.irq).toBe(true);
    expect(cr(IAR)).toBe(27);
    gic.setPpi(0, 27, false);
    cw(EOIR, 27);
    expect(sink.irq).toBe(false);
    expect(() => gic.setPpi(0, 33, true)).toThrow(RangeError);
    expect(() => gic.setLine(3, true)).toThrow(RangeError);
  });
});

describe('priorities', () => {
  test('the priority mask: an interrupt at or below PMR is not signalled and IAR is spurious', () => {
    const { gic, sink, cr, cw, enable, linuxInit } = setup();
    linuxInit();
    enable(50, 0xf0);
    gic.setLine(50, true);
    expect(sink.irq).toBe(false);
    expect(cr(HPPIR)).toBe(1023);
    expect(cr(IAR)).toBe(1023);
    cw(PMR, 0xf8);
    expect(sink.irq).toBe(true);
    expect(cr(IAR)).toBe(50);
  });

  test('the highest priority wins, ties go to the lowest ID', () => {
    const { gic, cr, cw, enable, linuxInit } = setup();
    linuxInit();
    enable(60, 0x40);
    enable(45, 0x40);
    enable(33, 0x50);
    for (const i of [60, 45, 33]) gic.setLine(i, true);
    expect(cr(IAR)).toBe(45);
    cw(EOIR, 45);
    gic.setLine(45, false);
    expect(cr(IAR)).toBe(60);
  });

  test('preemption by a higher priority, nested EOIs restore the running priority', () => {
    const { gic, sink, cr, cw, linuxInit, enable } = setup();
    linuxInit();
    enable(33, 0xc0);
    enable(34, 0x80);
    gic.setLine(33, true);
    expect(cr(IAR)).toBe(33);
    expect(cr(RPR)).toBe(0xc0);
    gic.setLine(34, true);
    expect(sink.irq).toBe(true); // 0x80 preempts 0xc0
    expect(cr(IAR)).toBe(34);
    expect(cr(RPR)).toBe(0x80);
    expect(c_apr(cr)).toEqual([0, 0, 1, 1]); // levels 0x80>>1 = 64 and 0xc0>>1 = 96
    cw(EOIR, 34);
    expect(cr(RPR)).toBe(0xc0);
    cw(EOIR, 33);
    expect(cr(RPR)).toBe(0xff);
    expect(c_apr(cr)).toEqual([0, 0, 0, 0]);
  });

  test('a lower priority does not preempt: it stays pending and IAR returns spurious', () => {
    const { gic, sink, cr, cw, linuxInit, enable } = setup();
    linuxInit();
    enable(33, 0x80);
    enable(34, 0xa0);
    gic.setLine(33, true);
    expect(cr(IAR)).toBe(33);
    gic.setLine(34, true);
    expect(sink.irq).toBe(false);
    expect(cr(HPPIR)).toBe(34);
    expect(cr(IAR)).toBe(1023);
    gic.setLine(33, false);
    cw(EOIR, 33);
    expect(sink.irq).toBe(true);
    expect(cr(IAR)).toBe(34);
  });

  test('the binary point: same group priority does not preempt, subpriority only orders pending ones', () => {
    const { gic, sink, cr, cw, linuxInit, enable } = setup();
    linuxInit();
    cw(BPR, 5); // group priority = bits [7:6]
    expect(cr(BPR)).toBe(5);
    enable(33, 0x70);
    enable(34, 0x50); // group priority 0x40 for both
    enable(35, 0x30); // group priority 0x00
    gic.setLine(33, true);
    expect(cr(IAR)).toBe(33);
    expect(cr(RPR)).toBe(0x40);
    gic.setLine(34, true);
    expect(sink.irq).toBe(false);
    expect(cr(IAR)).toBe(1023);
    gic.setLine(35, true);
    expect(sink.irq).toBe(true);
    expect(cr(IAR)).toBe(35);
    expect(cr(RPR)).toBe(0x00);
    gic.setLine(35, false);
    cw(EOIR, 35);
    expect(cr(RPR)).toBe(0x40);
    gic.setLine(33, false);
    cw(EOIR, 33);
    expect(cr(IAR)).toBe(34);
  });

  test('BPR and ABPR keep their minimum values (0 and 1)', () => {
    const { cr, cw } = setup();
    expect([cr(BPR), cr(ABPR)]).toEqual([0, 1]);
    cw(ABPR, 0);
    expect(cr(ABPR)).toBe(1);
    cw(BPR, 0xff);
    expect(cr(BPR)).toBe(7);
  });
});

function c_apr(cr: (off: number) => number): number[] {
  return [0, 4, 8, 12].map((o) => cr(APR0 + o));
}

describe('active state, EOI modes, spurious IDs', () => {
  test('ISACTIVER/ICACTIVER set and clear the active state; an active interrupt is not forwarded', () => {
    const { gic, sink, dr, dw, linuxInit, enable } = setup();
    linuxInit();
    enable(40, 0x80);
    dw(ISACTIVER + 4, 1 << 8);
    expect(dr(ISACTIVER + 4)).toBe(1 << 8);
    gic.setLine(40, true);
    expect(sink.irq).toBe(false);
    dw(ICACTIVER + 4, 1 << 8);
    expect(sink.irq).toBe(true);
  });

  test('EOImode 1: EOIR drops the priority, DIR deactivates', () => {
    const { gic, sink, cr, cw, dr, dw, enable } = setup();
    dw(CTLR, 1);
    cw(PMR, 0xff);
    cw(C_CTLR, 1 | (1 << 9));
    enable(33, 0x80);
    gic.setLine(33, true);
    expect(cr(IAR)).toBe(33);
    cw(EOIR, 33);
    expect(cr(RPR)).toBe(0xff);
    expect(dr(ISACTIVER + 4)).toBe(2);
    expect(sink.irq).toBe(false);
    cw(DIR, 33);
    expect(dr(ISACTIVER + 4)).toBe(0);
    expect(sink.irq).toBe(true);
  });

  test('EOImode 0: DIR is ignored', () => {
    const { gic, cr, cw, dr, linuxInit, enable } = setup();
    linuxInit();
    enable(33, 0x80);
    gic.setLine(33, true);
    expect(cr(IAR)).toBe(33);
    cw(DIR, 33);
    expect(dr(ISACTIVER + 4)).toBe(2);
    cw(EOIR, 33);
    expect(dr(ISACTIVER + 4)).toBe(0);
  });

  test('spurious: IAR reads 1023 with nothing pending or with the distributor or CPU interface disabled; EOIR 1023 is ignored', () => {
    const { gic, sink, cr, cw, dw, enable } = setup();
    cw(PMR, 0xff);
    enable(33, 0x80);
    gic.setLine(33, true);
    expect(cr(IAR)).toBe(1023);
    dw(CTLR, 1);
    expect(sink.irq).toBe(false);
    expect(cr(IAR)).toBe(1023);
    cw(C_CTLR, 1);
    expect(sink.irq).toBe(true);
    cw(EOIR, 1023);
    expect(cr(IAR)).toBe(33);
    cw(EOIR, 1023);
    expect(cr(RPR)).toBe(0x80);
    cw(EOIR, 33);
    expect(cr(RPR)).toBe(0xff);
    cw(EOIR, 33); // nothing active: ignored
    expect(cr(RPR)).toBe(0xff);
  });

  test('acknowledge counts per interrupt ID for the profiler', () => {
    const { gic, cr, cw, linuxInit, enable } = setup();
    linuxInit();
    enable(27, 0x80);
    for (let i = 0; i < 3; i++) {
      gic.setPpi(0, 27, true);
      expect(cr(IAR)).toBe(27);
      gic.setPpi(0, 27, false);
      cw(EOIR, 27);
    }
    expect(gic.acknowledged[27]).toBe(3);
  });
});

describe('groups', () => {
  test('Group 1 with AckCtl clear: IAR and HPPIR read 1022; AckCtl set: IAR acknowledges; the aliases are RAZ/WI', () => {
    const { gic, sink, cr, cw, dw, dr, enable } = setup();
    dw(CTLR, 3);
    cw(PMR, 0xff);
    cw(C_CTLR, 3);
    dw(IGROUPR + 4, 1 << 1);
    expect(dr(IGROUPR + 4)).toBe(2);
    enable(33, 0x80);
    gic.setLine(33, true);
    expect(sink.irq).toBe(true);
    expect(sink.fiq).toBe(false);
    expect(cr(HPPIR)).toBe(1022);
    expect(cr(IAR)).toBe(1022);
    expect(cr(AIAR)).toBe(0); // no Security Extensions: no Non-secure alias (as QEMU)
    cw(AEOIR, 33);
    expect(cr(RPR)).toBe(0xff);
    cw(C_CTLR, 3 | 4);
    expect(cr(IAR)).toBe(33);
    expect(cr(RPR)).toBe(0x80);
    expect(cr(0xe8)).toBe(1); // the Group 1 active priority: GICC_NSAPR2 bit 0 (level 64)
    cw(EOIR, 33);
    expect(cr(RPR)).toBe(0xff);
  });

  test('Group 0 is signalled as FIQ when FIQEn is set', () => {
    const { gic, sink, cr, cw, dw, enable } = setup();
    dw(CTLR, 1);
    cw(PMR, 0xff);
    cw(C_CTLR, 1 | 8);
    enable(33, 0x80);
    gic.setLine(33, true);
    expect(sink.fiq).toBe(true);
    expect(sink.irq).toBe(false);
    expect(cr(IAR)).toBe(33);
    expect(sink.fiq).toBe(false);
  });

  test('a group disabled in the distributor or the CPU interface is not signalled (HPPIR still shows it, as QEMU)', () => {
    const { gic, sink, cr, cw, dw, enable } = setup();
    dw(CTLR, 2); // only Group 1
    cw(PMR, 0xff);
    cw(C_CTLR, 3);
    enable(33, 0x80);
    gic.setLine(33, true);
    expect(sink.irq).toBe(false);
    expect(cr(HPPIR)).toBe(33);
    dw(CTLR, 3);
    expect(sink.irq).toBe(true);
    cw(C_CTLR, 2);
    expect(sink.irq).toBe(false);
    dw(CTLR, 0);
    expect(cr(HPPIR)).toBe(1023); // nothing enabled at all
  });
});

describe('SGIs and targets', () => {
  test('SGIR to self, SPENDSGIR/CPENDSGIR show and clear the source CPUs', () => {
    const { sink, cr, cw, dr, dw, d, linuxInit } = setup();
    linuxInit();
    dw(SGIR, (2 << 24) | 5);
    expect(sink.irq).toBe(true);
    expect(dr(ISPENDR)).toBe(1 << 5);
    expect(d().read(SPENDSGIR + 5, 1)).toBe(1);
    expect(cr(IAR)).toBe(5);
    cw(EOIR, 5);
    d().write(SPENDSGIR + 6, 1, 1);
    expect(dr(SPENDSGIR + 4)).toBe(0x010000); // SGI 6 pending from CPU 0
    dw(ICPENDR, 1 << 6); // write-ignored for SGIs
    expect(dr(ISPENDR)).toBe(1 << 6);
    d().write(CPENDSGIR + 6, 1, 1);
    expect(dr(ISPENDR)).toBe(0);
    expect(sink.irq).toBe(false);
  });

  test('two CPUs: target list, all-but-self, and one SGI pending from two sources', () => {
    const { sinks, cr, cw, dw, linuxInit } = setup(2);
    linuxInit();
    dw(SGIR, (0 << 24) | (0b10 << 16) | 3, 0);
    expect(sinks[0].irq).toBe(false);
    expect(sinks[1].irq).toBe(true);
    expect(cr(IAR, 1)).toBe(3); // source CPU 0
    cw(EOIR, 3, 1);
    dw(SGIR, (1 << 24) | 3, 1);
    expect(sinks[0].irq).toBe(true);
    expect(sinks[1].irq).toBe(false);
    expect(cr(IAR, 0)).toBe(3 | (1 << 10));
    cw(EOIR, 3 | (1 << 10), 0);
    // SGI 7 to CPU 1 from both CPUs: two acknowledges, source 0 first
    dw(SGIR, (0b10 << 16) | 7, 0);
    dw(SGIR, (2 << 24) | 7, 1);
    expect(cr(HPPIR, 1)).toBe(7);
    expect(cr(IAR, 1)).toBe(7);
    expect(cr(IAR, 1)).toBe(1023); // still pending from CPU 1, but active
    cw(EOIR, 7, 1);
    expect(cr(IAR, 1)).toBe(7 | (1 << 10));
    cw(EOIR, 7 | (1 << 10), 1);
    expect(cr(IAR, 1)).toBe(1023);
    dw(SGIR, (3 << 24) | 1, 0); // reserved filter: every CPU, as QEMU
    expect(sinks[0].irq && sinks[1].irq).toBe(true);
  });

  test('two CPUs: an SPI goes only to its targets; PPIs are banked', () => {
    const { gic, sinks, cr, cw, d, dw, dr, linuxInit, enable } = setup(2);
    linuxInit();
    enable(40, 0x80);
    d().write(ITARGETSR + 40, 1, 0b10);
    gic.setLine(40, true);
    expect(sinks.map((s) => s.irq)).toEqual([false, true]);
    expect(cr(IAR, 0)).toBe(1023);
    expect(cr(IAR, 1)).toBe(40);
    cw(EOIR, 40, 1);
    gic.setLine(40, false);
    enable(30, 0x80, 1);
    expect(dr(ISENABLER, 0) & (1 << 30)).toBe(0);
    expect(dr(ISENABLER, 1) & (1 << 30)).not.toBe(0);
    gic.setPpi(0, 30, true);
    expect(sinks.map((s) => s.irq)).toEqual([false, false]);
    gic.setPpi(1, 30, true);
    expect(sinks.map((s) => s.irq)).toEqual([false, true]);
    dw(ISPENDR, 1 << 31, 0);
    expect(dr(ISPENDR, 1) & (1 << 31)).toBe(0);
  });
});

describe('invariants under random operation sequences', () => {
  test('two CPUs: SGIs between them follow a reference model of pending sources (IAR predicted exactly)', () => {
    type Op = { k: 'send'; from: number; filter: number; list: number; id: number } | { k: 'ack'; cpu: number } | { k: 'eoi'; cpu: number } | { k: 'clear'; cpu: number; id: number; mask: number };
    const cpuArb = fc.integer({ min: 0, max: 1 });
    const idArb = fc.integer({ min: 0, max: 5 });
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ k: fc.constant('send' as const), from: cpuArb, filter: fc.integer({ min: 0, max: 2 }), list: fc.integer({ min: 0, max: 3 }), id: idArb }),
      fc.record({ k: fc.constant('ack' as const), cpu: cpuArb }),
      fc.record({ k: fc.constant('eoi' as const), cpu: cpuArb }),
      fc.record({ k: fc.constant('clear' as const), cpu: cpuArb, id: idArb, mask: fc.integer({ min: 1, max: 3 }) }),
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), (ops) => {
        const { sinks, cr, cw, dw, d, linuxInit } = setup(2);
        linuxInit();
        // reference: pending source masks per (cpu, sgi), the active SGI (with its ID as acked) per cpu
        const pend = [new Array(16).fill(0), new Array(16).fill(0)];
        const active: (number | undefined)[] = [undefined, undefined];
        for (const op of ops) {
          if (op.k === 'send') {
            dw(SGIR, (op.filter << 24) | (op.list << 16) | op.id, op.from);
            const targets = op.filter === 0 ? op.list : op.filter === 1 ? 3 & ~(1 << op.from) : 1 << op.from;
            for (let t = 0; t < 2; t++) if (targets & (1 << t)) pend[t][op.id] |= 1 << op.from;
          } else if (op.k === 'ack') {
            let want = 1023;
            if (active[op.cpu] === undefined) {
              const id = pend[op.cpu].findIndex((m) => m !== 0);
              if (id >= 0) {
                const src = pend[op.cpu][id] & 1 ? 0 : 1;
                want = id | (src << 10);
                pend[op.cpu][id] &= ~(1 << src);
                active[op.cpu] = want;
              }
            }
            expect(cr(IAR, op.cpu)).toBe(want);
          } else if (op.k === 'eoi') {
            const a = active[op.cpu];
            if (a !== undefined) {
              cw(EOIR, a, op.cpu);
              active[op.cpu] = undefined;
            }
          } else {
            d(op.cpu).write(CPENDSGIR + op.id, 1, op.mask);
            pend[op.cpu][op.id] &= ~op.mask;
          }
          for (let c = 0; c < 2; c++) {
            for (let id = 0; id < 16; id += 4) {
              const word = pend[c][id] | (pend[c][id + 1] << 8) | (pend[c][id + 2] << 16) | (pend[c][id + 3] << 24);
              expect(d(c).read(SPENDSGIR + id, 4)).toBe(word >>> 0);
            }
            const canTake = active[c] === undefined && pend[c].some((m) => m !== 0);
            expect(sinks[c].irq).toBe(canTake);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  type Op =
    | { k: 'line'; irq: number; level: boolean }
    | { k: 'enable'; irq: number; on: boolean }
    | { k: 'prio'; irq: number; p: number }
    | { k: 'pend'; irq: number; on: boolean }
    | { k: 'edge'; irq: number; on: boolean }
    | { k: 'sgi'; id: number }
    | { k: 'pmr'; v: number }
    | { k: 'bpr'; v: number }
    | { k: 'ack' }
    | { k: 'eoi' }
    | { k: 'eoiWrong'; irq: number };
  const irqArb = fc.integer({ min: 16, max: 63 });
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ k: fc.constant('line' as const), irq: irqArb, level: fc.boolean() }),
    fc.record({ k: fc.constant('enable' as const), irq: irqArb, on: fc.boolean() }),
    fc.record({ k: fc.constant('prio' as const), irq: fc.integer({ min: 0, max: 63 }), p: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ k: fc.constant('pend' as const), irq: irqArb, on: fc.boolean() }),
    fc.record({ k: fc.constant('edge' as const), irq: irqArb, on: fc.boolean() }),
    fc.record({ k: fc.constant('sgi' as const), id: fc.integer({ min: 0, max: 15 }) }),
    fc.record({ k: fc.constant('pmr' as const), v: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ k: fc.constant('bpr' as const), v: fc.integer({ min: 0, max: 7 }) }),
    fc.constant({ k: 'ack' as const }),
    fc.constant({ k: 'ack' as const }),
    fc.constant({ k: 'eoi' as const }),
    fc.record({ k: fc.constant('eoiWrong' as const), irq: fc.constantFrom(1020, 1021, 1022, 1023) }),
  );

  test('the running priority is the top of the stack of acknowledged interrupts; IRQ is high exactly when IAR would acknowledge', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => {
        const { gic, sink, cr, cw, dr, dw, d, linuxInit } = setup(1, 64);
        linuxInit();
        // reference: acknowledged, not yet EOId interrupts and their group priorities
        const stack: { id: number; gp: number }[] = [];
        const bprNow = () => cr(BPR);
        for (const op of ops) {
          switch (op.k) {
            case 'line':
              gic.setLine(op.irq, op.level);
              break;
            case 'enable':
              dw((op.on ? ISENABLER : ICENABLER) + 4 * (op.irq >> 5), 1 << (op.irq & 31));
              break;
            case 'prio':
              d().write(IPRIORITYR + op.irq, 1, op.p);
              break;
            case 'pend':
              dw((op.on ? ISPENDR : ICPENDR) + 4 * (op.irq >> 5), 1 << (op.irq & 31));
              break;
            case 'edge': {
              const off = ICFGR + 4 * (op.irq >> 4);
              const sh = 2 * (op.irq & 15) + 1;
              dw(off, (dr(off) & ~(1 << sh)) | ((op.on ? 1 : 0) << sh));
              break;
            }
            case 'sgi':
              dw(SGIR, (2 << 24) | op.id);
              break;
            case 'pmr':
              cw(PMR, op.v);
              break;
            case 'bpr':
              if (stack.length === 0) cw(BPR, op.v); // changing BPR with active interrupts is UNPREDICTABLE
              break;
            case 'ack': {
              const irqBefore = sink.irq;
              const hp = cr(HPPIR);
              const id = cr(IAR);
              // IRQ asserted <=> IAR acknowledges something (Group 0 only, FIQEn clear)
              expect(id !== 1023).toBe(irqBefore);
              if (id !== 1023) {
                expect(id).toBe(hp);
                const irq = id & 0x3ff;
                const prio = d().read(IPRIORITYR + irq, 1);
                expect(prio).toBeLessThan(cr(PMR));
                if (stack.length) expect(prio).toBeLessThan(stack[stack.length - 1].gp);
                const gp = prio & ((0xff << (bprNow() + 1)) & 0xff);
                stack.push({ id: irq, gp });
                expect(dr(ISACTIVER + 4 * (irq >> 5)) & (1 << (irq & 31))).not.toBe(0);
              }
              break;
            }
            case 'eoi': {
              const top = stack.pop();
              if (top) {
                cw(EOIR, top.id);
                expect(dr(ISACTIVER + 4 * (top.id >> 5)) & (1 << (top.id & 31))).toBe(0);
              }
              break;
            }
            case 'eoiWrong':
              cw(EOIR, op.irq);
              break;
          }
          // the running priority follows the stack
          expect(cr(RPR)).toBe(stack.length ? stack[stack.length - 1].gp : 0xff);
          // one active priority bit per nesting level
          const bits = c_apr(cr).reduce((n, w) => n + popcount(w), 0);
          expect(bits).toBe(stack.length);
          // IRQ level: the highest pending interrupt may preempt
          const hp = cr(HPPIR);
          const expectIrq = hp !== 1023 && d().read(IPRIORITYR + (hp & 0x3ff), 1) < (stack.length ? stack[stack.length - 1].gp : 0x100);
          expect(sink.irq).toBe(expectIrq);
        }
      }),
      { numRuns: 300 },
    );
  });
});

function popcount(v: number): number {
  let n = 0;
  for (let x = v >>> 0; x; x &= x - 1) n++;
  return n;
}
