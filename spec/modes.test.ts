// Processor modes, banked registers, CPSR writes and exception entry against models written
// from the ARM ARM pseudocode (B1.3.2 banking, B1.3.3 CPSRWriteByInstr, B1.8 Take*Exception),
// and the CP15 table's access rules.
import fc from 'fast-check';
import { Cp15State } from '../runtime/cpu/cp15.js';
import { Exc, takeException } from '../runtime/cpu/exception.js';
import { SysRegs } from '../runtime/cpu/sysregs.js';
import { HELPERS, helperByName } from '../translator/helpers.js';
import { Mode, readBanked, readCPSR, setCPSR, switchMode, writeBanked, writeCPSRByInstr } from '../translator/modes.js';
import '../translator/sem/priv.js';
import { CpuState, STATE_BYTES, W } from '../translator/state.js';
import { CpuTrap } from '../translator/sys.js';

const MODES = [Mode.USR, Mode.FIQ, Mode.IRQ, Mode.SVC, Mode.ABT, Mode.UND, Mode.SYS];

function fresh(): CpuState {
  return new CpuState(new ArrayBuffer(STATE_BYTES), 0);
}

/** A reference model of the banked register file: R[n] as each mode sees it (B1.3.2, Table B1-2). */
class Model {
  regs = new Map<string, number>();
  static bank(m: number, r: number): string {
    if (r < 8 || r === 15) return `r${r}`;
    if (r <= 12) return m === Mode.FIQ ? `r${r}_fiq` : `r${r}_usr`;
    const name = { [Mode.FIQ]: 'fiq', [Mode.IRQ]: 'irq', [Mode.SVC]: 'svc', [Mode.ABT]: 'abt', [Mode.UND]: 'und' }[m] ?? 'usr';
    return `r${r}_${name}`;
  }
  get(m: number, r: number): number {
    return this.regs.get(Model.bank(m, r)) ?? 0;
  }
  set(m: number, r: number, v: number): void {
    this.regs.set(Model.bank(m, r), v);
  }
}

describe('banked registers', () => {
  test('switchMode and R8-R14 agree with the bank model over random mode changes and writes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...MODES), fc.integer({ min: 0, max: 14 }), fc.integer()), { maxLength: 40 }),
        (steps) => {
          const cpu = fresh();
          const st = cpu.i32;
          setCPSR(st, Mode.SVC);
          const model = new Model();
          for (const [m, r, v] of steps) {
            switchMode(st, m);
            st[r] = v;
            model.set(m, r, v);
            // Every mode's view, read through the banked accessors, matches the model.
            for (const other of MODES) for (let n = 8; n <= 14; n++) if (readBanked(st, other, n) !== model.get(other, n)) return false;
          }
          return true;
        },
      ),
    );
  });

  test('writeBanked writes the other mode\'s copy only', () => {
    const st = fresh().i32;
    setCPSR(st, Mode.SVC);
    st[13] = 100;
    writeBanked(st, Mode.IRQ, 13, 200);
    writeBanked(st, Mode.USR, 14, 300);
    expect(st[13]).toBe(100);
    switchMode(st, Mode.IRQ);
    expect(st[13]).toBe(200);
    switchMode(st, Mode.SYS);
    expect(st[14]).toBe(300);
  });
});

describe('CPSR', () => {
  test('setCPSR / readCPSR round trip for every implemented mode', () => {
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom(...MODES), (v, m) => {
        const st = fresh().i32;
        // bits 24 (J) and 23:20 (RAZ) do not exist here
        const cpsr = ((v & ~0x01f0001f) | m) >>> 0;
        setCPSR(st, cpsr);
        return readCPSR(st) === cpsr;
      }),
    );
  });

  test('CPSRWriteByInstr: PL0 writes only NZCVQ, GE and E; PL1 also A, I, F and the mode; T and IT only on exception return', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 15 }), fc.constantFrom(...MODES), fc.boolean(), (v, mask, mode, excRet) => {
        const st = fresh().i32;
        setCPSR(st, mode | 0x1c0);
        const before = readCPSR(st);
        writeCPSRByInstr(st, v, mask, excRet);
        const after = readCPSR(st);
        const priv = mode !== Mode.USR;
        let expect = before;
        const put = (bits: number) => (expect = ((expect & ~bits) | (v & bits)) >>> 0);
        if (mask & 8) put(excRet ? 0xfe000000 & ~0x01000000 : 0xf8000000);
        if (mask & 4) put(0x000f0000);
        if (mask & 2) put((excRet ? 0xfc00 : 0) | 0x200 | (priv ? 0x100 : 0));
        if (mask & 1) {
          if (priv) {
            put(0xc0);
            const m = v & 0x1f;
            if (MODES.includes(m as (typeof MODES)[number])) put(0x1f);
          }
          if (excRet) put(0x20);
        }
        return after === expect >>> 0;
      }),
    );
  });
});

