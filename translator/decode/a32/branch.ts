// A32 branches (ARM ARM A5.5 B/BL, A5.2.12 BX/BXJ/BLX (register)); BLX (immediate) lives in
// the unconditional space (uncond.ts).
import type { Args, Row } from '../pattern.js';
import { B, BL, BLX_r, BX, BXJ } from '../../sem/branch.js';

/** imm24:'00' sign-extended. */
const scale4 = (a: Args) => {
  a.imm = a.imm * 4;
};

export const ROWS: Row[] = [
  { name: 'B', enc: 'cond:4 1010 imm:s24', sem: B, expand: scale4 },
  { name: 'BL', enc: 'cond:4 1011 imm:s24', sem: BL, expand: scale4 },
  { name: 'BX', enc: 'cond:4 0001 0010 1111 1111 1111 0001 rm:4', sem: BX },
  { name: 'BXJ', enc: 'cond:4 0001 0010 1111 1111 1111 0010 rm:4', sem: BXJ },
  { name: 'BLX_r', enc: 'cond:4 0001 0010 1111 1111 1111 0011 rm:4', sem: BLX_r, valid: (a) => a.rm !== 15 },
];
