// The performance monitors of the Cortex-A15 (ARM ARM C12, the CP15 c9 registers of B4.1.116
// ff.) as qemu-system-arm 7.2 presents them: PMCR.N = 6 event counters and the cycle counter;
// PMCEID0/1 UNDEFINED (QEMU defines them for ARMv8 only); PMXEVTYPER keeps the filter bits
// [31:25] and a 16-bit event number, PMCCFILTR (PMSELR 31) its filter bits [31:26]; a counter
// that is not implemented is RAZ/WI (QEMU's choice for that UNPREDICTABLE case).
//
// Time is the guest instruction count: the cycle counter (one in 64 with PMCR.D) and the
// CPU_CYCLES (0x11) and INST_RETIRED (0x08) event counters advance by retired instructions
// while enabled (PMCR.E and their PMCNTENSET bit); SW_INCR (0x00) counters count PMSWINC writes;
// other events count nothing. The counters are brought up to date lazily, at each access of a
// PMU register. A counter that wraps sets its PMOVSR bit; no overflow interrupt is raised (the
// board's device tree declares no PMU, as QEMU's `virt` for a Cortex-A15 does not). The
// privilege filters are stored, not applied.

import type { RegDef } from './sysregs.js';

/** PMCR's read-only part: implementer ARM, IDCODE 0x0f (as QEMU), N = 6. */
const PMCR_ID = 0x410f0000;
const N = 6;
/** Writable PMCR bits: E, D, X, DP, LC, LP (P and C are actions). */
const PMCR_WRITABLE = 0xf9;
const E = 1 << 0;
const P = 1 << 1;
const C = 1 << 2;
const D = 1 << 3;
/** PMCNTEN*, PMINTEN*, PMOVSR: the cycle counter (bit 31) and counters 0..N-1. */
const COUNTERS = (0x80000000 | ((1 << N) - 1)) | 0;
const CCNT = 0x80000000 | 0;
const EVTYPER_MASK = 0xfe00ffff | 0;
const CCFILTR_MASK = 0xfc000000 | 0;
const SW_INCR = 0x00;
const INST_RETIRED = 0x08;
const CPU_CYCLES = 0x11;
const TWO32 = 0x100000000;

/** The PMU's registers over a retired-instruction counter. */
export function pmuRegs(icount: () => number): RegDef[] {
  let pmcr = 0;
  let cnten = 0;
  let inten = 0;
  let ovs = 0;
  let userenr = 0;
  let pmselr = 0;
  let ccfiltr = 0;
  const evtype = new Array<number>(N).fill(0);
  const evcnt = new Array<number>(N).fill(0); // 0 .. 2^32-1
  let ccnt = 0; // 0 .. 2^32-1
  let ccntSub = 0; // instructions towards the next tick under PMCR.D
  let last = icount();

  /** Adds `n` to counter `i` (-1: the cycle counter), setting its overflow bit on a wrap. */
  const add = (i: number, n: number) => {
    if (i < 0) {
      ccnt += n;
      if (ccnt >= TWO32) (ccnt %= TWO32), (ovs |= CCNT);
    } else {
      evcnt[i] += n;
      if (evcnt[i] >= TWO32) (evcnt[i] %= TWO32), (ovs |= 1 << i);
    }
  };
  /** Brings the counters up to the current instruction count. */
  const sync = () => {
    const now = icount();
    const delta = now - last;
    last = now;
    if (!(pmcr & E) || delta <= 0) return;
    if (cnten & CCNT) {
      if (pmcr & D) {
        ccntSub += delta;
        add(-1, Math.floor(ccntSub / 64));
        ccntSub %= 64;
      } else add(-1, delta);
    }
    for (let i = 0; i < N; i++) {
      const ev = evtype[i] & 0xffff;
      if (cnten & (1 << i) && (ev === CPU_CYCLES || ev === INST_RETIRED)) add(i, delta);
    }
  };
  const el0 = () => (userenr & 1) !== 0;
  const reg = (name: string, crm: number, opc2: number, read: () => number, write: (v: number) => void, extra: Partial<RegDef> = {}): RegDef => ({
    name,
    cp: 15,
    opc1: 0,
    crn: 9,
    crm,
    opc2,
    pl0: el0,
    read: () => (sync(), read() | 0),
    write: (v) => (sync(), write(v)),
    ...extra,
  });
  const selected = () => (pmselr < N ? pmselr : -1);

  return [
    reg('PMCR', 12, 0, () => PMCR_ID | (N << 11) | pmcr, (v) => {
      pmcr = v & PMCR_WRITABLE;
      if (v & P) evcnt.fill(0);
      if (v & C) (ccnt = 0), (ccntSub = 0);
    }),
    reg('PMCNTENSET', 12, 1, () => cnten, (v) => (cnten |= v & COUNTERS)),
    reg('PMCNTENCLR', 12, 2, () => cnten, (v) => (cnten &= ~(v & COUNTERS))),
    reg('PMOVSR', 12, 3, () => ovs, (v) => (ovs &= ~v)),
    reg('PMSWINC', 12, 4, () => 0, (v) => {
      if (!(pmcr & E)) return;
      for (let i = 0; i < N; i++) if (v & cnten & (1 << i) && (evtype[i] & 0xffff) === SW_INCR) add(i, 1);
    }, { access: 'w', pl0: el0 }),
    reg('PMSELR', 12, 5, () => pmselr, (v) => (pmselr = v & 0x1f)),
    reg('PMCCNTR', 13, 0, () => ccnt, (v) => (ccnt = v >>> 0)),
    reg('PMXEVTYPER', 13, 1, () => (pmselr === 31 ? ccfiltr : selected() < 0 ? 0 : evtype[pmselr]), (v) => {
      if (pmselr === 31) ccfiltr = v & CCFILTR_MASK;
      else if (selected() >= 0) evtype[pmselr] = v & EVTYPER_MASK;
    }),
    reg('PMXEVCNTR', 13, 2, () => (selected() < 0 ? 0 : evcnt[pmselr]), (v) => {
      if (selected() >= 0) evcnt[pmselr] = v >>> 0;
    }),
    // PL0 reads PMUSERENR always and never writes it.
    reg('PMUSERENR', 14, 0, () => userenr, (v) => (userenr = v & 1), { pl0: true }),
    reg('PMINTENSET', 14, 1, () => inten, (v) => (inten |= v & COUNTERS), { pl0: undefined }),
    reg('PMINTENCLR', 14, 2, () => inten, (v) => (inten &= ~(v & COUNTERS)), { pl0: undefined }),
  ];
}
