// Processor modes, banked registers and the CPSR/SPSR of a system-mode CPU (ARM ARM B1.3).
//
// The state block holds the current mode's R8-R14 in words 8-14, so the lifter and generated
// code never see banking; the other modes' copies sit in W.R8_USR.. W.SPSR_HYP and
// switchMode() swaps them when CPSR.M changes (instructions and exception entry). N, Z, C, V,
// Q, GE, IT and T keep their own words; W.PSR holds the rest (M, F, I, A, E), and the CPSR is
// assembled from those words when read.

import { W, type CpuState } from './state.js';

/** CPSR.M encodings (B1.3.1, Table B1-1). */
export const Mode = {
  USR: 0x10,
  FIQ: 0x11,
  IRQ: 0x12,
  SVC: 0x13,
  MON: 0x16,
  ABT: 0x17,
  HYP: 0x1a,
  UND: 0x1b,
  SYS: 0x1f,
} as const;

export const MODE_NAMES: Record<number, string> = { 0x10: 'usr', 0x11: 'fiq', 0x12: 'irq', 0x13: 'svc', 0x16: 'mon', 0x17: 'abt', 0x1a: 'hyp', 0x1b: 'und', 0x1f: 'sys' };

// CPSR bits (B1.3.3)
export const PSR_N = 1 << 31;
export const PSR_E = 1 << 9;
export const PSR_A = 1 << 8;
export const PSR_I = 1 << 7;
export const PSR_F = 1 << 6;
export const PSR_T = 1 << 5;
export const PSR_M = 0x1f;
/** The CPSR bits kept in W.PSR. */
export const PSR_CTL = PSR_E | PSR_A | PSR_I | PSR_F | PSR_M;

/**
 * The modes this CPU implements: no Security Extensions' Monitor mode and no Hyp mode (the
 * guest runs in PL1/PL0, DESIGN.md; armvisor itself plays the hypervisor).
 */
export function modeImplemented(m: number): boolean {
  return m === Mode.USR || m === Mode.FIQ || m === Mode.IRQ || m === Mode.SVC || m === Mode.ABT || m === Mode.UND || m === Mode.SYS;
}

/** The privilege level of a mode: 0 (User), 2 (Hyp), else 1. */
export function modePL(m: number): 0 | 1 | 2 {
  return m === Mode.USR ? 0 : m === Mode.HYP ? 2 : 1;
}

/** Word of a mode's banked SP (USR and SYS share one). */
function spWord(m: number): number {
  switch (m) {
    case Mode.FIQ: return W.SP_FIQ;
    case Mode.IRQ: return W.SP_IRQ;
    case Mode.SVC: return W.SP_SVC;
    case Mode.ABT: return W.SP_ABT;
    case Mode.UND: return W.SP_UND;
    case Mode.MON: return W.SP_MON;
    case Mode.HYP: return W.SP_HYP;
    default: return W.SP_USR;
  }
}

/** Word of a mode's banked LR (Hyp mode uses LR_usr, B1.3.2). */
function lrWord(m: number): number {
  switch (m) {
    case Mode.FIQ: return W.LR_FIQ;
    case Mode.IRQ: return W.LR_IRQ;
    case Mode.SVC: return W.LR_SVC;
    case Mode.ABT: return W.LR_ABT;
    case Mode.UND: return W.LR_UND;
    case Mode.MON: return W.LR_MON;
    default: return W.LR_USR;
  }
}

/** Word of a mode's SPSR, or -1 (User and System modes have none). */
export function spsrWord(m: number): number {
  switch (m) {
    case Mode.FIQ: return W.SPSR_FIQ;
    case Mode.IRQ: return W.SPSR_IRQ;
    case Mode.SVC: return W.SPSR_SVC;
    case Mode.ABT: return W.SPSR_ABT;
    case Mode.UND: return W.SPSR_UND;
    case Mode.MON: return W.SPSR_MON;
    case Mode.HYP: return W.SPSR_HYP;
    default: return -1;
  }
}

/** The current mode (CPSR.M). */
export function currentMode(st: Int32Array): number {
  return st[W.PSR] & PSR_M;
}

/**
 * Changes CPSR.M to `to`, moving R8-R14 between the live words and the banks
 * (B1.3.2; the pseudocode's R[] with RBankSelect). Touches nothing else.
 */
export function switchMode(st: Int32Array, to: number): void {
  const from = st[W.PSR] & PSR_M;
  if (from !== to) {
    const hiFrom = from === Mode.FIQ ? W.R8_FIQ : W.R8_USR;
    const hiTo = to === Mode.FIQ ? W.R8_FIQ : W.R8_USR;
    if (hiFrom !== hiTo) {
      for (let i = 0; i < 5; i++) {
        st[hiFrom + i] = st[8 + i];
        st[8 + i] = st[hiTo + i];
      }
    }
    const spF = spWord(from);
    const spT = spWord(to);
    if (spF !== spT) {
      st[spF] = st[W.SP];
      st[W.SP] = st[spT];
    }
    const lrF = lrWord(from);
    const lrT = lrWord(to);
    if (lrF !== lrT) {
      st[lrF] = st[W.LR];
      st[W.LR] = st[lrT];
    }
  }
  st[W.PSR] = (st[W.PSR] & ~PSR_M) | to;
}

