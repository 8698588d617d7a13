// The VMSAv7 stage 1 translation interface (ARM ARM DDI 0406C B3): the CP15 state a walk reads,
// the physical-memory port it fetches descriptors through, and the result it fills in.

/** Access kinds, numbered as the permission bits below expect (shift by the kind). */
export const enum Access {
  READ = 0,
  WRITE = 1,
  EXEC = 2,
}

/** Permission bits of a translation, for both privilege levels of the PL1&0 regime. */
export const enum Perm {
  PL1_R = 1,
  PL1_W = 2,
  PL1_X = 4,
  PL0_R = 8,
  PL0_W = 16,
  PL0_X = 32,
}

/** The bit an access needs: PL1_R/W/X, or PL0_R/W/X when `user`. */
export function permFor(access: Access, user: boolean): number {
  return (user ? Perm.PL0_R : Perm.PL1_R) << access;
}

/** Why a translation failed (the fault status encoding is chosen from this and the format). */
export const enum Fault {
  NONE = 0,
  TRANSLATION = 1,
  ACCESS_FLAG = 2,
  DOMAIN = 3,
  PERMISSION = 4,
  ALIGNMENT = 5,
  /** Synchronous external abort on a translation table walk (the descriptor read failed). */
  EXTERNAL_WALK = 6,
}

/** The CP15 registers a stage 1 walk depends on. TTBRs are 64-bit (LPAE) as two words. */
export interface MmuRegs {
  sctlr: number;
  ttbcr: number;
  ttbr0lo: number;
  ttbr0hi: number;
  ttbr1lo: number;
  ttbr1hi: number;
  dacr: number;
  /** PRRR, or MAIR0 when TTBCR.EAE=1 (the same CP15 encoding c10,c2,0). */
  prrr: number;
  /** NMRR, or MAIR1 when TTBCR.EAE=1 (c10,c2,1). */
  nmrr: number;
  contextidr: number;
  /** Secure state; absent or false for a CPU without TrustZone (every access Non-secure). */
  secure?: boolean;
}

/** Where a walk reads descriptors: little-endian 32-bit reads of physical memory (up to 40-bit
 *  addresses). Throw PhysAbort when nothing answers at `pa` (an external abort on the walk). */
export interface PhysReader {
  read32(pa: number): number;
}

/** Thrown by a PhysReader for a physical address with no memory or device behind it. */
export class PhysAbort extends Error {
  constructor(readonly pa: number) {
    super(`no memory at physical address 0x${pa.toString(16)}`);
  }
}

// SCTLR bits (B4.1.130)
export const SCTLR_M = 1 << 0;
export const SCTLR_A = 1 << 1;
export const SCTLR_TRE = 1 << 28;
export const SCTLR_AFE = 1 << 29;
export const SCTLR_WXN = 1 << 19;
export const SCTLR_UWXN = 1 << 20;
// TTBCR bits (B4.1.153)
export const TTBCR_EAE = 1 << 31;
export const TTBCR_PD0 = 1 << 4;
export const TTBCR_PD1 = 1 << 5;
export const TTBCR_EPD0 = 1 << 7;
export const TTBCR_A1 = 1 << 22;
export const TTBCR_EPD1 = 1 << 23;

/**
 * The outcome of one translation; a walker fills a caller-owned instance so that TLB misses
 * allocate nothing. On success `fault` is NONE; otherwise `fault`, `level` and `domain`
 * describe it and the other fields are stale.
 */
export class Walk {
  fault: Fault = Fault.NONE;
  /** Lookup level of the fault or of the final descriptor (1, 2 or 3). */
  level = 1;
  /** Short-descriptor domain (reported in DFSR); 0 for LPAE and supersections. */
  domain = 0;
  /** TTBCR.EAE was set: long-descriptor format (fault status and PAR use the long format). */
  longFormat = false;
  /** The physical address of the translated virtual address (up to 40 bits). */
  pa = 0;
  /** log2 of the mapping size: 12 (4 KB), 16 (64 KB), 20 (1 MB), 21 (2 MB), 24 (16 MB), 30 (1 GB). */
  sizeLog2 = 12;
  /** Perm bits for PL1 and PL0. */
  perms = 0;
  /** nG was clear: the entry matches every ASID. */
  global = true;
  /** The ASID the entry is tagged with (CONTEXTIDR[7:0], or TTBRx[55:48] with LPAE). */
  asid = 0;
  /** Memory attributes as a MAIR-format byte: 0x00 Strongly-ordered, 0x04 Device, else Normal
   *  with the outer policy in [7:4] and the inner in [3:0]. */
  attr = 0;
  /** Shareability as the LPAE SH field: 0 non-shareable, 2 outer, 3 inner shareable. */
  sh = 0;
  /** Non-secure output. */
  ns = true;

  ok(): boolean {
    return this.fault === Fault.NONE;
  }

  /** The mapping's size in bytes. */
  size(): number {
    return 2 ** this.sizeLog2;
  }

  /** The physical address of the start of the mapping that holds `pa`. */
  paBase(): number {
    const s = 2 ** this.sizeLog2;
    return this.pa - (this.pa % s);
  }
}
