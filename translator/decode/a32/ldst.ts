// A32 loads and stores (ARM ARM A5.3 word/unsigned byte, A5.2.8 extra load/store, A5.2.10
// synchronization primitives, A5.5 block transfers): offset, pre- and post-indexed forms,
// the unprivileged T forms (P=0, W=1, acting as post-indexed), literals (Rn = PC).
import type { Args, Row } from '../pattern.js';
import { LDRD, LDST, STRD } from '../../sem/ldst.js';
import { LDM, STM, validA32 } from '../../sem/ldm.js';
import { LDREX, LDREXB, LDREXD, LDREXH, STREX, STREXB, STREXD, STREXH, SWP, SWPB, validEx } from '../../sem/exclusive.js';

const wb = (a: Args) => a.p === 0 || a.w === 1;

/** A8.8.62 ff.: the register rules of the word/byte and halfword forms. */
function validSingle(name: string, reg: boolean, user: boolean): (a: Args) => boolean {
  const load = name.startsWith('ldr');
  const word = name === 'ldr' || name === 'str';
  return (a) => {
    if (reg && a.rm === 15) return false;
    if (user && (a.rn === 15 || a.rn === a.rt)) return false;
    if (!word && a.rt === 15) return false;
    if (user && load && a.rt === 15) return false;
    if (wb(a) && (a.rn === 15 || a.rn === a.rt)) return false;
    return true;
  };
}

/** The P/W combinations of one encoding: offset/pre-indexed (P=1) and post-indexed (P=0, W=0). */
const PW: { tag: string; p: string; w: string; set: Args }[] = [
  { tag: '', p: '1', w: 'w:1', set: { p: 1 } },
  { tag: '_post', p: '0', w: '0', set: { p: 0, w: 0 } },
];

