// T32 loads and stores (ARM ARM A6.3.7-A6.3.10 single, A6.3.6 dual/exclusive/table branch,
// A6.3.5 multiple). Byte and halfword loads with Rt = PC are the preload hints (PLD, PLDW,
// PLI) or unallocated hints that execute as NOP.
import type { Args, Row } from '../pattern.js';
import { LDRD, LDST, STRD, preload } from '../../sem/ldst.js';
import { LDM, STM, bitCount } from '../../sem/ldm.js';
import { LDREX, LDREXB, LDREXD, LDREXH, STREX, STREXB, STREXD, STREXH, validEx } from '../../sem/exclusive.js';
import { TB } from '../../sem/branch.js';

const bad = (r: number) => r === 13 || r === 15;
const wb = (a: Args) => a.p === 0 || a.w === 1;
const notPC = (a: Args) => a.rn !== 15;

/** [name, S (sign), size bits, L]: hw1 = 1111 100 S x size L Rn. */
const OPS = [
  ['strb', 0, '00', 0],
  ['strh', 0, '01', 0],
  ['str', 0, '10', 0],
  ['ldrb', 0, '00', 1],
  ['ldrh', 0, '01', 1],
  ['ldr', 0, '10', 1],
  ['ldrsb', 1, '00', 1],
  ['ldrsh', 1, '01', 1],
] as const;

/** What a byte/halfword load with Rt = PC is (A6.3.8, A6.3.9). */
const HINT_OF: Record<string, string> = { ldrb: 'pld', ldrh: 'pldw', ldrsb: 'pli', ldrsh: 'nop' };

/** A8.8.63 ff. (T3/T4 encodings): the register rules of one operation. */
function validSingle(name: string, reg: boolean, user: boolean): (a: Args) => boolean {
  const load = name.startsWith('ldr');
  const word = name === 'ldr';
  return (a) => {
    if (reg && bad(a.rm)) return false;
    if (!load && bad(a.rt) && !(name === 'str' && a.rt === 13)) return false;
    if (load && !word && (a.rt === 13 || a.rt === 15)) return false;
    if (user && word && bad(a.rt)) return false;
    if (wb(a) && a.rn === a.rt) return false;
    return true;
  };
}

function singleRows(): Row[] {
  const out: Row[] = [];
  const OFF = { p: 1, u: 1, w: 0 };
  // Hints first: they overlap the Rt = 1111 encodings of the byte/halfword loads.
  for (const [name, s, sz] of OPS) {
    const hint = HINT_OF[name];
    if (!hint) continue;
    const H = `${hint.toUpperCase()}_${name.toUpperCase()}`;
    out.push(
      { name: `${H}_lit`, enc: `1111 100 ${s} u:1 ${sz} 1 1111 1111 imm:12`, sem: preload(hint, 'i'), set: { rn: 15, p: 1, w: 0 } },
      { name: `${H}_i12`, enc: `1111 100 ${s} 1 ${sz} 1 rn:4 1111 imm:12`, sem: preload(hint, 'i'), set: OFF, when: notPC },
      { name: `${H}_i8`, enc: `1111 100 ${s} 0 ${sz} 1 rn:4 1111 1100 imm:8`, sem: preload(hint, 'i'), set: { p: 1, u: 0, w: 0 }, when: notPC },
      { name: `${H}_r`, enc: `1111 100 ${s} 0 ${sz} 1 rn:4 1111 0000 00 shim:2 rm:4`, sem: preload(hint, 'r'), set: { ...OFF, shty: 0 }, when: notPC, valid: (a) => !bad(a.rm) },
    );
  }
  for (const [name, s, sz, l] of OPS) {
    const U = name.toUpperCase();
    const sem = LDST[name];
    if (l)
      out.push({ name: `${U}_lit`, enc: `1111 100 ${s} u:1 ${sz} 1 1111 rt:4 imm:12`, sem: sem.i, set: { rn: 15, p: 1, w: 0 }, valid: validSingle(name, false, false) });
    out.push(
      { name: `${U}_i12`, enc: `1111 100 ${s} 1 ${sz} ${l} rn:4 rt:4 imm:12`, sem: sem.i, set: OFF, when: notPC, valid: validSingle(name, false, false) },
      { name: `${U}T`, enc: `1111 100 ${s} 0 ${sz} ${l} rn:4 rt:4 1110 imm:8`, sem: LDST[`${name}t`].i, set: OFF, when: notPC, valid: validSingle(name, false, true) },
      {
        name: `${U}_i8`,
        enc: `1111 100 ${s} 0 ${sz} ${l} rn:4 rt:4 1 p:1 u:1 w:1 imm:8`,
        sem: sem.i,
        // P=0 W=0 is UNDEFINED; P=1 U=1 W=0 is the T form above.
        when: (a) => a.rn !== 15 && (a.p === 1 || a.w === 1),
        valid: validSingle(name, false, false),
      },
      { name: `${U}_r`, enc: `1111 100 ${s} 0 ${sz} ${l} rn:4 rt:4 0000 00 shim:2 rm:4`, sem: sem.r, set: { ...OFF, shty: 0 }, when: notPC, valid: validSingle(name, true, false) },
    );
  }
  return out;
}

