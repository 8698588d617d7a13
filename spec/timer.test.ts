// The generic timer (ARM ARM B8) with a hand-driven clock: the counter rate, CVAL and the
// timer condition, ISTATUS/IMASK/ENABLE and the PPI levels, TVAL as a signed view of CVAL,
// CNTVOFF and the virtual timer, the Hyp timer, the deadlines the run loop schedules on, the
// CP15 encodings and PL0 access through CNTKCTL, and icount time being reproducible.
import fc from 'fast-check';
import { GenericTimer, PPI_HYP_TIMER, PPI_PHYS_TIMER, PPI_VIRT_TIMER } from '../runtime/devices/timer/generic-timer.js';
import { HostClock, IcountClock, type Clock } from '../runtime/devices/timer/clock.js';
import type { SysReg } from '../runtime/devices/timer/sysreg.js';

class FakeClock implements Clock {
  ns = 0n;
  nowNs(): bigint {
    return this.ns;
  }
}

function setup() {
  const clock = new FakeClock();
  const lines = new Map<number, boolean>();
  const changes: [number, boolean][] = [];
  const t = new GenericTimer(clock, (irq, l) => {
    lines.set(irq, l);
    changes.push([irq, l]);
  });
  const regs = new Map<string, SysReg>([...t.sysregs(), ...t.hypSysregs()].map((r) => [r.name, r]));
  const reg = (n: string) => regs.get(n)!;
  const rd = (n: string) => reg(n).read();
  const wr = (n: string, v: bigint | number) => reg(n).write(BigInt(v));
  /** Advances time and lets the run loop re-evaluate the timer. */
  const advance = (ns: bigint) => {
    clock.ns += ns;
    t.update();
  };
  return { clock, t, lines, changes, reg, rd, wr, advance };
}

const ENABLE = 1n, IMASK = 2n, ISTATUS = 4n;

describe('the counter', () => {
  test('CNTFRQ is 62.5 MHz and CNTPCT counts one tick every 16 ns', () => {
    const { rd, clock } = setup();
    expect(rd('CNTFRQ')).toBe(62_500_000n);
    expect(rd('CNTPCT')).toBe(0n);
    clock.ns = 15n;
    expect(rd('CNTPCT')).toBe(0n);
    clock.ns = 16n;
    expect(rd('CNTPCT')).toBe(1n);
    clock.ns = 1_000_000_000n;
    expect(rd('CNTPCT')).toBe(62_500_000n);
  });

  test('CNTVCT = CNTPCT - CNTVOFF (mod 2^64); writes to the counters are ignored', () => {
    const { rd, wr, clock } = setup();
    clock.ns = 16_000n;
    wr('CNTVOFF', 400);
    expect(rd('CNTVCT')).toBe(600n);
    wr('CNTVOFF', 2000);
    expect(rd('CNTVCT')).toBe((1n << 64n) - 1000n);
    wr('CNTPCT', 5);
    expect(rd('CNTPCT')).toBe(1000n);
  });

  test('another frequency', () => {
    const clock = new FakeClock();
    const t = new GenericTimer(clock, () => {}, { frequency: 24_000_000n });
    clock.ns = 1_000_000_000n;
    expect(t.counter()).toBe(24_000_000n);
    expect(t.cntfrq).toBe(24_000_000);
    expect(() => new GenericTimer(clock, () => {}, { frequency: 0n })).toThrow(RangeError);
  });
});

