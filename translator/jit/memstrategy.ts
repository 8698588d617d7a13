// How generated code reaches guest memory (DESIGN.md: flat for user mode, flat.ts; the softmmu
// TLB for system mode, softmmu.ts), and the site word a slow-path access carries.

import type { IRBlock } from '../ir.js';
import type { FuncBody } from '../wasm/builder.js';

/**
 * A slow-path access's site (its site id's table entry, ImportMap.site): the Mem flags (SITE_FLAGS), the
 * index in its block of the instruction (bits 7-15) and that instruction's ITSTATE + 1 (bits
 * 16-24; 0 when the code generator tracks none). A fault stores it in state word FAULT_SITE,
 * where the region's fault handler reads it.
 */
export const SITE_FLAGS = 0x7f;
export function faultSite(flags: number, insnIndex: number, it: number): number {
  return (flags & SITE_FLAGS) | (insnIndex << 7) | ((it + 1) << 16);
}

/**
 * How guest loads and stores become wasm (DESIGN.md: flat for user mode, the softmmu TLB for
 * system mode). The code generator asks the strategy for a fast-path test; everything else
 * (slow path, fault exit, the access itself) is shared.
 */
export interface MemStrategy {
  /**
   * Emits code that leaves an i32 on the stack, non-zero when the access at the guest address
   * in local `addr` may be done directly. `block` is the block being generated (system mode:
   * its privilege level picks the TLB); `known` is the address when it is a constant (a literal
   * pool load). A pass must hold for every aligned word of addr's page at host + (offset in
   * the page - addr's), as vfp-ldst.ts reads a D register's second word.
   */
  emitFastCheck(f: FuncBody, addr: number, flags: number, write: boolean, block: IRBlock, known?: number): void;
  /**
   * Pushes the host address of that access; emitted only where its fast check passed, right
   * after it (the check may leave what it found in locals of its own).
   */
  emitHost(f: FuncBody, addr: number, block: IRBlock, flags: number, known?: number): void;
  /**
   * May a slow-path load zero BUDGET (a device read raising an interrupt, in system mode)?
   * Without devices, generated code need not read BUDGET again after one.
   */
  readonly loadsMayStop: boolean;
  /**
   * An access whose fast-path test fails leaves the region (jit/slowexit.ts) instead of
   * calling the slow path: user mode, where slow paths are rare.
   */
  readonly slowExits: boolean;
  /**
   * Optional, with slowExits: emits code that leaves an i32 on the stack, non-zero when a
   * single access must take the slow path (the fast-path test's negation, ending where it can
   * in the comparison an `if` fuses with); without it, the fast-path test and an `eqz`.
   * `span`: the bytes from the address that the access reaches (more than its size for a run
   * of words or a D register's pair); `pc`: its instruction's guest address.
   */
  emitSlowCheck?(f: FuncBody, addr: number, flags: number, write: boolean, span: number, pc: number): void;
  /**
   * Optional, with emitSlowCheck, for a strategy whose usual single-access test may send a
   * direct access down the slow path (flat.ts's chunk test near a refusing page): the
   * instructions of guest code page `page` get the exact test in code generated from now on.
   * True if that changes their code (the caller then translates the page again).
   */
  exact?(page: number): boolean;
  /**
   * Optional, with slowExits: the bytes one range test (emitRangeCheck) covers for code in the
   * page of guest address `pc`, 0 for none: tier 1's access groups (leadgroups.ts).
   */
  rangeSpan?(pc: number): number;
  /**
   * Emits code that leaves an i32 on the stack, non-zero unless the `span` bytes (at most
   * rangeSpan) from the guest address in local `start` all lie in pages that loads (`reads`)
   * and stores (`writes`) may reach directly and the address in local `at` has no bit of
   * `amask` set.
   */
  emitRangeCheck?(f: FuncBody, start: number, at: number, reads: boolean, writes: boolean, amask: number, span: number): void;
  /**
   * Optional, with slowExits (tier 2's grouped tests, jit/groupcheck.ts): emits code that
   * leaves an i32 on the stack, non-zero when the `span` bytes from the guest address in local
   * `addr` lie in one page that loads (`reads`) and stores (`writes`) may reach directly and
   * addr & amask is 0.
   */
  emitGroupCheck?(f: FuncBody, addr: number, reads: boolean, writes: boolean, amask: number, span: number): void;
}
