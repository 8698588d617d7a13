// Exception entry to a PL1 mode (ARM ARM B1.8: B1.8.1 vectors, B1.8.3 Table B1-7 link values,
// B1.8.4-B1.8.10 the Take*Exception pseudocode): the target mode and its banked LR and SPSR,
// the CPSR changes (I always, A and F by kind; IT cleared; T from SCTLR.TE; E from SCTLR.EE),
// and the vector address from VBAR or the high vectors (SCTLR.V).

import { Mode, PSR_A, PSR_E, PSR_F, PSR_I, readCPSR, spsrWord, switchMode } from '../../translator/modes.js';
import { W } from '../../translator/state.js';
import { SCTLR, type Cp15State } from './cp15.js';

export const enum Exc {
  RESET = 0,
  UNDEF = 1,
  SVC = 2,
  PREFETCH_ABORT = 3,
  DATA_ABORT = 4,
  IRQ = 6,
  FIQ = 7,
}

export const EXC_NAMES = ['reset', 'undef', 'svc', 'prefetch-abort', 'data-abort', '', 'irq', 'fiq'];

interface Entry {
  mode: number;
  /** CPSR mask bits set on entry. */
  mask: number;
  /** LR = `addr` + this, ARM and Thumb (see takeException for what `addr` is). */
  lrArm: number;
  lrThumb: number;
}

const ENTRY: Record<number, Entry> = {
  [Exc.RESET]: { mode: Mode.SVC, mask: PSR_A | PSR_I | PSR_F, lrArm: 0, lrThumb: 0 },
  [Exc.UNDEF]: { mode: Mode.UND, mask: PSR_I, lrArm: 4, lrThumb: 2 },
  [Exc.SVC]: { mode: Mode.SVC, mask: PSR_I, lrArm: 0, lrThumb: 0 },
  [Exc.PREFETCH_ABORT]: { mode: Mode.ABT, mask: PSR_A | PSR_I, lrArm: 4, lrThumb: 4 },
  [Exc.DATA_ABORT]: { mode: Mode.ABT, mask: PSR_A | PSR_I, lrArm: 8, lrThumb: 8 },
  [Exc.IRQ]: { mode: Mode.IRQ, mask: PSR_A | PSR_I, lrArm: 4, lrThumb: 4 },
  [Exc.FIQ]: { mode: Mode.FIQ, mask: PSR_A | PSR_I | PSR_F, lrArm: 4, lrThumb: 4 },
};

/** The exception vector base: 0xffff0000 with SCTLR.V, else VBAR (reset: 0). */
export function vectorBase(cp15: Cp15State, kind: Exc): number {
  if (cp15.sctlr & SCTLR.V) return 0xffff0000;
  return kind === Exc.RESET ? 0 : cp15.vbar >>> 0;
}

/**
 * Takes exception `kind`. `addr` is the address of the instruction that caused it (UNDEF,
 * prefetch and data aborts) or of the next instruction to execute (SVC, as the SVC exit leaves
 * the PC; IRQ and FIQ between instructions). Fault registers are set by the caller.
 */
export function takeException(st: Int32Array, cp15: Cp15State, kind: Exc, addr: number): void {
  const e = ENTRY[kind];
  const cpsr = readCPSR(st);
  const thumb = st[W.T] !== 0;
  switchMode(st, e.mode);
  if (kind !== Exc.RESET) {
    st[spsrWord(e.mode)] = cpsr;
    st[W.LR] = (addr + (thumb ? e.lrThumb : e.lrArm)) | 0;
  }
  let psr = st[W.PSR] | e.mask;
  psr = cp15.sctlr & SCTLR.EE ? psr | PSR_E : psr & ~PSR_E;
  st[W.PSR] = psr;
  st[W.ITSTATE] = 0;
  st[W.T] = cp15.sctlr & SCTLR.TE ? 1 : 0;
  st[W.PC] = (vectorBase(cp15, kind) + kind * 4) | 0;
}
