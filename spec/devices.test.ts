// The MMIO bus (lookup, overlap, unmapped and straddling accesses as PhysAbort, per-device
// counts), the PL031 RTC (ARM DDI 0224: reading, loading, the match interrupt, identification)
// and PSCI 1.0 (ARM DEN 0022D: every function's return codes and the effects the run loop sees).
import fc from 'fast-check';
import { MmioBus, type MmioDevice } from '../runtime/devices/bus.js';
import { PhysAbort } from '../runtime/mmu/types.js';
import { Pl031, clockSeconds } from '../runtime/devices/pl031.js';
import { IcountClock } from '../runtime/devices/timer/clock.js';
import {
  Psci, PSCI_AFFINITY_INFO, PSCI_CPU_OFF, PSCI_CPU_ON, PSCI_CPU_SUSPEND, PSCI_FEATURES, PSCI_MIGRATE,
  PSCI_MIGRATE_INFO_TYPE, PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET, PSCI_VERSION, SMCCC_VERSION,
} from '../runtime/devices/psci.js';

class Regs implements MmioDevice {
  readonly mem: Map<number, number> = new Map();
  constructor(
    readonly name: string,
    readonly size: number,
  ) {}
  read(offset: number, size: 1 | 2 | 4): number {
    return (this.mem.get(offset) ?? 0) & (size === 4 ? 0xffffffff : (1 << (8 * size)) - 1);
  }
  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    this.mem.set(offset, value);
  }
}

describe('MMIO bus', () => {
  test('maps devices, finds them, counts accesses per device', () => {
    const bus = new MmioBus();
    const uart = new Regs('uart', 0x1000);
    const rtc = new Regs('rtc', 0x1000);
    bus.map(0x09000000, uart);
    bus.map(0x09010000, rtc);
    bus.write(0x09000000, 4, 0x41);
    expect(uart.mem.get(0)).toBe(0x41);
    bus.write(0x09010ffc, 4, 7);
    expect(rtc.mem.get(0xffc)).toBe(7);
    expect(bus.read(0x09010ffc, 2)).toBe(7);
    expect(bus.find(0x09000fff)?.device).toBe(uart);
    expect(bus.find(0x09001000)).toBeUndefined();
    expect(bus.stats()).toEqual([
      { name: 'uart', base: 0x09000000, reads: 0, writes: 1 },
      { name: 'rtc', base: 0x09010000, reads: 1, writes: 1 },
    ]);
  });

  test('an unmapped or straddling access throws PhysAbort with its address; overlaps are refused', () => {
    const bus = new MmioBus();
    bus.map(0x1000, new Regs('a', 0x100));
    expect(() => bus.read(0x2000, 4)).toThrow(PhysAbort);
    expect(() => bus.write(0xfff, 1, 0)).toThrow(PhysAbort);
    expect(() => bus.read(0x10fe, 4)).toThrow(PhysAbort);
    try {
      bus.read(0x5000, 4);
    } catch (e) {
      expect((e as PhysAbort).pa).toBe(0x5000);
    }
    expect(() => bus.map(0x10ff, new Regs('b', 0x10))).toThrow(/overlaps a/);
    expect(() => bus.map(-1, new Regs('c', 0x10))).toThrow(RangeError);
    expect(() => bus.map(2 ** 40, new Regs('d', 0x10))).toThrow(RangeError);
  });

  test('property: lookup agrees with a linear search over random non-overlapping maps', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 20 }), fc.array(fc.integer({ min: 0, max: 256 * 0x1000 }), { maxLength: 50 }), (slots, probes) => {
        const bus = new MmioBus();
        const devs = slots.map((s) => ({ base: s * 0x1000, dev: new Regs(`d${s}`, 0x800 + (s % 3) * 0x400) }));
        for (const { base, dev } of devs) bus.map(base, dev);
        for (const pa of probes) {
          const want = devs.find(({ base, dev }) => pa >= base && pa < base + dev.size)?.dev;
          expect(bus.find(pa)?.device).toBe(want);
        }
      }),
    );
  });
});

const RTCDR = 0x00, RTCMR = 0x04, RTCLR = 0x08, RTCCR = 0x0c, RTCIMSC = 0x10, RTCRIS = 0x14, RTCMIS = 0x18, RTCICR = 0x1c;