describe('exception entry (B1.8)', () => {
  const cases: [Exc, number, number, number, number, number][] = [
    // kind, mode, vector offset, LR offset ARM, LR offset Thumb, mask bits (A I F)
    [Exc.UNDEF, Mode.UND, 0x04, 4, 2, 0x080],
    [Exc.SVC, Mode.SVC, 0x08, 0, 0, 0x080],
    [Exc.PREFETCH_ABORT, Mode.ABT, 0x0c, 4, 4, 0x180],
    [Exc.DATA_ABORT, Mode.ABT, 0x10, 8, 8, 0x180],
    [Exc.IRQ, Mode.IRQ, 0x18, 4, 4, 0x180],
    [Exc.FIQ, Mode.FIQ, 0x1c, 4, 4, 0x1c0],
  ];
  test.each(cases)('kind %i: mode, LR, SPSR, masks, vector', (kind, mode, vec, lrArm, lrThumb, mask) => {
    fc.assert(
      fc.property(fc.constantFrom(...MODES), fc.boolean(), fc.integer(), fc.integer({ min: 0, max: 0xffff }), fc.boolean(), (from, thumb, addr, flags, te) => {
        const st = fresh().i32;
        const cp15 = new Cp15State();
        cp15.vbar = 0x80001000;
        if (te) cp15.sctlr |= 1 << 30;
        const cpsr = (((flags << 16) & 0xf80f0000) | (thumb ? 0x20 | (0x1f << 10) : 0) | from) >>> 0;
        setCPSR(st, cpsr);
        takeException(st, cp15, kind, addr);
        const expLr = (addr + (thumb ? lrThumb : lrArm)) | 0;
        const spsrW = { [Mode.UND]: W.SPSR_UND, [Mode.SVC]: W.SPSR_SVC, [Mode.ABT]: W.SPSR_ABT, [Mode.IRQ]: W.SPSR_IRQ, [Mode.FIQ]: W.SPSR_FIQ }[mode]!;
        const after = readCPSR(st);
        return (
          (after & 0x1f) === mode &&
          st[W.LR] === expLr &&
          st[spsrW] >>> 0 === cpsr &&
          (after & mask) === mask &&
          (after & 0x1c0 & ~mask) === (cpsr & 0x1c0 & ~mask) &&
          (after & 0x0600fc00) === 0 && // IT cleared
          ((after >>> 5) & 1) === (te ? 1 : 0) &&
          (after & 0xf80f0000) === (cpsr & 0xf80f0000) &&
          st[W.PC] >>> 0 === 0x80001000 + vec
        );
      }),
    );
  });
});

describe('exception return helpers', () => {
  const call = (name: string, cpu: CpuState, ...a: number[]) => helperByName(name)!.fn(cpu, a[0] ?? 0, a[1] ?? 0, a[2] ?? 0, a[3] ?? 0);

  test('sys_exc_return: CPSR = SPSR (with IT and T), PC aligned for the new state', () => {
    const cpu = fresh();
    setCPSR(cpu.i32, Mode.ABT | 0x1c0);
    cpu.i32[W.SPSR_ABT] = (0x60000000 | (1 << 25) | (0x15 << 10) | 0x20 | Mode.USR) >>> 0;
    call('sys_exc_return', cpu, 0x1003);
    expect(readCPSR(cpu.i32) >>> 0).toBe(cpu.i32[W.SPSR_ABT] >>> 0);
    expect(cpu.i32[W.PC]).toBe(0x1002);
  });

  test('sys_exc_return in System mode is UNDEFINED (no SPSR), and changes nothing', () => {
    const cpu = fresh();
    setCPSR(cpu.i32, Mode.SYS | 0x1c0);
    expect(() => call('sys_exc_return', cpu, 0x1000)).toThrow(CpuTrap);
    expect(readCPSR(cpu.i32)).toBe(Mode.SYS | 0x1c0);
  });

  test('every system helper is registered once', () => {
    const names = HELPERS.map((h) => h.name).filter((n) => n.startsWith('sys_'));
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['sys_mrs_cpsr', 'sys_msr_cpsr', 'sys_cps', 'sys_exc_return', 'sys_rfe', 'sys_cp_read', 'sys_cp_write']));
  });
});

describe('system register table', () => {
  test('PL0: registers without a PL0 rule are UNDEFINED at lift time; dynamic rules are checked at run time', () => {
    const cpu = fresh();
    const regs = new SysRegs(cpu);
    let open = false;
    let v = 0;
    regs.define([
      { name: 'PRIV', cp: 15, opc1: 0, crn: 9, crm: 9, opc2: 0, read: () => 1 },
      { name: 'DYN', cp: 15, opc1: 0, crn: 9, crm: 9, opc2: 1, pl0: () => open, read: () => v, write: (x) => (v = x) },
      { name: 'RO', cp: 15, opc1: 0, crn: 9, crm: 9, opc2: 2, access: 'r', pl0: true, read: () => 7 },
    ]);
    expect(regs.lookup(0, 15, 0, 9, 9, 0, false)).toBe(-1);
    expect(regs.lookup(1, 15, 0, 9, 9, 0, false)).toBeGreaterThanOrEqual(0);
    const dyn = regs.lookup(0, 15, 0, 9, 9, 1, false);
    expect(() => regs.cpRead(dyn, 0)).toThrow(CpuTrap);
    open = true;
    regs.cpWrite(dyn, 0, 42, 0);
    expect(regs.cpRead(dyn, 0)).toBe(42);
    const ro = regs.lookup(0, 15, 0, 9, 9, 2, false);
    expect(regs.cpRead(ro, 0)).toBe(7);
    expect(() => regs.cpWrite(ro, 1, 1, 0)).toThrow(CpuTrap);
  });
});
