// The CP15 state a system-mode CPU keeps (ARM ARM B4.1): the registers the MMU walk reads
// (it is the MmuRegs view runtime/mmu expects), the fault status and address registers, the
// vector base and the plain stored registers. The register table over it is cortex-a15.ts.

import type { MmuRegs } from '../mmu/types.js';

/** SCTLR bits the CPU itself looks at (B4.1.130). */
export const SCTLR = {
  M: 1 << 0,
  A: 1 << 1,
  C: 1 << 2,
  Z: 1 << 11,
  I: 1 << 12,
  V: 1 << 13,
  EE: 1 << 25,
  TE: 1 << 30,
} as const;

/** Cortex-A15 SCTLR reset value (TRM 4.3.27; QEMU's reset_sctlr). */
export const SCTLR_RESET = 0x00c50078;

export class Cp15State implements MmuRegs {
  sctlr = SCTLR_RESET;
  cpacr = 0;
  ttbcr = 0;
  ttbr0lo = 0;
  ttbr0hi = 0;
  ttbr1lo = 0;
  ttbr1hi = 0;
  dacr = 0;
  /** PRRR / MAIR0 (one encoding). */
  prrr = 0;
  /** NMRR / MAIR1. */
  nmrr = 0;
  amair0 = 0;
  amair1 = 0;
  contextidr = 0;
  dfsr = 0;
  ifsr = 0;
  dfar = 0;
  ifar = 0;
  adfsr = 0;
  aifsr = 0;
  parLo = 0;
  parHi = 0;
  vbar = 0;
  csselr = 0;
  tpidrprw = 0;
  secure = false;
}
