// A32 system and control with a condition (ARM ARM A5.2.11 MSR (immediate) and hints, A5.2.12
// miscellaneous, A5.6 coprocessor and SVC). What PL0 cannot use is UNDEFINED (no row, or a
// row whose routine raises UNDEF for disassembly's sake).
import type { Row } from '../pattern.js';
import { BKPT, HINT, MCRR, MRS, MSR_i, MSR_r, SVC, UDF, cpRows, mrrcRows } from '../../sem/system.js';
import { a32ExpandImm } from './dp.js';
import { LDM_S, MRS_BANKED, MRS_SPSR, MSR_BANKED, STM_S, SUBS_PC_LR, callTrap, msrSpsr } from '../../sem/priv.js';
import type { Args } from '../pattern.js';

/** SYSm = M:M1 of the banked MRS/MSR forms. */
export const sysm = (a: Args) => {
  a.sysm = (a.sysh << 4) | a.sysl;
};

/** Hint and MSR forms QEMU accepts: mask bit 1 would set CPSR.E (not modelled), so not drawn. */
const msrValid = (a: Record<string, number>) => (a.mask & 2) === 0;

export const ROWS: Row[] = [
  // Hints: the whole MSR-immediate space with mask 0 executes as NOP (YIELD, WFE, WFI, SEV, DBG).
  { name: 'HINT', enc: 'cond:4 0011 0010 0000 1111 .... op:8', sem: HINT },
  { name: 'MSR_i', enc: 'cond:4 0011 0010 mask:4 1111 rot:4 imm:8', sem: MSR_i, when: (a) => a.mask !== 0, expand: a32ExpandImm, valid: msrValid },
  { name: 'MRS', enc: 'cond:4 0001 0000 1111 rd:4 0000 0000 0000', sem: MRS, valid: (a) => a.rd !== 15 },
  { name: 'MSR_r', enc: 'cond:4 0001 0010 mask:4 1111 0000 0000 rn:4', sem: MSR_r, when: (a) => a.mask !== 0, valid: (a) => a.rn !== 15 && msrValid(a) },
  { name: 'BKPT', enc: 'cond:4 0001 0010 imm:12 0111 imm:4', sem: BKPT, always: true, valid: (a) => a.cond === 14, noRandom: true },
  { name: 'SVC', enc: 'cond:4 1111 imm:24', sem: SVC, noRandom: true },
  { name: 'UDF', enc: '1110 0111 1111 imm:12 1111 imm:4', sem: UDF, noRandom: true },
  // Coprocessor register transfers for cp14/cp15 (cp10/cp11 are VFP, the rest UNDEFINED).
  ...cpRows(
    (l, [opc1, crn, cp, opc2, crm]) => `cond:4 1110 ${opc1} ${l} ${crn} rt:4 ${cp} ${opc2} 1 ${crm}`,
    (l) => `cond:4 1110 opc1:3 ${l} crn:4 rt:4 cp:4 opc2:3 1 crm:4`,
    (rt) => rt === 15,
  ),
  ...mrrcRows((crm) => (crm === null ? 'cond:4 1100 0101 rt2:4 rt:4 cp:4 opc1:4 crm:4' : `cond:4 1100 0101 rt2:4 rt:4 1110 0000 00${crm >> 1}${crm & 1}`), (rt) => rt === 15),
  { name: 'MCRR', enc: 'cond:4 1100 0100 rt2:4 rt:4 cp:4 opc1:4 crm:4', sem: MCRR, when: (a) => a.cp >= 14, noRandom: true },
  // PL1 only (sem/priv.ts; UNDEFINED in user mode, as on qemu-arm, so never drawn at random).
  { name: 'MRS_SPSR', enc: 'cond:4 0001 0100 1111 rd:4 0000 0000 0000', sem: MRS_SPSR, noRandom: true },
  { name: 'MSR_SPSR_r', enc: 'cond:4 0001 0110 mask:4 1111 0000 0000 rn:4', sem: msrSpsr('r'), when: (a) => a.mask !== 0, noRandom: true },
  { name: 'MSR_SPSR_i', enc: 'cond:4 0011 0110 mask:4 1111 rot:4 imm:8', sem: msrSpsr('i'), when: (a) => a.mask !== 0, expand: a32ExpandImm, noRandom: true },
  { name: 'MRS_banked', enc: 'cond:4 0001 0 r:1 00 sysl:4 rd:4 001 sysh:1 0000 0000', sem: MRS_BANKED, expand: sysm, noRandom: true },
  { name: 'MSR_banked', enc: 'cond:4 0001 0 r:1 10 sysl:4 1111 001 sysh:1 0000 rn:4', sem: MSR_BANKED, expand: sysm, noRandom: true },
  { name: 'ERET', enc: 'cond:4 0001 0110 0000 0000 0000 0110 1110', sem: SUBS_PC_LR, set: { imm: 0 }, noRandom: true },
  { name: 'HVC', enc: 'cond:4 0001 0100 imm:12 0111 imm:4', sem: callTrap('hvc'), noRandom: true },
  { name: 'SMC', enc: 'cond:4 0001 0110 0000 0000 0000 0111 imm:4', sem: callTrap('smc'), noRandom: true },
  { name: 'STM_S', enc: 'cond:4 100 b:1 i:1 1 w:1 0 rn:4 list:16', sem: STM_S, noRandom: true },
  { name: 'LDM_S', enc: 'cond:4 100 b:1 i:1 1 w:1 1 rn:4 list:16', sem: LDM_S, noRandom: true },
];
