// What the translator needs to know of a system-mode (PL1/PL0) CPU, and nothing more: the
// facts a block is lifted for (part of its translation key), the port through which helper
// calls reach the runtime's system registers, and the trap a helper raises.
//
// Decision: the privilege level is known at lift time (the runtime keys its block cache on
// it), so a block lifted for PL0 contains no privileged operation at all and one lifted for
// PL1 needs no run-time privilege checks. Everything that depends on the exact mode (which
// SPSR, which bank) is read at run time by the helpers in sem/priv.ts.
// In Linux user mode (`armvisor run`) there is no SysLift: every routine lifts exactly as
// qemu-arm behaves at PL0.

import type { ExitReason } from './ir.js';

/** The lift-time facts of a system-mode block. */
export interface SysLift {
  /** Privilege level: 0 in User mode, 1 in the other PL1 modes. */
  readonly pl: 0 | 1;
  /** CPACR lets this PL reach cp10/cp11 at all (the VFP system registers included). */
  readonly cp10: boolean;
  /** VFP instructions usable: cp10 access and FPEXC.EN. */
  readonly vfp: boolean;
  /**
   * The id of a coprocessor register (MRC/MCR: `wide` false; MRRC/MCRR: true, crn 0, opc2 0)
   * that exists and may be reachable at this PL, or -1: the access is UNDEFINED.
   */
  cpLookup(cp: number, opc1: number, crn: number, crm: number, opc2: number, wide: boolean): number;
  /** The register `id` ends the block when written (it changes translation, the PL1 view...). */
  cpWriteEndsBlock(id: number): boolean;
}

/** The runtime side that helper calls reach through CpuState.sys. Methods may throw CpuTrap. */
export interface SysPort {
  /** Reads register `id` (from cpLookup) at privilege `pl`; 64-bit: low word, high in W.HI. */
  cpRead(id: number, pl: number): number;
  /** Writes register `id`; 64-bit registers take (lo, hi). */
  cpWrite(id: number, pl: number, lo: number, hi: number): void;
}

/**
 * Thrown by a helper to end the block with an exception at the current instruction
 * (UNDEFINED...). Precise: nothing of the instruction is retired. The interpreter catches it.
 */
export class CpuTrap {
  constructor(readonly reason: ExitReason) {}
}
