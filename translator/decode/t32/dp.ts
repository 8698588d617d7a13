// T32 data-processing (ARM ARM A6.3.1 modified immediate, A6.3.3 plain binary immediate
// (ADDW, SUBW, ADR, MOVW, MOVT), A6.3.11 shifted register, A6.3.12 register-controlled
// shifts). Aliases as the ARM ARM lists them: Rd = PC with S gives TST/TEQ/CMN/CMP, and
// Rn = PC turns ORR/ORN into MOV/MVN.
import type { Args, Row } from '../pattern.js';
import { noSPPC } from '../valid.js';
import { DP, MOVT, MOVW } from '../../sem/alu.js';

/** ThumbExpandImm_C (A6.3.2): imm becomes the value; rot != 0 when the carry is imm<31>. */
export function thumbExpandImm(a: Args): boolean {
  const imm12 = a.imm;
  if ((imm12 >>> 10) === 0) {
    const x = imm12 & 0xff;
    switch ((imm12 >>> 8) & 3) {
      case 0:
        a.imm = x;
        break;
      case 1:
        a.imm = ((x << 16) | x) >>> 0;
        break;
      case 2:
        a.imm = ((x << 24) | (x << 8)) >>> 0;
        break;
      default:
        a.imm = ((x << 24) | (x << 16) | (x << 8) | x) >>> 0;
    }
    a.rot = 0;
  } else {
    const unrot = 0x80 | (imm12 & 0x7f);
    const n = (imm12 >>> 7) & 31;
    a.imm = ((unrot >>> n) | (unrot << (32 - n))) >>> 0;
    a.rot = n;
  }
  return true;
}


interface Op {
  opc: string;
  op: string;
  /** Rd = 1111 with S = 1 turns it into this test. */
  test?: string;
  /** Rn = 1111 turns it into this move. */
  move?: string;
}

const OPS: Op[] = [
  { opc: '0000', op: 'and', test: 'tst' },
  { opc: '0001', op: 'bic' },
  { opc: '0010', op: 'orr', move: 'mov' },
  { opc: '0011', op: 'orn', move: 'mvn' },
  { opc: '0100', op: 'eor', test: 'teq' },
  { opc: '1000', op: 'add', test: 'cmn' },
  { opc: '1010', op: 'adc' },
  { opc: '1011', op: 'sbc' },
  { opc: '1101', op: 'sub', test: 'cmp' },
  { opc: '1110', op: 'rsb' },
];

const SP_OK = new Set(['add', 'sub', 'cmn', 'cmp']);

/** Operations with a 16-bit form too: objdump marks their T32 encodings `.w` (args.w). */
const HAS_T16 = new Set(['and', 'bic', 'orr', 'eor', 'add', 'adc', 'sbc', 'sub', 'mov', 'mvn', 'tst', 'cmp', 'cmn']);
const W = (op: string) => ({ w: HAS_T16.has(op) ? 1 : 0 });

