// T32 system and control (ARM ARM A6.3.4 branches and miscellaneous control, A6.3.18
// coprocessor): MSR/MRS of the APSR, hints, CPS (NOP at PL0), barriers, CLREX, UDF.W, and the
// cp14/cp15 register transfers. SMC, HVC, ERET/SUBS PC,LR, SRS/RFE and banked MRS/MSR work at
// PL1 (sem/priv.ts) and are UNDEFINED at PL0 as on qemu-arm, so they are never drawn at random.
import type { Row } from '../pattern.js';
import { CLREX } from '../../sem/exclusive.js';
import { CPS, HINT, MCRR, MRS, MSR_r, UDF, barrier, cpRows, mrrcRows } from '../../sem/system.js';
import { MRS_BANKED, MRS_SPSR, MSR_BANKED, RFE, SRS, SUBS_PC_LR, callTrap, msrSpsr } from '../../sem/priv.js';
import { sysm } from '../a32/system.js';

const bad = (r: number) => r === 13 || r === 15;

export const ROWS: Row[] = [
  { name: 'MSR_r', enc: '1111 0011 1000 rn:4 1000 mask:4 0000 0000', sem: MSR_r, when: (a) => a.mask !== 0, valid: (a) => !bad(a.rn) && (a.mask & 2) === 0 },
  { name: 'MRS', enc: '1111 0011 1110 1111 1000 rd:4 0000 0000', sem: MRS, valid: (a) => !bad(a.rd) },
  { name: 'HINT', enc: '1111 0011 1010 1111 1000 0000 op:8', sem: HINT },
  {
    name: 'CPS',
    enc: '1111 0011 1010 1111 1000 0 imod:2 m:1 a:1 i:1 f:1 mode:5',
    sem: CPS,
    when: (a) => a.imod !== 0 || a.m !== 0,
    valid: (a) => a.imod !== 1 && (a.m === 1 || a.mode === 0) && (a.imod >= 2) === (a.a + a.i + a.f > 0),
  },
  { name: 'CLREX', enc: '1111 0011 1011 1111 1000 1111 0010 1111', sem: CLREX },
  { name: 'DSB', enc: '1111 0011 1011 1111 1000 1111 0100 option:4', sem: barrier('dsb') },
  { name: 'DMB', enc: '1111 0011 1011 1111 1000 1111 0101 option:4', sem: barrier('dmb') },
  { name: 'ISB', enc: '1111 0011 1011 1111 1000 1111 0110 option:4', sem: barrier('isb') },
  { name: 'UDF', enc: '1111 0111 1111 imm:4 1010 imm:12', sem: UDF, noRandom: true },
  ...cpRows(
    (l, [opc1, crn, cp, opc2, crm]) => `1110 1110 ${opc1} ${l} ${crn} rt:4 ${cp} ${opc2} 1 ${crm}`,
    (l) => `1110 1110 opc1:3 ${l} crn:4 rt:4 cp:4 opc2:3 1 crm:4`,
    bad,
  ),
  ...mrrcRows((crm) => (crm === null ? '1110 1100 0101 rt2:4 rt:4 cp:4 opc1:4 crm:4' : `1110 1100 0101 rt2:4 rt:4 1110 0000 00${crm >> 1}${crm & 1}`), bad),
  { name: 'MCRR', enc: '1110 1100 0100 rt2:4 rt:4 cp:4 opc1:4 crm:4', sem: MCRR, when: (a) => a.cp >= 14, noRandom: true },
  { name: 'MRS_SPSR', enc: '1111 0011 1111 1111 1000 rd:4 0000 0000', sem: MRS_SPSR, noRandom: true },
  { name: 'MSR_SPSR_r', enc: '1111 0011 1001 rn:4 1000 mask:4 0000 0000', sem: msrSpsr('r'), when: (a) => a.mask !== 0, noRandom: true },
  { name: 'MRS_banked', enc: '1111 0011 111 r:1 sysl:4 1000 rd:4 001 sysh:1 0000', sem: MRS_BANKED, expand: sysm, noRandom: true },
  { name: 'MSR_banked', enc: '1111 0011 100 r:1 rn:4 1000 sysl:4 001 sysh:1 0000', sem: MSR_BANKED, expand: sysm, noRandom: true },
  { name: 'SUBS_PC_LR', enc: '1111 0011 1101 1110 1000 1111 imm:8', sem: SUBS_PC_LR, noRandom: true },
  { name: 'HVC', enc: '1111 0111 1110 imm:4 1000 imm:12', sem: callTrap('hvc'), noRandom: true },
  { name: 'SMC', enc: '1111 0111 1111 imm:4 1000 0000 0000 0000', sem: callTrap('smc'), noRandom: true },
  { name: 'SRSDB', enc: '1110 1000 00 w:1 0 1101 1100 0000 000 mode:5', sem: SRS, set: { b: 1, i: 0 }, noRandom: true },
  { name: 'SRSIA', enc: '1110 1001 10 w:1 0 1101 1100 0000 000 mode:5', sem: SRS, set: { b: 0, i: 1 }, noRandom: true },
  { name: 'RFEDB', enc: '1110 1000 00 w:1 1 rn:4 1100 0000 0000 0000', sem: RFE, set: { b: 1, i: 0 }, noRandom: true },
  { name: 'RFEIA', enc: '1110 1001 10 w:1 1 rn:4 1100 0000 0000 0000', sem: RFE, set: { b: 0, i: 1 }, noRandom: true },
];