function rows(): Row[] {
  const out: Row[] = [];
  // Word and unsigned byte (A5.3).
  for (const [name, b, l] of [['str', 0, 0], ['strb', 1, 0], ['ldr', 0, 1], ['ldrb', 1, 1]] as const) {
    const U = name.toUpperCase();
    for (const f of PW) {
      out.push({
        name: `${U}_i${f.tag}`,
        enc: `cond:4 010 ${f.p} u:1 ${b} ${f.w} ${l} rn:4 rt:4 imm:12`,
        sem: LDST[name].i,
        set: f.set,
        valid: validSingle(name, false, false),
      });
      out.push({
        name: `${U}_r${f.tag}`,
        enc: `cond:4 011 ${f.p} u:1 ${b} ${f.w} ${l} rn:4 rt:4 shim:5 shty:2 0 rm:4`,
        sem: LDST[name].r,
        set: f.set,
        valid: validSingle(name, true, false),
      });
    }
    out.push({
      name: `${U}T_i`,
      enc: `cond:4 010 0 u:1 ${b} 1 ${l} rn:4 rt:4 imm:12`,
      sem: LDST[`${name}t`].i,
      set: { p: 0, w: 0 },
      valid: validSingle(name, false, true),
    });
    out.push({
      name: `${U}T_r`,
      enc: `cond:4 011 0 u:1 ${b} 1 ${l} rn:4 rt:4 shim:5 shty:2 0 rm:4`,
      sem: LDST[`${name}t`].r,
      set: { p: 0, w: 0 },
      valid: validSingle(name, true, true),
    });
  }
  // Extra loads/stores (A5.2.8): halfword, signed byte/halfword, dual. imm = imm4H:imm4L.
  const extra = [
    ['strh', 0, '01'],
    ['ldrh', 1, '01'],
    ['ldrsb', 1, '10'],
    ['ldrsh', 1, '11'],
  ] as const;
  for (const [name, l, op2] of extra) {
    const U = name.toUpperCase();
    for (const f of PW) {
      out.push({
        name: `${U}_i${f.tag}`,
        enc: `cond:4 000 ${f.p} u:1 1 ${f.w} ${l} rn:4 rt:4 imm:4 1 ${op2} 1 imm:4`,
        sem: LDST[name].i,
        set: f.set,
        valid: validSingle(name, false, false),
      });
      out.push({
        name: `${U}_r${f.tag}`,
        enc: `cond:4 000 ${f.p} u:1 0 ${f.w} ${l} rn:4 rt:4 0000 1 ${op2} 1 rm:4`,
        sem: LDST[name].r,
        set: f.set,
        valid: validSingle(name, true, false),
      });
    }
    out.push({
      name: `${U}T_i`,
      enc: `cond:4 000 0 u:1 1 1 ${l} rn:4 rt:4 imm:4 1 ${op2} 1 imm:4`,
      sem: LDST[`${name}t`].i,
      set: { p: 0, w: 0 },
      valid: validSingle(name, false, true),
    });
    out.push({
      name: `${U}T_r`,
      enc: `cond:4 000 0 u:1 0 1 ${l} rn:4 rt:4 0000 1 ${op2} 1 rm:4`,
      sem: LDST[`${name}t`].r,
      set: { p: 0, w: 0 },
      valid: validSingle(name, true, true),
    });
  }
  // LDRD/STRD (A8.8.72 ff.): Rt even (odd is UNDEFINED on QEMU), Rt2 = Rt+1; P=0 W=1 UNDEFINED.
  const evenRt = (a: Args) => {
    if (a.rt & 1) return false;
    a.rt2 = a.rt + 1;
    return true;
  };
  for (const [U, sem, op2] of [['LDRD', LDRD, '10'], ['STRD', STRD, '11']] as const) {
    const load = U === 'LDRD';
    const validD = (reg: boolean) => (a: Args) => {
      if (a.rt2 === 15) return false;
      if (reg && (a.rm === 15 || (load && (a.rm === a.rt || a.rm === a.rt2)))) return false;
      if (wb(a) && (a.rn === 15 || a.rn === a.rt || a.rn === a.rt2)) return false;
      return true;
    };
    for (const f of PW) {
      out.push({
        name: `${U}_i${f.tag}`,
        enc: `cond:4 000 ${f.p} u:1 1 ${f.w} 0 rn:4 rt:4 imm:4 1 ${op2} 1 imm:4`,
        sem: sem.i,
        set: f.set,
        expand: evenRt,
        valid: validD(false),
      });
      out.push({
        name: `${U}_r${f.tag}`,
        enc: `cond:4 000 ${f.p} u:1 0 ${f.w} 0 rn:4 rt:4 0000 1 ${op2} 1 rm:4`,
        sem: sem.r,
        set: f.set,
        expand: evenRt,
        valid: validD(true),
      });
    }
  }
  // Synchronization primitives (A5.2.10).
  const pairRt = (a: Args) => {
    if (a.rt & 1) return false;
    a.rt2 = a.rt + 1;
    return true;
  };
  out.push(
    { name: 'SWP', enc: 'cond:4 0001 0000 rn:4 rt:4 0000 1001 rt2:4', sem: SWP, valid: (a) => a.rt !== 15 && a.rt2 !== 15 && a.rn !== 15 && a.rn !== a.rt && a.rn !== a.rt2 },
    { name: 'SWPB', enc: 'cond:4 0001 0100 rn:4 rt:4 0000 1001 rt2:4', sem: SWPB, valid: (a) => a.rt !== 15 && a.rt2 !== 15 && a.rn !== 15 && a.rn !== a.rt && a.rn !== a.rt2 },
    { name: 'STREX', enc: 'cond:4 0001 1000 rn:4 rd:4 1111 1001 rt:4', sem: STREX, set: { imm: 0 }, valid: validEx('st', 4, false) },
    { name: 'STREXD', enc: 'cond:4 0001 1010 rn:4 rd:4 1111 1001 rt:4', sem: STREXD, set: { imm: 0 }, expand: pairRt, valid: validEx('st', 8, false) },
    { name: 'STREXB', enc: 'cond:4 0001 1100 rn:4 rd:4 1111 1001 rt:4', sem: STREXB, set: { imm: 0 }, valid: validEx('st', 1, false) },
    { name: 'STREXH', enc: 'cond:4 0001 1110 rn:4 rd:4 1111 1001 rt:4', sem: STREXH, set: { imm: 0 }, valid: validEx('st', 2, false) },
    { name: 'LDREX', enc: 'cond:4 0001 1001 rn:4 rt:4 1111 1001 1111', sem: LDREX, set: { imm: 0 }, valid: validEx('ld', 4, false) },
    { name: 'LDREXD', enc: 'cond:4 0001 1011 rn:4 rt:4 1111 1001 1111', sem: LDREXD, set: { imm: 0 }, expand: pairRt, valid: validEx('ld', 8, false) },
    { name: 'LDREXB', enc: 'cond:4 0001 1101 rn:4 rt:4 1111 1001 1111', sem: LDREXB, set: { imm: 0 }, valid: validEx('ld', 1, false) },
    { name: 'LDREXH', enc: 'cond:4 0001 1111 rn:4 rt:4 1111 1001 1111', sem: LDREXH, set: { imm: 0 }, valid: validEx('ld', 2, false) },
  );
  // Block transfers (A5.5); the S bit (user bank, exception return) is UNDEFINED at PL0.
  out.push(
    { name: 'STM', enc: 'cond:4 100 b:1 i:1 0 w:1 0 rn:4 list:16', sem: STM, valid: validA32(false) },
    { name: 'LDM', enc: 'cond:4 100 b:1 i:1 0 w:1 1 rn:4 list:16', sem: LDM, valid: validA32(true) },
  );
  return out;
}

export const ROWS: Row[] = rows();