/** The CPSR as the architecture packs it (B1.3.3). */
export function readCPSR(st: Int32Array): number {
  const it = st[W.ITSTATE] & 0xff;
  return (
    ((st[W.N] << 31) |
      (st[W.Z] << 30) |
      (st[W.C] << 29) |
      (st[W.V] << 28) |
      (st[W.Q] << 27) |
      ((it & 3) << 25) |
      ((st[W.GE] & 15) << 16) |
      ((it >>> 2) << 10) |
      (st[W.PSR] & PSR_CTL) |
      (st[W.T] ? PSR_T : 0)) >>>
    0
  );
}

function writeFlags(st: Int32Array, v: number): void {
  st[W.N] = (v >>> 31) & 1;
  st[W.Z] = (v >>> 30) & 1;
  st[W.C] = (v >>> 29) & 1;
  st[W.V] = (v >>> 28) & 1;
  st[W.Q] = (v >>> 27) & 1;
}

/**
 * CPSRWriteByInstr(value, bytemask, is_excpt_return) (B1.3.3 pseudocode): `mask` is the MSR
 * field mask (bit 3 f = [31:24], 2 s = [23:16], 1 x = [15:8], 0 c = [7:0]). At PL0 only the
 * flags, GE and E change. An exception return also restores IT, J and T. A write of a mode
 * that is not implemented, or from a lower privilege, leaves the mode unchanged (as QEMU does
 * with an illegal mode change).
 */
export function writeCPSRByInstr(st: Int32Array, v: number, mask: number, excReturn: boolean): void {
  const priv = (st[W.PSR] & PSR_M) !== Mode.USR;
  if (mask & 8) {
    writeFlags(st, v);
    if (excReturn) st[W.ITSTATE] = (st[W.ITSTATE] & 0xfc) | ((v >>> 25) & 3);
  }
  if (mask & 4) st[W.GE] = (v >>> 16) & 15;
  if (mask & 2) {
    if (excReturn) st[W.ITSTATE] = (st[W.ITSTATE] & 3) | (((v >>> 10) & 0x3f) << 2);
    const keep = priv ? ~(PSR_E | PSR_A) : ~PSR_E;
    st[W.PSR] = (st[W.PSR] & keep) | (v & ~keep & (PSR_E | PSR_A));
  }
  if (mask & 1) {
    if (priv) {
      st[W.PSR] = (st[W.PSR] & ~(PSR_I | PSR_F)) | (v & (PSR_I | PSR_F));
      const m = v & PSR_M;
      if (modeImplemented(m)) switchMode(st, m);
    }
    if (excReturn) st[W.T] = (v >>> 5) & 1;
  }
}

/** Sets the whole CPSR (exception entry, reset, tests): no privilege rules, mode switched. */
export function setCPSR(st: Int32Array, v: number): void {
  writeFlags(st, v);
  st[W.GE] = (v >>> 16) & 15;
  st[W.ITSTATE] = ((v >>> 25) & 3) | (((v >>> 10) & 0x3f) << 2);
  st[W.T] = (v >>> 5) & 1;
  st[W.PSR] = (st[W.PSR] & PSR_M) | (v & PSR_CTL & ~PSR_M);
  switchMode(st, v & PSR_M);
}

/** The value of a register as mode `m` sees it (R8-R14 banked: SRS, LDM/STM ^). */
export function readBanked(st: Int32Array, m: number, r: number): number {
  const cur = st[W.PSR] & PSR_M;
  if (r < 8 || r > 14) return st[r];
  if (r <= 12) {
    const sameBank = (cur === Mode.FIQ) === (m === Mode.FIQ);
    return sameBank ? st[r] : st[(m === Mode.FIQ ? W.R8_FIQ : W.R8_USR) + r - 8];
  }
  const word = r === 13 ? spWord(m) : lrWord(m);
  const curWord = r === 13 ? spWord(cur) : lrWord(cur);
  return word === curWord ? st[r] : st[word];
}

/** Writes a register as mode `m` sees it. */
export function writeBanked(st: Int32Array, m: number, r: number, v: number): void {
  const cur = st[W.PSR] & PSR_M;
  if (r < 8 || r > 14) {
    st[r] = v;
    return;
  }
  if (r <= 12) {
    const sameBank = (cur === Mode.FIQ) === (m === Mode.FIQ);
    if (sameBank) st[r] = v;
    else st[(m === Mode.FIQ ? W.R8_FIQ : W.R8_USR) + r - 8] = v;
    return;
  }
  const word = r === 13 ? spWord(m) : lrWord(m);
  const curWord = r === 13 ? spWord(cur) : lrWord(cur);
  if (word === curWord) st[r] = v;
  else st[word] = v;
}

/** CPSR accessors for a CpuState (tests, the runtime). */
export const cpsrOf = (cpu: CpuState): number => readCPSR(cpu.i32);