describe('PL031 RTC', () => {
  function setup(start = 1_795_548_804.25) {
    let now = start;
    let line = false;
    const rtc = new Pl031(() => now, (l) => (line = l));
    return { rtc, r: (o: number) => rtc.read(o, 4), w: (o: number, v: number) => rtc.write(o, 4, v), tick: (s: number) => (now += s), line: () => line };
  }

  test('identification: PeriphID 0x00141031, PCellID 0xb105f00d; CR reads 1', () => {
    const { r } = setup();
    const id = (b: number) => [0, 1, 2, 3].reduce((v, i) => v | (r(b + 4 * i) << (8 * i)), 0) >>> 0;
    expect(id(0xfe0)).toBe(0x00141031);
    expect(id(0xff0)).toBe(0xb105f00d);
    expect(r(RTCCR)).toBe(1);
  });

  test('RTCDR counts whole seconds of the source; RTCLR loads it', () => {
    const { r, w, tick } = setup();
    expect(r(RTCDR)).toBe(1_795_548_804);
    tick(0.8);
    expect(r(RTCDR)).toBe(1_795_548_805);
    w(RTCLR, 100);
    expect(r(RTCDR)).toBe(100);
    expect(r(RTCLR)).toBe(100);
    tick(3);
    expect(r(RTCDR)).toBe(103);
    w(RTCLR, 0xffffffff);
    tick(2);
    expect(r(RTCDR)).toBe(1); // wraps
  });

  test('the match interrupt: raised when the counter reaches RTCMR, masked by IMSC, cleared by ICR', () => {
    const { rtc, r, w, tick, line } = setup(1000);
    w(RTCMR, 5);
    w(RTCLR, 0);
    w(RTCIMSC, 1);
    tick(4);
    rtc.update();
    expect(r(RTCRIS)).toBe(0);
    tick(3); // jumps past 5 between two checks: still a match
    rtc.update();
    expect(r(RTCRIS)).toBe(1);
    expect(r(RTCMIS)).toBe(1);
    expect(line()).toBe(true);
    w(RTCICR, 1);
    expect(line()).toBe(false);
    tick(10);
    rtc.update();
    expect(r(RTCRIS)).toBe(0);
    w(RTCMR, 17); // the current value: a match at once (as QEMU)
    expect(r(RTCRIS)).toBe(1);
    w(RTCICR, 1);
    rtc.update();
    expect(r(RTCRIS)).toBe(0);
    w(RTCLR, 17); // loading the match value matches too
    expect(r(RTCRIS)).toBe(1);
    w(RTCICR, 1);
    w(RTCIMSC, 0);
    w(RTCMR, 18);
    tick(1);
    expect(r(RTCDR)).toBe(18);
    expect(r(RTCRIS)).toBe(1);
    expect(line()).toBe(false);
  });

  test('icount time: an epoch plus the emulated clock', () => {
    let insns = 0n;
    const clock = new IcountClock(() => insns, 1n);
    const rtc = new Pl031(clockSeconds(1_700_000_000, clock), () => {});
    expect(rtc.read(RTCDR, 4)).toBe(1_700_000_000);
    insns = 2_500_000_000n;
    expect(rtc.read(RTCDR, 4)).toBe(1_700_000_002);
  });
});

