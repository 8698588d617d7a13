// The coprocessor registers of a Cortex-A15 with VFPv3-D32/VFPv4 and no Advanced SIMD, as
// data (ARM ARM B4.1 and B3.18; Cortex-A15 TRM r2p1 ch. 4; values as qemu-system-arm
// -cpu cortex-a15 reports them on the `virt` board without EL2/EL3, i.e. ID_PFR1 without the
// Security and Virtualization Extensions fields; MVFR1 without Advanced SIMD, which armvisor
// does not implement, so Linux does not use NEON). Data-cache maintenance is a no-op; the
// instruction-cache and branch-predictor operations reach the CPU's translated code; TLB
// maintenance and every change of the translation regime reach the memory's TLB.

import { W, type CpuState } from '../../translator/state.js';
import { Cp15State } from './cp15.js';
import { pmuRegs } from './pmu.js';
import type { RegDef } from './sysregs.js';

/** r4p0, as qemu-system-arm 7.2 reports it (older QEMUs: 0x412fc0f1, r2p1). */
export const A15_MIDR = 0x414fc0f0;

/** What the register handlers need from the rest of the CPU. */
export interface Cp15Hooks {
  /** TLB maintenance: `kind` and its argument (MVA with ASID in [7:0], ASID, or 0). */
  tlbFlush(kind: 'all' | 'mva' | 'asid' | 'mvaa', value: number): void;
  /**
   * SCTLR, TTBR0/1, TTBCR, DACR, PRRR/NMRR or CONTEXTIDR changed; `asid` when it was TTBR0,
   * TTBR1 or CONTEXTIDR (the table base or current ASID: cached entries of global mappings stay).
   */
  translationChanged(asid?: boolean): void;
  /** CPACR was written (what VFP instructions may do at each PL). */
  cpacrChanged?(): void;
  /** ICIALLU(IS), BPIALL(IS), ICIMVAU, BPIMVA: translated code may be stale (`va` for the by-MVA forms). */
  invalidateCode(va?: number): void;
  /** ATS1C{PR,PW,UR,UW} (op 0..3) of `va`: the PAR. */
  ats1c(op: number, va: number): { lo: number; hi: number };
  /** ISR (Interrupt Status Register, c12, c1, 0): bit 8 A, 7 I, 6 F pending. */
  isr(): number;
  /** Guest instructions retired (the PMU's counters count them: pmu.ts). */
  icount(): number;
}

const ro = (name: string, cp: number, opc1: number, crn: number, crm: number, opc2: number, value: number, pl0?: boolean): RegDef => ({
  name,
  cp,
  opc1,
  crn,
  crm,
  opc2,
  access: 'r',
  pl0,
  read: () => value,
});

/** An operation: write-only, `fn` runs on the write. */
const op = (name: string, cp: number, opc1: number, crn: number, crm: number, opc2: number, fn: (v: number) => void, pl0?: boolean): RegDef => ({
  name,
  cp,
  opc1,
  crn,
  crm,
  opc2,
  access: 'w',
  pl0: pl0 ? 'rw' : undefined,
  write: (v) => fn(v),
});

/** A stored 32-bit register with a mask of writable bits. */
function stored(name: string, cp: number, opc1: number, crn: number, crm: number, opc2: number, reset: number, mask = -1): RegDef {
  let v = reset;
  return { name, cp, opc1, crn, crm, opc2, read: () => v, write: (x) => (v = (v & ~mask) | (x & mask)) };
}

