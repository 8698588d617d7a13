// T16 loads and stores (ARM ARM A6.2.4 load/store single data item, LDR (literal), A6.2.5
// misc. PUSH/POP, LDM/STM): register offset, imm5 (scaled), SP-relative, PC-relative.
import type { Args, Row } from '../pattern.js';
import { LDST } from '../../sem/ldst.js';
import { LDM, STM, bitCount } from '../../sem/ldm.js';

const OFFSET = { p: 1, u: 1, w: 0 };
const REG = { ...OFFSET, shty: 0, shim: 0 };
const scale = (n: number) => (a: Args) => {
  a.imm *= n;
};

const REG_OPS = ['str', 'strh', 'strb', 'ldrsb', 'ldr', 'ldrh', 'ldrb', 'ldrsh'];

export const ROWS: Row[] = [
  ...REG_OPS.map(
    (op, i): Row => ({
      name: `${op.toUpperCase()}_r`,
      enc: `0101 ${i.toString(2).padStart(3, '0')} rm:3 rn:3 rt:3`,
      sem: LDST[op].r,
      set: REG,
    }),
  ),
  { name: 'STR_i', enc: '011 0 0 imm:5 rn:3 rt:3', sem: LDST.str.i, set: OFFSET, expand: scale(4) },
  { name: 'LDR_i', enc: '011 0 1 imm:5 rn:3 rt:3', sem: LDST.ldr.i, set: OFFSET, expand: scale(4) },
  { name: 'STRB_i', enc: '011 1 0 imm:5 rn:3 rt:3', sem: LDST.strb.i, set: OFFSET },
  { name: 'LDRB_i', enc: '011 1 1 imm:5 rn:3 rt:3', sem: LDST.ldrb.i, set: OFFSET },
  { name: 'STRH_i', enc: '1000 0 imm:5 rn:3 rt:3', sem: LDST.strh.i, set: OFFSET, expand: scale(2) },
  { name: 'LDRH_i', enc: '1000 1 imm:5 rn:3 rt:3', sem: LDST.ldrh.i, set: OFFSET, expand: scale(2) },
  { name: 'STR_sp', enc: '1001 0 rt:3 imm:8', sem: LDST.str.i, set: { ...OFFSET, rn: 13 }, expand: scale(4) },
  { name: 'LDR_sp', enc: '1001 1 rt:3 imm:8', sem: LDST.ldr.i, set: { ...OFFSET, rn: 13 }, expand: scale(4) },
  { name: 'LDR_lit', enc: '01001 rt:3 imm:8', sem: LDST.ldr.i, set: { ...OFFSET, rn: 15 }, expand: scale(4) },
  // STM (A8.8.199 T1): always writes back; the base in the list must be the lowest register.
  {
    name: 'STM',
    enc: '1100 0 rn:3 list:8',
    sem: STM,
    set: { w: 1, b: 0, i: 1 },
    valid: (a) => a.list !== 0 && (!((a.list >>> a.rn) & 1) || (a.list & ((1 << a.rn) - 1)) === 0),
  },
  // LDM (A8.8.58 T1): writes back unless the base is in the list.
  {
    name: 'LDM',
    enc: '1100 1 rn:3 list:8',
    sem: LDM,
    set: { b: 0, i: 1 },
    expand: (a) => {
      a.w = (a.list >>> a.rn) & 1 ? 0 : 1;
    },
    valid: (a) => a.list !== 0,
  },
  {
    name: 'PUSH',
    enc: '1011 010 m:1 list:8',
    sem: STM,
    set: { rn: 13, w: 1, b: 1, i: 0 },
    expand: (a) => {
      a.list |= a.m << 14;
    },
    valid: (a) => bitCount(a.list) > 0,
  },
  {
    name: 'POP',
    enc: '1011 110 p:1 list:8',
    sem: LDM,
    set: { rn: 13, w: 1, b: 0, i: 1 },
    expand: (a) => {
      a.list |= a.p << 15;
      a.p = 0;
    },
    valid: (a) => bitCount(a.list) > 0,
  },
];