function rows(): Row[] {
  const out: Row[] = [];
  for (const o of OPS) {
    const U = o.op.toUpperCase();
    const imm = `11110 imm:1 0 ${o.opc}`;
    const reg = `11101 01 ${o.opc}`;
    if (o.test) {
      const T = o.test.toUpperCase();
      out.push({ name: `T32_${T}_rri`, enc: `${imm} 1 rn:4 0 imm:3 1111 imm:8`, sem: DP[o.test].rri, set: { s: 1, ...W(o.test) }, expand: thumbExpandImm, valid: (a) => a.rn !== 15 });
      out.push({ name: `T32_${T}_rrri`, enc: `${reg} 1 rn:4 0 shim:3 1111 shim:2 shty:2 rm:4`, sem: DP[o.test].rrri, set: { s: 1, ...W(o.test) }, valid: (a) => a.rn !== 15 && noSPPC(a.rm) });
    }
    if (o.move) {
      const M = o.move.toUpperCase();
      out.push({ name: `T32_${M}_ri`, enc: `${imm} s:1 1111 0 imm:3 rd:4 imm:8`, sem: DP[o.move].rri, set: W(o.move), expand: thumbExpandImm, valid: (a) => noSPPC(a.rd) });
      out.push({ name: `T32_${M}_rrsi`, enc: `${reg} s:1 1111 0 shim:3 rd:4 shim:2 shty:2 rm:4`, sem: DP[o.move].rrri, set: W(o.move), valid: (a) => noSPPC(a.rd) && noSPPC(a.rm) });
    }
    // SP is allowed as Rn (and Rd) for ADD/SUB/CMP/CMN with an SP operand (A8.8.9, A8.8.222).
    const sp = SP_OK.has(o.op);
    out.push({
      name: `T32_${U}_rri`,
      enc: `${imm} s:1 rn:4 0 imm:3 rd:4 imm:8`,
      sem: DP[o.op].rri,
      set: W(o.op),
      expand: thumbExpandImm,
      when: (a) => !(o.test && a.rd === 15 && a.s === 1) && !(o.move && a.rn === 15),
      valid: (a) => (sp ? a.rd !== 15 && (a.rd !== 13 || a.rn === 13) : noSPPC(a.rd)) && a.rn !== 15 && (sp || a.rn !== 13),
    });
    out.push({
      name: `T32_${U}_rrri`,
      enc: `${reg} s:1 rn:4 0 shim:3 rd:4 shim:2 shty:2 rm:4`,
      sem: DP[o.op].rrri,
      set: W(o.op),
      when: (a) => !(o.test && a.rd === 15 && a.s === 1) && !(o.move && a.rn === 15),
      valid: (a) => (sp ? a.rd !== 15 && (a.rd !== 13 || a.rn === 13) : noSPPC(a.rd)) && a.rn !== 15 && (sp || a.rn !== 13) && noSPPC(a.rm),
    });
  }
  // Plain binary immediate: ADDW/SUBW (ADR when Rn = PC), MOVW/MOVT.
  out.push({ name: 'T32_ADDW', enc: '11110 imm:1 1 00000 rn:4 0 imm:3 rd:4 imm:8', sem: DP.add.rri, set: { s: 0, rot: 0, w12: 1 }, valid: (a) => a.rd !== 15 && (a.rd !== 13 || a.rn === 13) });
  out.push({ name: 'T32_SUBW', enc: '11110 imm:1 1 01010 rn:4 0 imm:3 rd:4 imm:8', sem: DP.sub.rri, set: { s: 0, rot: 0, w12: 1 }, valid: (a) => a.rd !== 15 && (a.rd !== 13 || a.rn === 13) });
  out.push({ name: 'T32_MOVW', enc: '11110 imm:1 1 00100 imm:4 0 imm:3 rd:4 imm:8', sem: MOVW, valid: (a) => noSPPC(a.rd), expand: reorder16 });
  out.push({ name: 'T32_MOVT', enc: '11110 imm:1 1 01100 imm:4 0 imm:3 rd:4 imm:8', sem: MOVT, valid: (a) => noSPPC(a.rd), expand: reorder16 });
  // Register-controlled shifts: LSL/LSR/ASR/ROR{S}.W Rd, Rn, Rm = MOV Rd, Rn, <shift> Rm.
  out.push({
    name: 'T32_MOV_rrsr',
    enc: '11111 010 0 shty:2 s:1 rm:4 1111 rd:4 0000 rs:4',
    sem: DP.mov.rrrr,
    set: { w: 1 },
    valid: (a) => noSPPC(a.rd) && noSPPC(a.rm) && noSPPC(a.rs),
  });
  return out;
}

/** MOVW/MOVT: the fields come as i:imm4:imm3:imm8; the value is imm4:i:imm3:imm8. */
function reorder16(a: Args): void {
  const v = a.imm; // i(1) imm4(4) imm3(3) imm8(8), concatenated in that order
  const i = (v >>> 15) & 1;
  const imm4 = (v >>> 11) & 15;
  a.imm = (imm4 << 12) | (i << 11) | (v & 0x7ff);
}

export const ROWS: Row[] = rows();
