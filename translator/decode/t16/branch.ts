// T16 branches (ARM ARM A6.2.6 B, A6.2.3 BX/BLX, A6.2.5 CBZ/CBNZ). B<c> names its field
// `cond` so the block loop applies it.
import type { Args, Row } from '../pattern.js';
import { B, BLX_r, BX, CBZ } from '../../sem/branch.js';

const scale2 = (a: Args) => {
  a.imm *= 2;
};

export const ROWS: Row[] = [
  // B<c> is not allowed inside an IT block: UNDEFINED there (as QEMU does).
  { name: 'B_cond', enc: '1101 cond:4 imm:s8', sem: B, when: (a) => a.cond < 14, expand: (a, env) => (env.inIT ? false : scale2(a)) },
  { name: 'B', enc: '11100 imm:s11', sem: B, expand: scale2 },
  { name: 'BX', enc: '0100 0111 0 rm:4 000', sem: BX },
  { name: 'BLX_r', enc: '0100 0111 1 rm:4 000', sem: BLX_r, valid: (a) => a.rm !== 15 },
  {
    name: 'CBZ',
    enc: '1011 nz:1 0 i:1 1 imm:5 rn:3',
    sem: CBZ,
    expand: (a) => {
      a.imm = (a.i << 6) | (a.imm << 1);
    },
  },
];