describe('the physical timer', () => {
  test('ISTATUS, IMASK and ENABLE against CVAL; the PPI 30 level follows', () => {
    const { rd, wr, lines, advance, t } = setup();
    wr('CNTP_CVAL', 100);
    expect(rd('CNTP_CTL')).toBe(0n);
    wr('CNTP_CTL', ENABLE);
    expect(rd('CNTP_CTL')).toBe(ENABLE);
    expect(lines.get(PPI_PHYS_TIMER)).toBeUndefined();
    expect(t.nextDeadline()).toBe(1600n);
    advance(1599n);
    expect(rd('CNTP_CTL') & ISTATUS).toBe(0n);
    expect(lines.get(PPI_PHYS_TIMER)).toBeUndefined();
    advance(1n);
    expect(rd('CNTP_CTL')).toBe(ENABLE | ISTATUS);
    expect(lines.get(PPI_PHYS_TIMER)).toBe(true);
    expect(t.nextDeadline()).toBeUndefined();
    wr('CNTP_CTL', ENABLE | IMASK);
    expect(rd('CNTP_CTL')).toBe(ENABLE | IMASK | ISTATUS); // masked, still met
    expect(lines.get(PPI_PHYS_TIMER)).toBe(false);
    wr('CNTP_CTL', ENABLE);
    expect(lines.get(PPI_PHYS_TIMER)).toBe(true);
    wr('CNTP_CTL', 0);
    expect(rd('CNTP_CTL')).toBe(0n); // disabled: ISTATUS reads 0
    expect(lines.get(PPI_PHYS_TIMER)).toBe(false);
    wr('CNTP_CTL', 0xffff_fff8n | ENABLE);
    expect(rd('CNTP_CTL')).toBe(ENABLE | ISTATUS); // only ENABLE and IMASK are writable
  });

  test('a new CVAL in the future lowers the line; a CVAL in the past raises it at once', () => {
    const { wr, lines, advance, t } = setup();
    wr('CNTP_CVAL', 10);
    wr('CNTP_CTL', ENABLE);
    expect(lines.get(PPI_PHYS_TIMER)).toBeUndefined();
    advance(160n);
    expect(lines.get(PPI_PHYS_TIMER)).toBe(true);
    wr('CNTP_CVAL', 50);
    expect(lines.get(PPI_PHYS_TIMER)).toBe(false);
    expect(t.nextDeadline()).toBe(800n);
    wr('CNTP_CVAL', 0);
    expect(lines.get(PPI_PHYS_TIMER)).toBe(true);
  });

  test('TVAL is CVAL - CNTPCT as a signed 32-bit value; writing it sets CVAL from the counter', () => {
    const { rd, wr, clock } = setup();
    clock.ns = 16n * 1000n;
    wr('CNTP_TVAL', 500);
    expect(rd('CNTP_CVAL')).toBe(1500n);
    clock.ns = 16n * 1200n;
    expect(rd('CNTP_TVAL')).toBe(300n);
    clock.ns = 16n * 1600n;
    expect(rd('CNTP_TVAL')).toBe(0xffff_ff9cn); // -100
    wr('CNTP_TVAL', 0xffff_ff00n); // -256
    expect(rd('CNTP_CVAL')).toBe(1600n - 256n);
    wr('CNTP_CTL', ENABLE);
    expect(rd('CNTP_CTL') & ISTATUS).toBe(ISTATUS);
  });

  test('property: TVAL write then read after d ticks gives TVAL - d, and CVAL - CNTPCT agrees (mod 2^32)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 40n }), fc.integer(), fc.bigInt({ min: 0n, max: 1n << 33n }), (start, tval, d) => {
        const { rd, wr, clock } = setup();
        clock.ns = start * 16n;
        wr('CNTP_TVAL', BigInt(tval >>> 0));
        clock.ns += d * 16n;
        const got = rd('CNTP_TVAL');
        expect(got).toBe(BigInt.asUintN(32, BigInt(tval) - d));
        expect(got).toBe(BigInt.asUintN(32, rd('CNTP_CVAL') - rd('CNTPCT')));
      }),
    );
  });
});

describe('the virtual and Hyp timers', () => {
  test('the virtual timer compares CNTVCT and raises PPI 27; its deadline includes CNTVOFF', () => {
    const { rd, wr, lines, advance, t } = setup();
    wr('CNTVOFF', 1000);
    advance(16n * 1000n); // CNTPCT 1000, CNTVCT 0
    wr('CNTV_CVAL', 50);
    wr('CNTV_CTL', ENABLE);
    expect(t.nextDeadline()).toBe(16n * 1050n);
    advance(16n * 49n);
    expect(lines.get(PPI_VIRT_TIMER)).toBeUndefined();
    advance(16n);
    expect(lines.get(PPI_VIRT_TIMER)).toBe(true);
    expect(rd('CNTV_TVAL')).toBe(0n);
    wr('CNTVOFF', 1040); // CNTVCT jumps back to 10
    expect(lines.get(PPI_VIRT_TIMER)).toBe(false);
    expect(lines.get(PPI_PHYS_TIMER)).toBeUndefined();
  });

  test('the Hyp timer raises PPI 26', () => {
    const { wr, lines, advance, t } = setup();
    wr('CNTHP_TVAL', 10);
    wr('CNTHP_CTL', ENABLE);
    expect(t.nextDeadline()).toBe(160n);
    advance(160n);
    expect(lines.get(PPI_HYP_TIMER)).toBe(true);
  });

  test('nextDeadline is the earliest rising output; masked, disabled and fired timers have none', () => {
    const { wr, t } = setup();
    expect(t.nextDeadline()).toBeUndefined();
    wr('CNTP_CVAL', 300);
    wr('CNTP_CTL', ENABLE);
    wr('CNTV_CVAL', 200);
    wr('CNTV_CTL', ENABLE | IMASK);
    expect(t.nextDeadline()).toBe(4800n);
    wr('CNTV_CTL', ENABLE);
    expect(t.nextDeadline()).toBe(3200n);
  });
  test('a deadline that passed since the last update() is still reported (host clock race)', () => {
    // The run loop calls update() and then nextDeadline(); on the host clock time moves in
    // between. The expired timer's output has not risen yet, so its deadline must not vanish
    // (a WFI would otherwise look like it waits with no timer armed).
    const { clock, wr, t, lines } = setup();
    wr('CNTP_CVAL', 100);
    wr('CNTP_CTL', ENABLE);
    clock.ns += 10_000n; // past the deadline, no update()
    expect(t.nextDeadline()).toBe(1600n);
    t.update();
    expect(lines.get(PPI_PHYS_TIMER)).toBe(true);
    expect(t.nextDeadline()).toBeUndefined();
  });
});

