// T16 extends and byte reversals (ARM ARM A6.2.5 miscellaneous 16-bit instructions).
import type { Row } from '../pattern.js';
import { REV, REV16, REVSH, SXTB, SXTH, UXTB, UXTH } from '../../sem/media.js';

export const ROWS: Row[] = [
  { name: 'T16_SXTH', enc: '1011 0010 00 rm:3 rd:3', sem: SXTH, set: { rot: 0 } },
  { name: 'T16_SXTB', enc: '1011 0010 01 rm:3 rd:3', sem: SXTB, set: { rot: 0 } },
  { name: 'T16_UXTH', enc: '1011 0010 10 rm:3 rd:3', sem: UXTH, set: { rot: 0 } },
  { name: 'T16_UXTB', enc: '1011 0010 11 rm:3 rd:3', sem: UXTB, set: { rot: 0 } },
  { name: 'T16_REV', enc: '1011 1010 00 rm:3 rd:3', sem: REV },
  { name: 'T16_REV16', enc: '1011 1010 01 rm:3 rd:3', sem: REV16 },
  { name: 'T16_REVSH', enc: '1011 1010 11 rm:3 rd:3', sem: REVSH },
];
