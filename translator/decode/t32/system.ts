// T32 system and control (ARM ARM A6.3.4 branches and miscellaneous control, A6.3.18
// coprocessor): MSR/MRS of the APSR, hints, CPS (NOP at PL0), barriers, CLREX, UDF.W, and the
// cp14/cp15 register transfers. SMC, HVC, ERET/SUBS PC,LR, SRS/RFE and banked MRS/MSR are
// UNDEFINED at PL0 on qemu-arm, so they have no rows.
import type { Row } from '../pattern.js';
import { CLREX } from '../../sem/exclusive.js';
import { CPS, HINT, MCRR, MRS, MSR_r, UDF, barrier, cpRows, mrrcRows } from '../../sem/system.js';

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
];
