// T16 system and control (ARM ARM A6.2.5 misc., A6.2.6 SVC/UDF): IT, hints, BKPT, SVC, UDF,
// CPS (a NOP at PL0), SETEND.
import type { Row } from '../pattern.js';
import { BKPT, CPS, HINT, IT, SETEND, SVC, UDF } from '../../sem/system.js';
import { bitCount } from '../../sem/ldm.js';

export const ROWS: Row[] = [
  { name: 'SVC', enc: '1101 1111 imm:8', sem: SVC, noRandom: true },
  { name: 'UDF', enc: '1101 1110 imm:8', sem: UDF, noRandom: true },
  { name: 'BKPT', enc: '1011 1110 imm:8', sem: BKPT, always: true, noRandom: true },
  { name: 'HINT', enc: '1011 1111 op:4 0000', sem: HINT },
  {
    name: 'IT',
    enc: '1011 1111 firstcond:4 mask:4',
    sem: IT,
    always: true,
    when: (a) => a.mask !== 0,
    // A8.8.55: firstcond 1111 and AL with an "else" slot are UNPREDICTABLE.
    valid: (a) => a.firstcond !== 15 && (a.firstcond !== 14 || bitCount(a.mask) === 1),
  },
  { name: 'SETEND', enc: '1011 0110 0101 e:1 000', sem: SETEND, valid: (a) => a.e === 0 },
  {
    name: 'CPS',
    enc: '1011 0110 011 im:1 0 a:1 i:1 f:1',
    sem: CPS,
    expand: (a) => {
      a.imod = 2 + a.im;
      a.m = 0;
      a.mode = 0;
    },
    valid: (a) => a.a + a.i + a.f > 0,
  },
];
