// A32 data-processing (ARM ARM A5.2): register, register-shifted register and modified
// immediate forms of the 16 operations, plus MOVW/MOVT.
import type { Row } from '../pattern.js';
import { A32_DP_ORDER, DP, MOVT, MOVW } from '../../sem/alu.js';

const bin4 = (i: number) => i.toString(2).padStart(4, '0');
const isTest = (op: string) => ['tst', 'teq', 'cmp', 'cmn'].includes(op);
const isMove = (op: string) => op === 'mov' || op === 'mvn';

/** A32ExpandImm_C: rotated 8-bit immediate (ARM ARM A5.2.4). */
export function a32ExpandImm(a: Record<string, number>): void {
  const rot = a.rot * 2;
  a.rot = rot;
  a.imm = rot === 0 ? a.imm : ((a.imm >>> rot) | (a.imm << (32 - rot))) >>> 0;
}

function rows(): Row[] {
  const out: Row[] = [];
  A32_DP_ORDER.forEach((op, i) => {
    const s = isTest(op) ? '1' : 's:1';
    // The unused register field is should-be-zero; QEMU treats other values as UNDEFINED.
    const rn = isMove(op) ? '0000' : 'rn:4';
    const rd = isTest(op) ? '0000' : 'rd:4';
    const sem = DP[op];
    const U = op.toUpperCase();
    out.push({
      name: `${U}_rrri`,
      enc: `cond:4 000 ${bin4(i)} ${s} ${rn} ${rd} shim:5 shty:2 0 rm:4`,
      sem: sem.rrri,
      set: isTest(op) ? { s: 1 } : undefined,
      when: (a) => a.cond !== 15,
      valid: (a) => !(a.rd === 15 && a.s === 1),
    });
    out.push({
      name: `${U}_rrrr`,
      enc: `cond:4 000 ${bin4(i)} ${s} ${rn} ${rd} rs:4 0 shty:2 1 rm:4`,
      sem: sem.rrrr,
      set: isTest(op) ? { s: 1 } : undefined,
      when: (a) => a.cond !== 15,
      valid: (a) => a.rd !== 15 && a.rn !== 15 && a.rm !== 15 && a.rs !== 15,
    });
    out.push({
      name: `${U}_rri`,
      enc: `cond:4 001 ${bin4(i)} ${s} ${rn} ${rd} rot:4 imm:8`,
      sem: sem.rri,
      set: isTest(op) ? { s: 1 } : undefined,
      when: (a) => a.cond !== 15,
      expand: a32ExpandImm,
      valid: (a) => !(a.rd === 15 && a.s === 1),
    });
  });
  out.push({ name: 'MOVW', enc: 'cond:4 0011 0000 imm:4 rd:4 imm:12', sem: MOVW, valid: (a) => a.rd !== 15 });
  out.push({ name: 'MOVT', enc: 'cond:4 0011 0100 imm:4 rd:4 imm:12', sem: MOVT, valid: (a) => a.rd !== 15 });
  return out;
}

export const ROWS: Row[] = rows();