describe('system register encodings (ARM ARM B8.2)', () => {
  test('MRC/MCR and MRRC/MCRR encodings', () => {
    const { t } = setup();
    const enc = (r: SysReg) => [r.name, r.coproc, r.opc1, r.crn, r.crm, r.opc2, r.wide];
    expect(t.sysregs().map(enc)).toEqual([
      ['CNTFRQ', 15, 0, 14, 0, 0, false],
      ['CNTKCTL', 15, 0, 14, 1, 0, false],
      ['CNTP_TVAL', 15, 0, 14, 2, 0, false],
      ['CNTP_CTL', 15, 0, 14, 2, 1, false],
      ['CNTV_TVAL', 15, 0, 14, 3, 0, false],
      ['CNTV_CTL', 15, 0, 14, 3, 1, false],
      ['CNTPCT', 15, 0, 0, 14, 0, true],
      ['CNTVCT', 15, 1, 0, 14, 0, true],
      ['CNTP_CVAL', 15, 2, 0, 14, 0, true],
      ['CNTV_CVAL', 15, 3, 0, 14, 0, true],
    ]);
    expect(t.hypSysregs().map(enc)).toEqual([
      ['CNTVOFF', 15, 4, 0, 14, 0, true],
      ['CNTHCTL', 15, 4, 14, 1, 0, false],
      ['CNTHP_TVAL', 15, 4, 14, 2, 0, false],
      ['CNTHP_CTL', 15, 4, 14, 2, 1, false],
      ['CNTHP_CVAL', 15, 6, 0, 14, 0, true],
    ]);
  });

  test('PL0 access follows CNTKCTL; CNTKCTL itself is PL1 only', () => {
    const { reg, wr } = setup();
    const pl0 = (n: string) => reg(n).pl0?.() ?? false;
    const names = ['CNTFRQ', 'CNTPCT', 'CNTVCT', 'CNTP_CTL', 'CNTP_TVAL', 'CNTP_CVAL', 'CNTV_CTL', 'CNTV_TVAL', 'CNTV_CVAL', 'CNTKCTL'];
    const allowed = () => names.filter(pl0);
    expect(allowed()).toEqual([]);
    wr('CNTKCTL', 1 << 1); // PL0VCTEN: what Linux sets for the vDSO
    expect(allowed()).toEqual(['CNTFRQ', 'CNTVCT']);
    wr('CNTKCTL', 1 << 0);
    expect(allowed()).toEqual(['CNTFRQ', 'CNTPCT']);
    wr('CNTKCTL', (1 << 8) | (1 << 9));
    expect(allowed()).toEqual(['CNTP_CTL', 'CNTP_TVAL', 'CNTP_CVAL', 'CNTV_CTL', 'CNTV_TVAL', 'CNTV_CVAL']);
    wr('CNTKCTL', 0xffff_ffff);
    expect(reg('CNTKCTL').read()).toBe(0x3ffn);
  });
});

describe('clocks', () => {
  test('icount time: the same instruction counts give the same counter values and deadlines', () => {
    const run = () => {
      let insns = 0n;
      const clock = new IcountClock(() => insns, 2n);
      const out: bigint[] = [];
      const t = new GenericTimer(clock, (irq, l) => out.push(BigInt(irq), l ? 1n : 0n, t.counter()));
      const regs = new Map(t.sysregs().map((r) => [r.name, r]));
      regs.get('CNTP_TVAL')!.write(1000n);
      regs.get('CNTP_CTL')!.write(1n);
      for (let step = 0; step < 200; step++) {
        insns += BigInt((step * 7919) % 613);
        t.update();
        out.push(regs.get('CNTPCT')!.read());
        if (step % 50 === 0) regs.get('CNTP_TVAL')!.write(BigInt(step * 10));
      }
      const d = t.nextDeadline();
      out.push(d ?? -1n, d === undefined ? -1n : clock.insnsUntil(d));
      return out;
    };
    const a = run();
    expect(a).toEqual(run());
    expect(a.length).toBeGreaterThan(200);
  });

  test('IcountClock: ns per instruction and instructions until a deadline', () => {
    let n = 10n;
    const c = new IcountClock(() => n, 3n);
    expect(c.nowNs()).toBe(30n);
    expect(c.insnsUntil(31n)).toBe(1n);
    expect(c.insnsUntil(36n)).toBe(2n);
    expect(c.insnsUntil(30n)).toBe(0n);
    n = 100n;
    expect(c.insnsUntil(31n)).toBe(0n);
    expect(() => new IcountClock(() => 0n, 0n)).toThrow(RangeError);
  });

  test('HostClock never goes backwards', () => {
    const c = new HostClock();
    let prev = c.nowNs();
    for (let i = 0; i < 1000; i++) {
      const now = c.nowNs();
      expect(now >= prev).toBe(true);
      prev = now;
    }
  });
});