const scale4 = (a: Args) => {
  a.imm *= 4;
};

function dualRows(): Row[] {
  const validD = (load: boolean) => (a: Args) => {
    if (bad(a.rt) || bad(a.rt2)) return false;
    if (load && a.rt === a.rt2) return false;
    if (wb(a) && (a.rn === a.rt || a.rn === a.rt2 || a.rn === 15)) return false;
    if (!load && a.rn === 15) return false;
    return true;
  };
  return [
    // P=0 W=0 is the exclusive / table branch space.
    { name: 'STRD_i', enc: '1110 100 p:1 u:1 1 w:1 0 rn:4 rt:4 rt2:4 imm:8', sem: STRD.i, when: (a) => (a.p === 1 || a.w === 1) && a.rn !== 15, expand: scale4, valid: validD(false) },
    { name: 'LDRD_i', enc: '1110 100 p:1 u:1 1 w:1 1 rn:4 rt:4 rt2:4 imm:8', sem: LDRD.i, when: (a) => a.p === 1 || a.w === 1, expand: scale4, valid: validD(true) },
  ];
}

const EX_IMM0 = { imm: 0 };

function exclusiveRows(): Row[] {
  return [
    { name: 'STREX', enc: '1110 1000 0100 rn:4 rt:4 rd:4 imm:8', sem: STREX, expand: scale4, valid: validEx('st', 4, true) },
    { name: 'LDREX', enc: '1110 1000 0101 rn:4 rt:4 1111 imm:8', sem: LDREX, expand: scale4, valid: validEx('ld', 4, true) },
    { name: 'STREXB', enc: '1110 1000 1100 rn:4 rt:4 1111 0100 rd:4', sem: STREXB, set: EX_IMM0, valid: validEx('st', 1, true) },
    { name: 'STREXH', enc: '1110 1000 1100 rn:4 rt:4 1111 0101 rd:4', sem: STREXH, set: EX_IMM0, valid: validEx('st', 2, true) },
    { name: 'STREXD', enc: '1110 1000 1100 rn:4 rt:4 rt2:4 0111 rd:4', sem: STREXD, set: EX_IMM0, valid: validEx('st', 8, true) },
    { name: 'TBB', enc: '1110 1000 1101 rn:4 1111 0000 0000 rm:4', sem: TB, set: { h: 0 }, valid: (a) => a.rn !== 13 && !bad(a.rm) },
    { name: 'TBH', enc: '1110 1000 1101 rn:4 1111 0000 0001 rm:4', sem: TB, set: { h: 1 }, valid: (a) => a.rn !== 13 && !bad(a.rm) },
    { name: 'LDREXB', enc: '1110 1000 1101 rn:4 rt:4 1111 0100 1111', sem: LDREXB, set: EX_IMM0, valid: validEx('ld', 1, true) },
    { name: 'LDREXH', enc: '1110 1000 1101 rn:4 rt:4 1111 0101 1111', sem: LDREXH, set: EX_IMM0, valid: validEx('ld', 2, true) },
    { name: 'LDREXD', enc: '1110 1000 1101 rn:4 rt:4 rt2:4 0111 1111', sem: LDREXD, set: EX_IMM0, valid: validEx('ld', 8, true) },
  ];
}

/** A8.8.58/A8.8.199 T2: two or more registers, no SP; LDM: not both PC and LR; STM: no PC. */
function validBlock(load: boolean): (a: Args) => boolean {
  return (a) => {
    if (a.rn === 15 || bitCount(a.list) < 2 || a.list & (1 << 13)) return false;
    if (a.w && (a.list >>> a.rn) & 1) return false;
    if (load) return (a.list & 0xc000) !== 0xc000;
    return (a.list & (1 << 15)) === 0;
  };
}

function blockRows(): Row[] {
  return [
    { name: 'STM', enc: '1110 1000 10 w:1 0 rn:4 list:16', sem: STM, set: { b: 0, i: 1 }, valid: validBlock(false) },
    { name: 'LDM', enc: '1110 1000 10 w:1 1 rn:4 list:16', sem: LDM, set: { b: 0, i: 1 }, valid: validBlock(true) },
    { name: 'STMDB', enc: '1110 1001 00 w:1 0 rn:4 list:16', sem: STM, set: { b: 1, i: 0 }, valid: validBlock(false) },
    { name: 'LDMDB', enc: '1110 1001 00 w:1 1 rn:4 list:16', sem: LDM, set: { b: 1, i: 0 }, valid: validBlock(true) },
  ];
}

export const ROWS: Row[] = [...singleRows(), ...dualRows(), ...exclusiveRows(), ...blockRows()];
