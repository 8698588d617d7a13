// T32 branches (ARM ARM A6.3.4 branches and miscellaneous control): B<c>.W (field `cond`, so
// the block loop applies it), B.W, BL, BLX (immediate), BXJ. TBB/TBH are in ldst.ts.
import type { Args, Row } from '../pattern.js';
import { B, BL, BLX_i, BXJ } from '../../sem/branch.js';

/** imm32 = SignExtend(S:I1:I2:imm10:imm11:'0'), I = NOT(J XOR S) (A8.8.18 T4). */
function imm25(a: Args): void {
  const i1 = (a.j1 ^ a.s ^ 1) & 1;
  const i2 = (a.j2 ^ a.s ^ 1) & 1;
  const v = (a.s << 24) | (i1 << 23) | (i2 << 22) | (a.imm10 << 12) | (a.imm11 << 1);
  a.imm = (v << 7) >> 7;
}

export const ROWS: Row[] = [
  {
    name: 'B_cond',
    enc: '11110 s:1 cond:4 imm6:6 10 j1:1 0 j2:1 imm11:11',
    sem: B,
    when: (a) => a.cond < 14,
    expand: (a, env) => {
      if (env.inIT) return false; // B<c> is UNDEFINED inside an IT block
      // SignExtend(S:J2:J1:imm6:imm11:'0', 32) (A8.8.18 T3).
      const v = (a.s << 20) | (a.j2 << 19) | (a.j1 << 18) | (a.imm6 << 12) | (a.imm11 << 1);
      a.imm = (v << 11) >> 11;
    },
  },
  { name: 'B', enc: '11110 s:1 imm10:10 10 j1:1 1 j2:1 imm11:11', sem: B, expand: imm25 },
  { name: 'BL', enc: '11110 s:1 imm10:10 11 j1:1 1 j2:1 imm11:11', sem: BL, expand: imm25 },
  {
    name: 'BLX_i',
    enc: '11110 s:1 imm10:10 11 j1:1 0 j2:1 imm11:10 0',
    sem: BLX_i,
    expand: (a) => {
      a.imm11 <<= 1;
      imm25(a);
    },
  },
  { name: 'BXJ', enc: '1111 0011 1100 rm:4 1000 1111 0000 0000', sem: BXJ, valid: (a) => a.rm !== 13 && a.rm !== 15 },
];
