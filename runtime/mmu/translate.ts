// Stage 1 translation of the PL1&0 regime (ARM ARM B3.1-B3.6): flat when SCTLR.M is clear,
// else the short- or long-descriptor walk chosen by TTBCR.EAE. This is the TLB fill's entry
// point; a stage 2 (the hypervisor's p2m) applies to the Walk's `pa` afterwards.

import { ATTR_STRONGLY_ORDERED, SH_OUTER } from './attrs.js';
import { walkLong } from './long.js';
import { ALL_PERMS } from './perms.js';
import { walkShort } from './short.js';
import { Access, Fault, SCTLR_M, TTBCR_EAE, Walk, type MmuRegs, type PhysReader } from './types.js';

/** Is the long-descriptor format in use (TTBCR.EAE)? It also selects the fault status and
 *  PAR formats, even with the MMU off. */
export function isLongFormat(r: MmuRegs): boolean {
  return (r.ttbcr & TTBCR_EAE) !== 0;
}

/**
 * Translates `va` for an access at PL0 (`user`) or PL1. Fills `out` (a fresh Walk if omitted)
 * and returns it: `out.fault` is Fault.NONE on success.
 */
export function translate(mem: PhysReader, r: MmuRegs, va: number, access: Access, user: boolean, out: Walk = new Walk()): Walk {
  if ((r.sctlr & SCTLR_M) === 0) {
    // B3.2.1: the MMU is off, VA = PA, no permission checks; data accesses are
    // Strongly-ordered (instruction fetches are Normal memory, not modelled here).
    out.fault = Fault.NONE;
    out.longFormat = isLongFormat(r);
    out.level = 1;
    out.domain = 0;
    out.pa = va >>> 0;
    out.sizeLog2 = 12;
    out.perms = ALL_PERMS;
    out.global = true;
    out.asid = 0;
    out.attr = ATTR_STRONGLY_ORDERED;
    out.sh = SH_OUTER;
    out.ns = !r.secure;
    return out;
  }
  return isLongFormat(r) ? walkLong(mem, r, va, access, user, out) : walkShort(mem, r, va, access, user, out);
}

export { Access, Fault, Walk };
