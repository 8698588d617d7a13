// Access permissions of a stage 1 translation (ARM ARM B3.7.1 access permissions, B3.7.2
// execute-never), shared by both descriptor formats.

import { Perm, SCTLR_UWXN, SCTLR_WXN } from './types.js';

const R1 = Perm.PL1_R;
const W1 = Perm.PL1_W;
const R0 = Perm.PL0_R;
const W0 = Perm.PL0_W;

/**
 * Read/write permissions of AP[2:0] (B3.7.1, Table B3-8, the ARMv7 full model). The simplified
 * model (SCTLR.AFE=1, and LPAE's AP[2:1]) is the same table at AP[2:1]:1.
 * 100 is reserved; it gives no access.
 */
const AP_RW = [0, R1 | W1, R1 | W1 | R0, R1 | W1 | R0 | W0, 0, R1, R1 | R0, R1 | R0];

/** Read/write Perm bits for AP[2:0]. */
export function apRw(ap: number): number {
  return AP_RW[ap];
}

/** Read/write Perm bits for the simplified model's AP[2:1]. */
export function apRwSimple(ap21: number): number {
  return AP_RW[(ap21 << 1) | 1];
}

/**
 * Adds the execute bits to read/write Perm bits: an instruction fetch needs read permission
 * at its level and no XN; PL1 also needs no PXN. SCTLR.WXN makes writable regions XN at each
 * level; SCTLR.UWXN makes PL0-writable regions XN at PL1 (B3.7.2).
 */
export function withExec(rw: number, xn: number, pxn: number, sctlr: number): number {
  let p = rw;
  if (!xn) {
    const wxn = (sctlr & SCTLR_WXN) !== 0;
    if (rw & R0 && !(wxn && rw & W0)) p |= Perm.PL0_X;
    if (rw & R1 && !pxn && !(wxn && rw & W1) && !(sctlr & SCTLR_UWXN && rw & W0)) p |= Perm.PL1_X;
  }
  return p;
}

export const ALL_PERMS = R1 | W1 | Perm.PL1_X | R0 | W0 | Perm.PL0_X;