describe('PSCI 1.0', () => {
  const u = (v: number) => v >>> 0;

  test('version, features, migrate info, unknown IDs', () => {
    const p = new Psci();
    expect(p.call(0, PSCI_VERSION, 0, 0, 0)).toEqual({ r0: 0x10001, effect: { kind: 'none' } });
    for (const f of [PSCI_VERSION, PSCI_CPU_SUSPEND, PSCI_CPU_OFF, PSCI_CPU_ON, PSCI_AFFINITY_INFO, PSCI_MIGRATE_INFO_TYPE, PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET, PSCI_FEATURES]) {
      expect(p.call(0, PSCI_FEATURES, f, 0, 0).r0).toBe(0);
    }
    for (const f of [PSCI_MIGRATE, SMCCC_VERSION, 0xc4000003, 0x8400000e, 0x12345678]) {
      expect(p.call(0, PSCI_FEATURES, f, 0, 0).r0).toBe(u(-1));
    }
    expect(p.call(0, PSCI_MIGRATE_INFO_TYPE, 0, 0, 0).r0).toBe(2);
    expect(p.call(0, PSCI_MIGRATE, 0, 0, 0).r0).toBe(u(-1));
    expect(p.call(0, 0xc4000003, 0, 0x80008000, 0).r0).toBe(u(-1)); // SMC64 CPU_ON from AArch32
    expect(p.call(0, SMCCC_VERSION, 0, 0, 0).r0).toBe(u(-1));
    expect(p.calls.get(PSCI_FEATURES)).toBe(14);
  });

  test('one CPU: CPU_ON itself is ALREADY_ON, another affinity INVALID_PARAMETERS; AFFINITY_INFO', () => {
    const p = new Psci([0x80000000]);
    expect(p.call(0, PSCI_CPU_ON, 0, 0x40008000, 0).r0).toBe(u(-4));
    expect(p.call(0, PSCI_CPU_ON, 1, 0x40008000, 0).r0).toBe(u(-2));
    expect(p.call(0, PSCI_AFFINITY_INFO, 0, 0, 0).r0).toBe(0);
    expect(p.call(0, PSCI_AFFINITY_INFO, 0x100, 0, 0).r0).toBe(u(-2));
    expect(p.call(0, PSCI_AFFINITY_INFO, 0, 3, 0).r0).toBe(u(-2));
  });

  test('two CPUs: CPU_ON starts the other once, AFFINITY_INFO follows, CPU_OFF stops a CPU', () => {
    const p = new Psci([0, 1]);
    expect(p.call(0, PSCI_AFFINITY_INFO, 1, 0, 0).r0).toBe(1); // OFF
    expect(p.call(0, PSCI_AFFINITY_INFO, 1, 1, 0).r0).toBe(0); // the cluster is ON
    expect(p.call(0, PSCI_CPU_ON, 1, 0x40100000, 0x1234)).toEqual({ r0: 0, effect: { kind: 'cpu-on', cpu: 1, entry: 0x40100000, context: 0x1234 } });
    expect(p.call(0, PSCI_CPU_ON, 1, 0x40100000, 0).r0).toBe(u(-5)); // ON_PENDING
    expect(p.call(0, PSCI_AFFINITY_INFO, 1, 0, 0).r0).toBe(2);
    p.cpuStarted(1);
    expect(p.call(0, PSCI_AFFINITY_INFO, 1, 0, 0).r0).toBe(0);
    expect(p.call(0, PSCI_CPU_ON, 1, 0, 0).r0).toBe(u(-4));
    expect(p.call(1, PSCI_CPU_OFF, 0, 0, 0).effect).toEqual({ kind: 'cpu-off' });
    expect(p.powerState(1)).toBe('off');
  });

  test('property: any registers give a 32-bit r0 and a known effect, never an exception', () => {
    const kinds = new Set(['none', 'wfi', 'cpu-off', 'system-off', 'system-reset', 'cpu-on']);
    const near = fc.oneof(fc.integer({ min: 0x84000000, max: 0x84000020 }), fc.integer({ min: 0xc4000000, max: 0xc4000020 }), fc.integer({ min: 0, max: 0xffffffff }));
    fc.assert(
      fc.property(near, fc.integer(), fc.integer(), fc.integer(), fc.integer({ min: 0, max: 1 }), (r0, r1, r2, r3, cpu) => {
        const p = new Psci([0, 1]);
        const out = p.call(cpu, r0, r1, r2, r3);
        expect(Number.isInteger(out.r0) && out.r0 >= 0 && out.r0 <= 0xffffffff).toBe(true);
        expect(kinds.has(out.effect.kind)).toBe(true);
        if ((r0 >>> 0) >= 0xc4000000) expect(out.r0).toBe(0xffffffff); // SMC64 IDs: NOT_SUPPORTED
      }),
    );
  });

  test('CPU_SUSPEND waits for an interrupt; SYSTEM_OFF and SYSTEM_RESET end the run', () => {
    const p = new Psci();
    expect(p.call(0, PSCI_CPU_SUSPEND, 0x10000, 0x40008000, 0)).toEqual({ r0: 0, effect: { kind: 'wfi' } });
    expect(p.call(0, PSCI_SYSTEM_OFF, 0, 0, 0).effect).toEqual({ kind: 'system-off' });
    expect(p.call(0, PSCI_SYSTEM_RESET, 0, 0, 0).effect).toEqual({ kind: 'system-reset' });
  });
});