export function cortexA15Regs(c: Cp15State, cpu: CpuState, h: Cp15Hooks, mpidr: number): RegDef[] {
  const st = cpu.i32;
  const cp15 = (name: string, opc1: number, crn: number, crm: number, opc2: number, get: () => number, set: (v: number) => void, extra: Partial<RegDef> = {}): RegDef => ({
    name,
    cp: 15,
    opc1,
    crn,
    crm,
    opc2,
    read: get,
    write: (v) => set(v),
    ...extra,
  });
  const mmu = (name: string, crn: number, crm: number, opc2: number, get: () => number, set: (v: number) => void, asid?: boolean): RegDef =>
    cp15(name, 0, crn, crm, opc2, get, (v) => {
      set(v);
      h.translationChanged(asid);
    }, { endsBlock: true });

  const regs: RegDef[] = [
    // ---- c0: identification (B4.1.105 MIDR ...; TRM 4.3) ----
    ro('MIDR', 15, 0, 0, 0, 0, A15_MIDR),
    ro('CTR', 15, 0, 0, 0, 1, 0x8444c004),
    ro('TCMTR', 15, 0, 0, 0, 2, 0),
    ro('TLBTR', 15, 0, 0, 0, 3, 0),
    ro('MIDR_alias4', 15, 0, 0, 0, 4, A15_MIDR),
    ro('MPIDR', 15, 0, 0, 0, 5, mpidr),
    // QEMU defines no REVIDR for ARMv7 CPUs: its MIDR alias answers c0, c0, 6, and so do we.
    ro('REVIDR', 15, 0, 0, 0, 6, A15_MIDR),
    ro('MIDR_alias7', 15, 0, 0, 0, 7, A15_MIDR),
    ro('ID_PFR0', 15, 0, 0, 1, 0, 0x00001131),
    ro('ID_PFR1', 15, 0, 0, 1, 1, 0x00010001),
    // Without the Security Extensions QEMU clears the secure debug field: 0x02010555 -> 0x02010505.
    ro('ID_DFR0', 15, 0, 0, 1, 2, 0x02010505),
    ro('ID_AFR0', 15, 0, 0, 1, 3, 0),
    ro('ID_MMFR0', 15, 0, 0, 1, 4, 0x10201105),
    ro('ID_MMFR1', 15, 0, 0, 1, 5, 0x20000000),
    ro('ID_MMFR2', 15, 0, 0, 1, 6, 0x01240000),
    ro('ID_MMFR3', 15, 0, 0, 1, 7, 0x02102211),
    ro('ID_ISAR0', 15, 0, 0, 2, 0, 0x02101110),
    ro('ID_ISAR1', 15, 0, 0, 2, 1, 0x13112111),
    ro('ID_ISAR2', 15, 0, 0, 2, 2, 0x21232041),
    ro('ID_ISAR3', 15, 0, 0, 2, 3, 0x11112131),
    ro('ID_ISAR4', 15, 0, 0, 2, 4, 0x10011142),
    ro('ID_ISAR5', 15, 0, 0, 2, 5, 0),
    ro('CLIDR', 15, 1, 0, 0, 1, 0x0a200023),
    ro('AIDR', 15, 1, 0, 0, 7, 0),
    // CCSIDR of the level and kind CSSELR selects: L1 D 32 KB, L1 I 32 KB, L2 unified 4 MB.
    { name: 'CCSIDR', cp: 15, opc1: 1, crn: 0, crm: 0, opc2: 0, access: 'r', read: () => [0x701fe00a, 0x201fe00a, 0x711fe07a, 0][Math.min(c.csselr & 0xf, 3)] ?? 0 },
    cp15('CSSELR', 2, 0, 0, 0, () => c.csselr, (v) => (c.csselr = v & 0xf)),
    // ---- c1: system control ----
    cp15('SCTLR', 0, 1, 0, 0, () => c.sctlr, (v) => {
      // B4.1.130: the RAO/RAZ bits of the A15 stay; M A C Z I V TRE AFE TE EE ... are writable.
      c.sctlr = ((v & SCTLR_WRITABLE) | SCTLR_FIXED) >>> 0;
      h.translationChanged();
    }, { endsBlock: true }),
    // IMPLEMENTATION DEFINED; RAZ/WI as on qemu-system-arm (Linux sets SMP and never reads it back).
    cp15('ACTLR', 0, 1, 0, 1, () => 0, () => {}),
    cp15('CPACR', 0, 1, 0, 2, () => c.cpacr, (v) => {
      // cp10/cp11 access fields; ASEDIS reads as one (no Advanced SIMD).
      c.cpacr = ((v & 0x00f00000) | 0x80000000) >>> 0;
      h.cpacrChanged?.();
    }, { endsBlock: true }),
    // ---- c2, c3: translation table control ----
    mmu('TTBR0', 2, 0, 0, () => c.ttbr0lo, (v) => (c.ttbr0lo = v >>> 0), true),
    mmu('TTBR1', 2, 0, 1, () => c.ttbr1lo, (v) => (c.ttbr1lo = v >>> 0), true),
    mmu('TTBCR', 2, 0, 2, () => c.ttbcr, (v) => (c.ttbcr = v & 0xbfff3fff)),
    mmu('DACR', 3, 0, 0, () => c.dacr, (v) => (c.dacr = v >>> 0)),
    {
      name: 'TTBR0_64', cp: 15, opc1: 0, crn: 0, crm: 2, opc2: 0, wide: true, endsBlock: true,
      read: () => c.ttbr0lo, readHi: () => c.ttbr0hi,
      write: (lo, hi) => { c.ttbr0lo = lo >>> 0; c.ttbr0hi = hi & 0x00ff00ff; h.translationChanged(true); },
    },
    {
      name: 'TTBR1_64', cp: 15, opc1: 1, crn: 0, crm: 2, opc2: 0, wide: true, endsBlock: true,
      read: () => c.ttbr1lo, readHi: () => c.ttbr1hi,
      write: (lo, hi) => { c.ttbr1lo = lo >>> 0; c.ttbr1hi = hi & 0x00ff00ff; h.translationChanged(true); },
    },
    // ---- c5, c6: faults ----
    cp15('DFSR', 0, 5, 0, 0, () => c.dfsr, (v) => (c.dfsr = v & 0x3eff)),
    cp15('IFSR', 0, 5, 0, 1, () => c.ifsr, (v) => (c.ifsr = v & 0x16ff)),
    cp15('ADFSR', 0, 5, 1, 0, () => c.adfsr, (v) => (c.adfsr = v)),
    cp15('AIFSR', 0, 5, 1, 1, () => c.aifsr, (v) => (c.aifsr = v)),
    cp15('DFAR', 0, 6, 0, 0, () => c.dfar, (v) => (c.dfar = v >>> 0)),
    cp15('IFAR', 0, 6, 0, 2, () => c.ifar, (v) => (c.ifar = v >>> 0)),
    // ---- c7: PAR, address translation, cache maintenance, CP15 barriers ----
    cp15('PAR', 0, 7, 4, 0, () => c.parLo, (v) => (c.parLo = v >>> 0)),
    { name: 'PAR_64', cp: 15, opc1: 0, crn: 0, crm: 7, opc2: 0, wide: true, read: () => c.parLo, readHi: () => c.parHi, write: (lo, hi) => { c.parLo = lo >>> 0; c.parHi = hi >>> 0; } },
    ...['ATS1CPR', 'ATS1CPW', 'ATS1CUR', 'ATS1CUW'].map((name, i) =>
      op(name, 15, 0, 7, 8, i, (va) => {
        const par = h.ats1c(i, va >>> 0);
        c.parLo = par.lo;
        c.parHi = par.hi;
      }),
    ),
    op('ICIALLUIS', 15, 0, 7, 1, 0, () => h.invalidateCode()),
    op('BPIALLIS', 15, 0, 7, 1, 6, () => h.invalidateCode()),
    op('ICIALLU', 15, 0, 7, 5, 0, () => h.invalidateCode()),
    op('ICIMVAU', 15, 0, 7, 5, 1, (va) => h.invalidateCode(va >>> 0)),
    op('BPIALL', 15, 0, 7, 5, 6, () => h.invalidateCode()),
    op('BPIMVA', 15, 0, 7, 5, 7, (va) => h.invalidateCode(va >>> 0)),
    ...(
      [
        ['DCIMVAC', 6, 1], ['DCISW', 6, 2], ['DCCMVAC', 10, 1], ['DCCSW', 10, 2], ['DCCMVAU', 11, 1], ['DCCIMVAC', 14, 1], ['DCCISW', 14, 2],
      ] as const
    ).map(([name, crm, opc2]) => op(name, 15, 0, 7, crm, opc2, () => {})),
    op('CP15ISB', 15, 0, 7, 5, 4, () => {}, true),
    op('CP15DSB', 15, 0, 7, 10, 4, () => {}, true),
    op('CP15DMB', 15, 0, 7, 10, 5, () => {}, true),
    // ---- c8: TLB maintenance (B4.2.2); instruction/data/unified and Inner Shareable forms ----
    ...(
      [
        ['TLBIALLIS', 3, 0], ['TLBIMVAIS', 3, 1], ['TLBIASIDIS', 3, 2], ['TLBIMVAAIS', 3, 3],
        ['ITLBIALL', 5, 0], ['ITLBIMVA', 5, 1], ['ITLBIASID', 5, 2],
        ['DTLBIALL', 6, 0], ['DTLBIMVA', 6, 1], ['DTLBIASID', 6, 2],
        ['TLBIALL', 7, 0], ['TLBIMVA', 7, 1], ['TLBIASID', 7, 2], ['TLBIMVAA', 7, 3],
      ] as const
    ).map(([name, crm, opc2]) => op(name, 15, 0, 8, crm, opc2, (v) => h.tlbFlush((['all', 'mva', 'asid', 'mvaa'] as const)[opc2], v >>> 0))),
    // ---- c9: L2 control (A15 TRM 4.3.58) and the PMU (pmu.ts) ----
    ro('L2CTLR', 15, 1, 9, 0, 2, 0x00800000), // qemu-system-arm's value for one CPU
    cp15('L2ECTLR', 1, 9, 0, 3, () => 0, () => {}),
    ...pmuRegs(h.icount),
    // ---- c10: memory attributes ----
    mmu('PRRR', 10, 2, 0, () => c.prrr, (v) => (c.prrr = v >>> 0)),
    mmu('NMRR', 10, 2, 1, () => c.nmrr, (v) => (c.nmrr = v >>> 0)),
    cp15('AMAIR0', 0, 10, 3, 0, () => c.amair0, (v) => (c.amair0 = v)),
    cp15('AMAIR1', 0, 10, 3, 1, () => c.amair1, (v) => (c.amair1 = v)),
    // ---- c12: vectors, interrupt status ----
    cp15('VBAR', 0, 12, 0, 0, () => c.vbar, (v) => (c.vbar = v & ~0x1f)),
    ro('ISR', 15, 0, 12, 1, 0, 0),
    // ---- c13: process, context and thread ID ----
    cp15('FCSEIDR', 0, 13, 0, 0, () => 0, () => {}),
    mmu('CONTEXTIDR', 13, 0, 1, () => c.contextidr, (v) => (c.contextidr = v >>> 0), true),
    cp15('TPIDRURW', 0, 13, 0, 2, () => st[W.TPIDRURW], (v) => (st[W.TPIDRURW] = v), { pl0: 'rw' }),
    cp15('TPIDRURO', 0, 13, 0, 3, () => st[W.TPIDRURO], (v) => (st[W.TPIDRURO] = v), { pl0: true }),
    cp15('TPIDRPRW', 0, 13, 0, 4, () => c.tpidrprw, (v) => (c.tpidrprw = v)),
    // ---- VFP system registers (MRC/MCR p10, 7 = VMRS/VMSR) ----
    ro('FPSID', 10, 7, 0, 0, 0, 0x410430f0),
    ro('MVFR1', 10, 7, 6, 0, 0, 0x11000011),
    ro('MVFR0', 10, 7, 7, 0, 0, 0x10110222),
    { name: 'FPEXC', cp: 10, opc1: 7, crn: 8, crm: 0, opc2: 0, endsBlock: true, read: () => st[W.FPEXC], write: (v) => (st[W.FPEXC] = v & 0x40000000) },
    // ---- CP14: debug ID and the registers Linux's hw_breakpoint probes (C11), ThumbEE ----
    ro('DBGDIDR', 14, 0, 0, 0, 0, 0x3515f021, true),
    ro('DBGDRAR', 14, 0, 1, 0, 0, 0, true),
    ro('DBGDSAR', 14, 0, 2, 0, 0, 0, true),
    { name: 'DBGDRAR_64', cp: 14, opc1: 0, crn: 0, crm: 1, opc2: 0, wide: true, access: 'r', pl0: true, read: () => 0 },
    { name: 'DBGDSAR_64', cp: 14, opc1: 0, crn: 0, crm: 2, opc2: 0, wide: true, access: 'r', pl0: true, read: () => 0 },
    ro('DBGDSCRint', 14, 0, 0, 1, 0, 0, true),
    stored('DBGDSCRext', 14, 0, 0, 2, 2, 0, 0x0000c000),
    stored('DBGVCR', 14, 0, 0, 7, 0, 0, 0xde),
    op('DBGOSLAR', 14, 0, 1, 0, 4, () => {}),
    ro('DBGOSLSR', 14, 0, 1, 1, 4, 0x8),
    stored('DBGOSDLR', 14, 0, 1, 3, 4, 0, 1),
    stored('DBGPRCR', 14, 0, 1, 4, 4, 0, 1),
    ro('DBGPRSR', 14, 0, 1, 5, 4, 0),
    stored('DBGCLAIMSET', 14, 0, 7, 8, 6, 0, 0),
    stored('DBGCLAIMCLR', 14, 0, 7, 9, 6, 0, 0),
    ro('DBGAUTHSTATUS', 14, 0, 7, 14, 6, 0),
    ...[0, 1, 2, 3, 4, 5].flatMap((n) => [stored(`DBGBVR${n}`, 14, 0, 0, n, 4, 0, ~3), stored(`DBGBCR${n}`, 14, 0, 0, n, 5, 0)]),
    ...[0, 1, 2, 3].flatMap((n) => [stored(`DBGWVR${n}`, 14, 0, 0, n, 6, 0, ~3), stored(`DBGWCR${n}`, 14, 0, 0, n, 7, 0)]),
    cp15('TEEHBR', 6, 1, 0, 0, () => st[W.TEEHBR], (v) => (st[W.TEEHBR] = v), { cp: 14, pl0: 'rw' }),
    { ...stored('TEECR', 14, 6, 0, 0, 0, 0, 1) },
  ];
  // Reserved ID space (reserved c0 encodings: RAZ, as on QEMU).
  for (const opc2 of [6, 7]) regs.push(ro(`ID_ISAR${opc2}`, 15, 0, 0, 2, opc2, 0));
  for (let crm = 3; crm <= 7; crm++) for (let opc2 = 0; opc2 < 8; opc2++) regs.push(ro(`ID_c0_c${crm}_${opc2}`, 15, 0, 0, crm, opc2, 0));
  // ISR reads the pending interrupts.
  regs.find((r) => r.name === 'ISR')!.read = () => h.isr();
  return regs;
}

/** SCTLR bits that read as one (B4.1.130: 3, 4, 6, 16, 18 RAO/SBOP; U and XP on ARMv7). */
const SCTLR_FIXED = 0x00c50058;
/** Writable SCTLR bits: M A C CP15BEN Z I V WXN UWXN EE TRE AFE TE. */
const SCTLR_WRITABLE = 0x72183827;

export { Cp15State };
