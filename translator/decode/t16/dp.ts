// T16 data-processing (ARM ARM A6.2.1-A6.2.3, A8 entries): shifts by immediate, add/subtract,
// move/compare immediates, the register-to-register group, high-register ADD/CMP/MOV, ADR
// and SP arithmetic. Flags are set outside an IT block only (the S column of A6.2.1).
import type { Args, DecodeEnv, Row } from '../pattern.js';
import { DP } from '../../sem/alu.js';
import { MUL } from '../../sem/mul.js';

/** S = not in an IT block. */
const itS = (a: Args, env: DecodeEnv): void => {
  a.s = env.inIT ? 0 : 1;
};

const DPREG: [string, string][] = [
  ['0000', 'and'],
  ['0001', 'eor'],
  ['0101', 'adc'],
  ['0110', 'sbc'],
  ['1100', 'orr'],
  ['1110', 'bic'],
];

function rows(): Row[] {
  const out: Row[] = [
    // Shifts by immediate are MOV with a shifted register (LSL #0 is MOVS Rd, Rm).
    { name: 'T16_LSL_i', enc: '000 00 shim:5 rm:3 rd:3', sem: DP.mov.rrri, set: { shty: 0 }, expand: itS },
    { name: 'T16_LSR_i', enc: '000 01 shim:5 rm:3 rd:3', sem: DP.mov.rrri, set: { shty: 1 }, expand: itS },
    { name: 'T16_ASR_i', enc: '000 10 shim:5 rm:3 rd:3', sem: DP.mov.rrri, set: { shty: 2 }, expand: itS },
    { name: 'T16_ADD_rrr', enc: '000 1100 rm:3 rn:3 rd:3', sem: DP.add.rrri, set: { shty: 0, shim: 0 }, expand: itS },
    { name: 'T16_SUB_rrr', enc: '000 1101 rm:3 rn:3 rd:3', sem: DP.sub.rrri, set: { shty: 0, shim: 0 }, expand: itS },
    { name: 'T16_ADD_rri3', enc: '000 1110 imm:3 rn:3 rd:3', sem: DP.add.rri, set: { rot: 0 }, expand: itS },
    { name: 'T16_SUB_rri3', enc: '000 1111 imm:3 rn:3 rd:3', sem: DP.sub.rri, set: { rot: 0 }, expand: itS },
    { name: 'T16_MOV_ri', enc: '001 00 rd:3 imm:8', sem: DP.mov.rri, set: { rot: 0 }, expand: itS },
    { name: 'T16_CMP_ri', enc: '001 01 rn:3 imm:8', sem: DP.cmp.rri, set: { rot: 0, s: 1 } },
    { name: 'T16_ADD_ri8', enc: '001 10 rd:3 imm:8', sem: DP.add.rri, set: { rot: 0, two: 1 }, expand: (a, env) => { a.rn = a.rd; itS(a, env); } },
    { name: 'T16_SUB_ri8', enc: '001 11 rd:3 imm:8', sem: DP.sub.rri, set: { rot: 0, two: 1 }, expand: (a, env) => { a.rn = a.rd; itS(a, env); } },
    // Register-controlled shifts: Rdn = Rdn <shift> Rm.
    ...(['0010', '0011', '0100', '0111'] as const).map((opc, i): Row => ({
      name: `T16_${['LSL', 'LSR', 'ASR', 'ROR'][i]}_rr`,
      enc: `010000 ${opc} rs:3 rd:3`,
      sem: DP.mov.rrrr,
      set: { shty: [0, 1, 2, 3][i] },
      expand: (a, env) => {
        a.rm = a.rd;
        itS(a, env);
      },
    })),
    { name: 'T16_TST_rr', enc: '010000 1000 rm:3 rn:3', sem: DP.tst.rrri, set: { s: 1, shty: 0, shim: 0 } },
    // RSBS Rd, Rn, #0 (NEG).
    { name: 'T16_RSB_ri0', enc: '010000 1001 rn:3 rd:3', sem: DP.rsb.rri, set: { imm: 0, rot: 0 }, expand: itS },
    { name: 'T16_CMP_rr', enc: '010000 1010 rm:3 rn:3', sem: DP.cmp.rrri, set: { s: 1, shty: 0, shim: 0 } },
    { name: 'T16_CMN_rr', enc: '010000 1011 rm:3 rn:3', sem: DP.cmn.rrri, set: { s: 1, shty: 0, shim: 0 } },
    // MULS Rdm, Rn, Rdm.
    { name: 'T16_MUL', enc: '010000 1101 rn:3 rd:3', sem: MUL, set: { two: 1 }, expand: (a, env) => { a.rm = a.rd; itS(a, env); } },
    { name: 'T16_MVN_rr', enc: '010000 1111 rm:3 rd:3', sem: DP.mvn.rrri, set: { shty: 0, shim: 0 }, expand: itS },
    ...DPREG.map(([opc, op]): Row => ({
      name: `T16_${op.toUpperCase()}_rr`,
      enc: `010000 ${opc} rm:3 rd:3`,
      sem: DP[op].rrri,
      set: { shty: 0, shim: 0, two: 1 },
      expand: (a, env) => {
        a.rn = a.rd;
        itS(a, env);
      },
    })),
    // High registers: ADD and MOV never set flags; Rd = PC branches (ALUWritePC, Thumb rule).
    {
      name: 'T16_ADD_hi',
      enc: '010001 00 dn:1 rm:4 rd:3',
      sem: DP.add.rrri,
      set: { s: 0, shty: 0, shim: 0, two: 1 },
      expand: (a) => {
        a.rd |= a.dn << 3;
        a.rn = a.rd;
      },
      valid: (a) => !(a.rd === 15 && a.rm === 15),
    },
    {
      name: 'T16_CMP_hi',
      enc: '010001 01 n:1 rm:4 rn:3',
      sem: DP.cmp.rrri,
      set: { s: 1, shty: 0, shim: 0 },
      expand: (a) => {
        a.rn |= a.n << 3;
      },
      valid: (a) => a.rn !== 15 && a.rm !== 15 && (a.rn >= 8 || a.rm >= 8),
    },
    {
      name: 'T16_MOV_hi',
      enc: '010001 10 d:1 rm:4 rd:3',
      sem: DP.mov.rrri,
      set: { s: 0, shty: 0, shim: 0 },
      expand: (a) => {
        a.rd |= a.d << 3;
      },
      valid: (a) => a.rm !== 15 || a.rd !== 15,
    },
    // ADR: Rd = Align(PC, 4) + imm8 * 4;  ADD Rd, SP, #imm8 * 4.
    { name: 'T16_ADR', enc: '1010 0 rd:3 imm:8', sem: DP.add.rri, set: { rn: 15, s: 0, rot: 0 }, expand: (a) => { a.imm *= 4; } },
    { name: 'T16_ADD_SP_i', enc: '1010 1 rd:3 imm:8', sem: DP.add.rri, set: { rn: 13, s: 0, rot: 0 }, expand: (a) => { a.imm *= 4; } },
    { name: 'T16_ADD_SPSP_i', enc: '1011 0000 0 imm:7', sem: DP.add.rri, set: { rd: 13, rn: 13, s: 0, rot: 0, two: 1 }, expand: (a) => { a.imm *= 4; } },
    { name: 'T16_SUB_SPSP_i', enc: '1011 0000 1 imm:7', sem: DP.sub.rri, set: { rd: 13, rn: 13, s: 0, rot: 0, two: 1 }, expand: (a) => { a.imm *= 4; } },
  ];
  return out;
}

export const ROWS: Row[] = rows();
